"""Invitations as the link-mail jobs (mail/sender.py) send them: to a user who has not accepted yet,
announced as `storefront.user_invited` when the mail server took the message and as
`storefront.invitation_failed` when the sending was given up."""

import datetime as dt
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.contracts import StorefrontInvitationFailed, StorefrontUserInvited
from printbridge_shared.events.outbox import Outbox
from storefront_auth.config import Settings
from storefront_auth.mail.messages import invitation_message
from storefront_auth.mail.sender import Delivery
from storefront_auth.models import CustomerUser, Invitation
from storefront_auth.team import service as team
from storefront_auth.user.repository import CustomerUserRepository

INVITATION_MAIL = "invitation_mail"


class InvitationMail:
    name = "invitation"
    job_kind = INVITATION_MAIL
    model = Invitation
    path = "invitations"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ttl = dt.timedelta(seconds=settings.invitation_ttl_seconds)

    async def recipient(self, session: AsyncSession, queued: Invitation) -> CustomerUser | None:
        """Nobody once the user is gone or active: an invitation is for choosing the first password."""
        user = await CustomerUserRepository(session).get(queued.user_id)
        return None if user is None or user.active else user

    def message(self, queued: Invitation, user: CustomerUser, *, link: str) -> EmailMessage:
        assert queued.expires_at is not None
        return invitation_message(
            to=user.email,
            first_name=user.first_name,
            customer_name=queued.customer_name,
            producer_name=self.settings.producer_name,
            link=link,
            expires_at=queued.expires_at,
            sender=self.settings.mail_from,
        )

    async def on_sent(
        self, session: AsyncSession, outbox: Outbox, delivery: Delivery, at: dt.datetime
    ) -> None:
        invited = StorefrontUserInvited(
            customer_id=delivery.customer_id, user_id=delivery.user_id, email=delivery.email, invited_at=at
        )
        await team.record_event(session, outbox, delivery.customer_id, invited)

    async def on_given_up(
        self,
        session: AsyncSession,
        outbox: Outbox,
        delivery: Delivery,
        reason: str,
        at: dt.datetime,
    ) -> None:
        failed = StorefrontInvitationFailed(
            customer_id=delivery.customer_id, email=delivery.email, reason=reason, failed_at=at
        )
        await team.record_event(session, outbox, delivery.customer_id, failed)
