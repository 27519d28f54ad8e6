from printbridge_shared.errors import AppError, NotFound


class PasswordResetNotFound(NotFound):
    code = "password-reset-not-found"

    def __init__(self) -> None:
        super().__init__("No password reset has this link; check that the whole link was copied.")


class PasswordResetGone(AppError):
    status, code, title = 410, "password-reset-gone", "Reset link no longer valid"

    def __init__(self) -> None:
        super().__init__(
            "This password-reset link has expired or was already used or replaced; ask for a new one."
        )
