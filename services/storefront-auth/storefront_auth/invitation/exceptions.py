from printbridge_shared.errors import AppError, Conflict, NotFound


class EmailTakenByAnotherCustomer(Exception):
    """The admin's e-mail already logs in elsewhere: as a Storefronts user of another customer, or as an
    operator (it is the login name, so one address is one principal)."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} is already the login of a Storefronts user of another customer or of an operator; "
            "name another admin"
        )


class AddressHasLogin(Conflict):
    code = "address-has-login"
    title = "Address already has a login"

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} already logs in to Printbridge, so this invitation cannot make a second login; log in "
            "with it as before, or ask whoever invited you to invite another address."
        )


class InvitationNotFound(NotFound):
    code = "invitation-not-found"

    def __init__(self) -> None:
        super().__init__("No invitation has this link; check that the whole link was copied.")


class InvitationGone(AppError):
    status, code, title = 410, "invitation-gone", "Invitation no longer valid"

    def __init__(self) -> None:
        super().__init__(
            "This invitation link has expired or was already used or replaced; ask for a new invitation."
        )
