from printbridge_shared.errors import Conflict, InvalidInput, field_errors


class AdminRequired(InvalidInput):
    code = "storefront-admin-required"

    def __init__(self) -> None:
        super().__init__(
            "admin is required to turn Storefront access on: give the customer admin's email, first_name "
            "and last_name",
            errors=field_errors("body", "admin", msg="required when enabled is true", type="missing"),
        )


class AdminOnlyWhenEnabling(InvalidInput):
    code = "storefront-admin-not-expected"

    def __init__(self) -> None:
        super().__init__(
            "admin is only taken when turning access on; leave it out with enabled: false",
            errors=field_errors("body", "admin", msg="not allowed when enabled is false", type="extra"),
        )


class AdminAlreadyActive(Conflict):
    code = "storefront-admin-active"
    title = "The admin already has an account"

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} accepted the invitation and manages this customer's users; further admins are "
            "added in Storefronts' user management."
        )


class StorefrontAccessOff(Conflict):
    code = "storefront-access-off"
    title = "Storefront access is off"

    def __init__(self) -> None:
        super().__init__(
            "Turn Storefront access on (PUT …/storefront-access) before resending the invitation."
        )


class InvitationAlreadyAccepted(Conflict):
    code = "invitation-accepted"
    title = "Invitation already accepted"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} already accepted the invitation; there is nothing to resend.")
