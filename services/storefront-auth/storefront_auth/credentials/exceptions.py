from printbridge_shared.errors import InvalidInput


def _field_error(field: str, message: str, error_type: str) -> list[dict[str, object]]:
    return [{"loc": ["body", field], "msg": message, "type": error_type}]


class InvalidEmail(InvalidInput):
    code = "invalid-email"
    title = "Invalid e-mail address"

    def __init__(self, reason: str) -> None:
        message = f"email is not a valid e-mail address: {reason}"
        super().__init__(message, errors=_field_error("email", message, "value_error"))


class PasswordTooShort(InvalidInput):
    code = "password-too-short"
    title = "Password too short"

    def __init__(self, minimum: int) -> None:
        message = f"password must be at least {minimum} characters; a passphrase of a few words works well."
        super().__init__(message, errors=_field_error("password", message, "string_too_short"))


class PasswordTooLong(InvalidInput):
    code = "password-too-long"
    title = "Password too long"

    def __init__(self, maximum: int) -> None:
        message = f"password must be at most {maximum} characters."
        super().__init__(message, errors=_field_error("password", message, "string_too_long"))


class PasswordNotAllowed(InvalidInput):
    code = "password-not-allowed"
    title = "Password not allowed"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, errors=_field_error("password", reason, "value_error"))
