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
    producer_name: str = Field(
        "Your print producer", description="The print producer's name as customers read it in e-mails."
    )
    smtp_host: str | None = Field(
        None,
        description="SMTP server that sends e-mail. Unset: e-mails are written as .eml files under "
        "<data_dir>/mail and their links logged (embedded mode).",
    )
    smtp_port: int = Field(587, gt=0, lt=65536, description="Port of the SMTP server.")
    smtp_username: str | None = Field(None, description="SMTP login; unset when the server needs none.")
    smtp_password: SecretStr | None = Field(None, description="Password of the SMTP login.")
    smtp_starttls: bool = Field(
        True, description="Require a STARTTLS upgrade before sending; off only for a trusted local relay."
    )
    smtp_timeout_seconds: float = Field(
        10.0, gt=0, description="How long one SMTP step may take before the server counts as unreachable."
    )
    mail_from: str = Field(
        "Printbridge <no-reply@printbridge.local>", description="Sender (From) of every e-mail."
    )
    invitation_ttl_seconds: int = Field(
        7 * 24 * 3600, gt=0, description="How long the link in an invitation e-mail can be accepted."
    )
    password_reset_ttl_seconds: int = Field(
        3600, gt=0, description="How long the link in a password-reset e-mail can be used."
    )
    login_max_failures: int = Field(5, gt=0, description="Failed logins per account before logins wait.")
    login_max_failures_per_address: int = Field(
        50, gt=0, description="Failed logins from one client address before its logins wait."
    )
    login_lockout_seconds: float = Field(
        30.0, gt=0, description="First wait after the limit; doubles with every further failure."
    )
    login_failure_window_seconds: float = Field(
        900.0, gt=0, description="Failures older than this are forgotten (also the longest wait)."
    )
    invitation_send_attempts: int = Field(
        5, gt=0, description="Attempts to hand an invitation to the mail server before it counts as failed."
    )
    invitation_retry_seconds: float = Field(
        2.0, gt=0, description="Pause after the first failed attempt; it doubles after each (at most 5 min)."
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
