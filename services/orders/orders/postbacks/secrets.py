"""Postback endpoints' signing secrets at rest: they must be usable to sign, so they are sealed (Fernet,
with the suite's secret keys, the first sealing, all opening), never hashed, and never logged."""

from functools import cached_property

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from orders.config import Settings
from printbridge_shared.secret_keys import load_keys


class SecretUnreadable(Exception):
    """A sealed secret none of the configured keys opens (a key was dropped too early)."""


class SecretBox:
    """Loads the keys on first use, so a service that never seals a secret never creates a key file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _fernet(self) -> MultiFernet:
        configured = self.settings.secret_keys.get_secret_value() if self.settings.secret_keys else None
        keys = load_keys(configured, self.settings.data_dir)
        try:
            return MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError:
            raise ValueError(
                "PRINTBRIDGE_SECRET_KEYS: every key must be 32 url-safe base64-encoded bytes, as "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` "
                "prints"
            ) from None

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise SecretUnreadable(
                "a postback endpoint's secret cannot be decrypted with PRINTBRIDGE_SECRET_KEYS; put back the "
                "key it was sealed with, or rotate the endpoint's secret"
            ) from None

    def reseal(self, sealed: bytes) -> bytes:
        """The same secret encrypted with the first key (a rotation of the keys)."""
        try:
            return self._fernet.rotate(sealed)
        except InvalidToken:
            raise SecretUnreadable(
                "a postback endpoint's secret cannot be decrypted with any configured key"
            ) from None
