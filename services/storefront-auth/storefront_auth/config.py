import datetime as dt
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import Field, SecretStr, field_validator

from printbridge_shared.config import ServiceSettings


def load_ed25519_private_key(pem: str) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError(
            "PRINTBRIDGE_AUTH_PRIVATE_KEY is not an unencrypted PEM private key; create one with "
            "`openssl genpkey -algorithm ed25519`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(
            "PRINTBRIDGE_AUTH_PRIVATE_KEY must be an Ed25519 key (`openssl genpkey -algorithm ed25519`)"
        )
    return key


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "storefront-auth"

    database_url: str | None = Field(None, validation_alias="PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL")
    auth_private_key: SecretStr | None = Field(
        None,
        description="Ed25519 private key (PEM) that signs access tokens. Unset: a key is generated on first "
        "use and kept in this service's database.",
    )
    access_token_ttl_seconds: int = Field(900, gt=0, description="Lifetime of an access token.")
    refresh_token_ttl_seconds: int = Field(
        30 * 24 * 3600, gt=0, description="Lifetime of a refresh token; each refresh issues a new one."
    )

    @field_validator("auth_private_key")
    @classmethod
    def _parseable_private_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        load_ed25519_private_key(value.get_secret_value())
        return value

    def configured_signing_key(self) -> Ed25519PrivateKey | None:
        if self.auth_private_key is None:
            return None
        return load_ed25519_private_key(self.auth_private_key.get_secret_value())

    @property
    def access_token_ttl(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.access_token_ttl_seconds)

    @property
    def refresh_token_ttl(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.refresh_token_ttl_seconds)
