"""How e-mail leaves the service. Both run modes build the same messages; only the transport differs:
SMTP when a server is configured, otherwise `.eml` files a developer can open (the embedded mode)."""

import asyncio
import datetime as dt
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib
import structlog
from pydantic import SecretStr

from storefront_auth.config import Settings
from storefront_auth.mail.exceptions import MailDeliveryFailed

log = structlog.get_logger(__name__)


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` over for delivery to its To recipients, or raise `MailDeliveryFailed`."""
        ...


class SmtpTransport:
    """Sends over SMTP, one connection per message: invitations and resets are rare, and a fresh
    connection never trips over a server that dropped an idle one."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: SecretStr | None,
        starttls: bool,
        timeout: float,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username or None
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        password = self.password.get_secret_value() if self.password else None
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=password if self.username else None,
                # True demands the upgrade (a login never crosses the wire in clear); False never tries it,
                # for a local relay whose certificate would not verify.
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            reason, permanent = _describe_failure(exc)
            if password:
                # A server may echo what it was sent; the reason is stored and shown, so scrub it.
                reason = reason.replace(password, "[redacted]")
            log.warning(
                "mail_delivery_failed",
                host=self.host,
                port=self.port,
                recipient=message["To"],
                reason=reason,
                permanent=permanent,
            )
            raise MailDeliveryFailed(reason, permanent=permanent) from None
        log.info("mail_sent", host=self.host, recipient=message["To"], subject=message["Subject"])


def _describe_failure(exc: aiosmtplib.SMTPException | OSError) -> tuple[str, bool]:
    """Turn aiosmtplib's exceptions into a reason an operator understands, and whether retrying is futile.
    Order matters: several aiosmtplib errors are also OSError or TimeoutError."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refusals = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        return f"mail server refused the recipient: {refusals}", all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return f"mail server refused the login: {exc.code} {exc.message}", exc.code >= 500
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"mail server refused: {exc.code} {exc.message}", exc.code >= 500
    if isinstance(exc, OSError):  # connect errors, disconnects, timeouts (TimeoutError is an OSError)
        return f"mail server unreachable: {str(exc) or type(exc).__name__}", False
    # What remains is a setup mismatch, e.g. AUTH or STARTTLS not offered: retrying will not help.
    return f"mail server cannot be used as configured: {exc}", True


class EmlDirectoryTransport:
    """The embedded mode's mail server: each message becomes a file, so a developer can open exactly what
    would have been sent."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4()}.eml"
        try:
            await asyncio.to_thread(_write_atomically, path, message.as_bytes())
        except OSError as exc:
            raise MailDeliveryFailed(f"mail directory not writable: {exc}") from exc
        log.info("mail_written", path=str(path), recipient=message["To"], subject=message["Subject"])


def _write_atomically(path: Path, content: bytes) -> None:
    """Write then rename, so whoever watches the folder never opens a half-written message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(path)


def transport_from_settings(settings: Settings) -> MailTransport:
    if settings.smtp_host:
        return SmtpTransport(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    return EmlDirectoryTransport(settings.data_dir / "mail")
