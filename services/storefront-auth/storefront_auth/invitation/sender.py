"""Sends queued invitations. The database is the schedule: each attempt makes a fresh token (only its
hash is kept), hands the message to the mail transport, and either marks it sent (`storefront.user_invited`)
or plans the next attempt; after the last one it gives up (`storefront.invitation_failed`)."""

import asyncio
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import structlog

from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import StorefrontInvitationFailed, StorefrontUserInvited
from printbridge_shared.events.outbox import Outbox
from storefront_auth.invitation.repository import InvitationRepository
from storefront_auth.mail.exceptions import MailDeliveryFailed
from storefront_auth.mail.messages import invitation_message, public_link
from storefront_auth.mail.transport import EmlDirectoryTransport, MailTransport
from storefront_auth.models import Invitation
from storefront_auth.user.repository import CustomerUserRepository

log = structlog.get_logger(__name__)

LEASE = dt.timedelta(minutes=2)  # while one replica sends, the others leave the row alone
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class _Claim:
    """What the sending attempt needs after the claiming transaction closed."""

    invitation_id: uuid.UUID
    attempts: int
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str


class InvitationSender:
    def __init__(self, db: Database, outbox: Outbox, transport: MailTransport, settings: Any) -> None:
        self.db = db
        self.outbox = outbox
        self.transport = transport
        self.settings = settings
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                while await self.send_next():
                    pass
            except Exception:
                log.exception("invitation_sender_failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=POLL_SECONDS)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def send_next(self) -> bool:
        """Sends one due invitation; False when none is due."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        async with self.db.sessionmaker() as session, session.begin():
            invitation = await InvitationRepository(session).claim_due(now=now)
            if invitation is None:
                return False
            user = await CustomerUserRepository(session).get(invitation.user_id)
            if user is None or user.active:
                invitation.revoked_at = now
                return True
            invitation.token_hash = hash_secret(token)
            invitation.expires_at = now + dt.timedelta(seconds=self.settings.invitation_ttl_seconds)
            invitation.attempts += 1
            invitation.next_attempt_at = now + LEASE
            claimed = _Claim(invitation.id, invitation.attempts, invitation.customer_id, user.id, user.email)
            link = public_link(self.settings.public_url, f"invitations/{token}")
            message = invitation_message(
                to=user.email,
                first_name=user.first_name,
                customer_name=invitation.customer_name,
                producer_name=self.settings.producer_name,
                link=link,
                expires_at=invitation.expires_at,
                sender=self.settings.mail_from,
            )
        try:
            await self.transport.send(message)
        except MailDeliveryFailed as failure:
            await self._record_failure(claimed, failure)
            return True
        await self._record_sent(claimed)
        if isinstance(self.transport, EmlDirectoryTransport):
            log.info("invitation_link", email=claimed.email, link=link)
        return True

    async def _record_sent(self, claim: _Claim) -> None:
        now = utcnow()
        async with self.db.sessionmaker() as session, session.begin():
            invitation = await session.get(Invitation, claim.invitation_id)
            assert invitation is not None
            invitation.sent_at = now
            invited = StorefrontUserInvited(
                customer_id=claim.customer_id, user_id=claim.user_id, email=claim.email, invited_at=now
            )
            await self.outbox.record(session, invited, customer_id=claim.customer_id)
        self.db.notify_committed(session)
        log.info("invitation_sent", user_id=str(claim.user_id), attempt=claim.attempts)

    async def _record_failure(self, claim: _Claim, failure: MailDeliveryFailed) -> None:
        now = utcnow()
        give_up = failure.permanent or claim.attempts >= self.settings.invitation_send_attempts
        async with self.db.sessionmaker() as session, session.begin():
            invitation = await session.get(Invitation, claim.invitation_id)
            assert invitation is not None
            invitation.failure_reason = failure.reason
            if give_up:
                invitation.failed_at = now
                failed = StorefrontInvitationFailed(
                    customer_id=claim.customer_id, email=claim.email, reason=failure.reason, failed_at=now
                )
                await self.outbox.record(session, failed, customer_id=claim.customer_id)
            else:
                pause = min(300.0, self.settings.invitation_retry_seconds * 2 ** (claim.attempts - 1))
                invitation.next_attempt_at = now + dt.timedelta(seconds=pause)
        self.db.notify_committed(session)
        log.warning(
            "invitation_not_delivered", user_id=str(claim.user_id), reason=failure.reason, final=give_up
        )
