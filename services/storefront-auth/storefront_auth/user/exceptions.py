import uuid

from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


class UserNotFound(NotFound):
    code = "user-not-found"

    def __init__(self, user_id: uuid.UUID) -> None:
        super().__init__(f"No user {user_id} in your team.")


class EmailInUse(Conflict):
    """Only for the caller's own team, which it sees anyway: it says nothing about other customers."""

    code = "email-in-use"
    title = "Already in your team"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} is already in your team; see GET /v1/users, or resend its invitation.")


class LastAdmin(Conflict):
    code = "last-admin"
    title = "Last admin"

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} is the customer's last active admin; make another active user admin first."
        )


class AlreadyActive(Conflict):
    code = "user-already-active"
    title = "User already active"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} already accepted the invitation; the user can reset the password.")


class CustomerRequired(InvalidInput):
    code = "customer-required"

    def __init__(self) -> None:
        super().__init__(
            "customer_id is required for operators: users are listed per customer.",
            errors=field_errors("query", "customer_id", msg="field required", type="missing"),
        )


class StoreScopeInvalid(InvalidInput):
    code = "invalid-store-ids"

    def __init__(self, message: str) -> None:
        super().__init__(
            f"store_ids: {message}",
            errors=field_errors("body", "store_ids", msg=message),
        )
