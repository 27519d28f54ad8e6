from printbridge_shared.errors import AppError, NotFound


class EmailTakenByAnotherCustomer(Exception):
    """The admin's e-mail already belongs to a Storefronts user of another customer (it is the login)."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} is already the login of a Storefronts user of another customer; name another admin"
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
