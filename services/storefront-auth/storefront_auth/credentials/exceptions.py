from printbridge_shared.errors import InvalidInput


class InvalidEmail(InvalidInput):
    code = "invalid-email"
    title = "Invalid e-mail address"

    def __init__(self, reason: str) -> None:
        super().__init__(f"email is not a valid e-mail address: {reason}")


class PasswordTooShort(InvalidInput):
    code = "password-too-short"
    title = "Password too short"

    def __init__(self, minimum: int) -> None:
        super().__init__(
            f"password must be at least {minimum} characters; a passphrase of a few words works well."
        )


class PasswordTooLong(InvalidInput):
    code = "password-too-long"
    title = "Password too long"

    def __init__(self, maximum: int) -> None:
        super().__init__(f"password must be at most {maximum} characters.")


class PasswordNotAllowed(InvalidInput):
    code = "password-not-allowed"
    title = "Password not allowed"
