from printbridge_shared.errors import InvalidInput, field_errors


class InvalidEmail(InvalidInput):
    code = "invalid-email"
    title = "Invalid e-mail address"

    def __init__(self, reason: str) -> None:
        message = f"email is not a valid e-mail address: {reason}"
        super().__init__(message, errors=field_errors("body", "email", msg=message, type="value_error"))


class PasswordTooShort(InvalidInput):
    code = "password-too-short"
    title = "Password too short"

    def __init__(self, minimum: int) -> None:
        message = f"password must be at least {minimum} characters; a passphrase of a few words works well."
        super().__init__(
            message, errors=field_errors("body", "password", msg=message, type="string_too_short")
        )


class PasswordTooLong(InvalidInput):
    code = "password-too-long"
    title = "Password too long"

    def __init__(self, maximum: int) -> None:
        message = f"password must be at most {maximum} characters."
        super().__init__(
            message, errors=field_errors("body", "password", msg=message, type="string_too_long")
        )


class PasswordNotAllowed(InvalidInput):
    code = "password-not-allowed"
    title = "Password not allowed"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, errors=field_errors("body", "password", msg=reason, type="value_error"))
