from printbridge_shared.errors import Forbidden, Unauthorized


class InvalidCredentials(Unauthorized):
    code = "invalid-credentials"
    title = "Login failed"
    keeps_writes = True  # the failure is counted for throttling although the login fails

    def __init__(self) -> None:
        # One message for an unknown e-mail and a wrong password, so answers do not reveal who has an account.
        super().__init__("The e-mail address or the password is wrong.")


class InvalidRefreshToken(Unauthorized):
    code = "invalid-refresh-token"
    title = "Invalid refresh token"

    def __init__(self) -> None:
        super().__init__("The refresh token is unknown or was revoked; log in again.")


class RefreshTokenExpired(Unauthorized):
    code = "refresh-token-expired"
    title = "Refresh token expired"

    def __init__(self) -> None:
        super().__init__("The refresh token has expired; log in again.")


class RefreshTokenReused(Unauthorized):
    """Raised after the token's whole family was revoked in the request's transaction; that revocation
    is committed although the request fails (`keeps_writes`)."""

    code = "refresh-token-reused"
    title = "Refresh token already used"
    keeps_writes = True

    def __init__(self) -> None:
        super().__init__(
            "The refresh token was already exchanged for a new one, so every token of this login was "
            "revoked in case it was stolen; log in again."
        )


class AccessDisabledByProducer(Forbidden):
    code = "storefront-access-disabled"
    title = "Storefront access is disabled"

    def __init__(self) -> None:
        super().__init__(
            "Your print producer has disabled Storefronts access for your company; ask them to turn it on."
        )
