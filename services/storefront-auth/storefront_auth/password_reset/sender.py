"""Password-reset e-mails as the link-mail jobs (mail/sender.py) send them: only while the user can
still log in, so a link never reaches a removed user or a customer whose access was switched off."""

import datetime as dt
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.outbox import Outbox
from storefront_auth.config import Settings
from storefront_auth.invitation.repository import CustomerAccessRepository
from storefront_auth.mail.messages import password_reset_message
from storefront_auth.mail.sender import Delivery
from storefront_auth.models import CustomerUser, PasswordReset
from storefront_auth.user.repository import CustomerUserRepository

PASSWORD_RESET_MAIL = "password_reset_mail"


class PasswordResetMail:
    name = "password_reset"
    job_kind = PASSWORD_RESET_MAIL
    model = PasswordReset
    path = "password-reset"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ttl = dt.timedelta(seconds=settings.password_reset_ttl_seconds)

    async def recipient(self, session: AsyncSession, queued: PasswordReset) -> CustomerUser | None:
        user = await CustomerUserRepository(session).get(queued.user_id)
        if user is None or not user.active:
            return None
        return user if await CustomerAccessRepository(session).enabled(user.customer_id) else None

    def message(self, queued: PasswordReset, user: CustomerUser, *, link: str) -> EmailMessage:
        assert queued.expires_at is not None
        return password_reset_message(
            to=user.email,
            first_name=user.first_name,
            link=link,
            expires_at=queued.expires_at,
            sender=self.settings.mail_from,
            producer_name=self.settings.producer_name,
        )

    async def on_sent(
        self, session: AsyncSession, outbox: Outbox, delivery: Delivery, at: dt.datetime
    ) -> None:
        """Nothing to announce: only a completed reset changes what other services must know."""

    async def on_given_up(
        self,
        session: AsyncSession,
        outbox: Outbox,
        delivery: Delivery,
        reason: str,
        at: dt.datetime,
    ) -> None:
        """Nothing to announce: the user, who cannot see the failure, may simply ask again."""
