"""Sends the queued e-mails that carry a link with a secret token (invitations, password resets). The
database is the schedule: each kind keeps a table of queued e-mails with the same columns, and this one
worker takes the due rows of every kind in turn. Each attempt makes a fresh token (only its hash is kept,
so a link from an earlier attempt stops working), hands the message to the mail transport, and either
marks it sent or plans the next attempt with a doubling pause; after the last one it gives up. What a
kind adds (who receives it, what it says, which events follow) sits behind `LinkMail`."""

import asyncio
import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Generic, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.outbox import Outbox
from storefront_auth.mail.exceptions import MailDeliveryFailed
from storefront_auth.mail.messages import public_link
from storefront_auth.mail.repository import Link
from storefront_auth.mail.transport import EmlDirectoryTransport, MailTransport
from storefront_auth.models import CustomerUser

log = structlog.get_logger(__name__)

LEASE = dt.timedelta(minutes=2)  # while one replica sends, the others leave the row alone
POLL_SECONDS = 0.5
MAX_PAUSE_SECONDS = 300.0


@dataclass(frozen=True)
class Delivery(Generic[Link]):
    """One sending attempt, as its outcome is recorded after the claiming transaction closed."""

    table: type[Link]
    row_id: uuid.UUID
    attempt: int
    user_id: uuid.UUID
    customer_id: uuid.UUID
    email: str


class LinkMail(Protocol[Link]):
    """One kind of link e-mail."""

    name: str  # names its log events: `<name>_sent`, `<name>_not_delivered`, `<name>_link`
    path: str  # the link is `<public_url>/<path>/<token>`
    ttl: dt.timedelta  # how long the link works, from the moment it is sent

    async def claim_due(self, session: AsyncSession, *, now: dt.datetime) -> Link | None:
        """The next row to send, locked on PostgreSQL so that replicas each take another."""
        ...

    async def recipient(self, session: AsyncSession, queued: Link) -> CustomerUser | None:
        """Whom the e-mail goes to; None when it should no longer be sent (the row is then revoked)."""
        ...

    def message(self, queued: Link, user: CustomerUser, *, link: str) -> EmailMessage: ...

    async def on_sent(
        self, session: AsyncSession, outbox: Outbox, delivery: Delivery[Link], at: dt.datetime
    ) -> None:
        """Runs in the transaction that marks the row sent."""
        ...

    async def on_given_up(
        self, session: AsyncSession, outbox: Outbox, delivery: Delivery[Link], reason: str, at: dt.datetime
    ) -> None:
        """Runs in the transaction that marks the row failed."""
        ...


class LinkMailSender:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        transport: MailTransport,
        settings: Any,
        kinds: Sequence[LinkMail[Any]],
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.transport = transport
        self.settings = settings
        self.kinds = kinds
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            while await self.send_next():
                pass
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=POLL_SECONDS)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def send_next(self) -> bool:
        """Sends one due e-mail of each kind; False when none was due. A kind that fails (say, its table
        is unreachable) is logged and does not hold up the others."""
        busy = False
        for kind in self.kinds:
            try:
                busy = await self._send_one(kind) or busy
            except Exception:
                log.exception("mail_sender_failed", kind=kind.name)
        return busy

    async def _send_one(self, kind: LinkMail[Any]) -> bool:
        token = secrets.token_urlsafe(32)  # 256 bits
        now = utcnow()
        async with self.db.sessionmaker() as session, session.begin():
            queued = await kind.claim_due(session, now=now)
            if queued is None:
                return False
            user = await kind.recipient(session, queued)
            if user is None:
                queued.revoked_at = now
                return True
            queued.token_hash = hash_secret(token)
            queued.expires_at = now + kind.ttl
            queued.attempts += 1
            queued.next_attempt_at = now + LEASE
            delivery = Delivery(
                type(queued), queued.id, queued.attempts, user.id, user.customer_id, user.email
            )
            link = public_link(self.settings.public_url, f"{kind.path}/{token}")
            message = kind.message(queued, user, link=link)
        try:
            await self.transport.send(message)
        except MailDeliveryFailed as failure:
            await self._record_failure(kind, delivery, failure)
            return True
        await self._record_sent(kind, delivery)
        if isinstance(self.transport, EmlDirectoryTransport):
            log.info(f"{kind.name}_link", email=delivery.email, link=link)
        return True

    async def _record_sent(self, kind: LinkMail[Any], delivery: Delivery[Any]) -> None:
        now = utcnow()
        async with self.db.sessionmaker() as session, session.begin():
            queued = await session.get(delivery.table, delivery.row_id)
            if queued is None:  # deleted meanwhile (the user was removed)
                return
            queued.sent_at = now
            await kind.on_sent(session, self.outbox, delivery, now)
        self.db.notify_committed(session)
        log.info(f"{kind.name}_sent", user_id=str(delivery.user_id), attempt=delivery.attempt)

    async def _record_failure(
        self, kind: LinkMail[Any], delivery: Delivery[Any], failure: MailDeliveryFailed
    ) -> None:
        now = utcnow()
        give_up = failure.permanent or delivery.attempt >= self.settings.invitation_send_attempts
        async with self.db.sessionmaker() as session, session.begin():
            queued = await session.get(delivery.table, delivery.row_id)
            if queued is None:
                return
            queued.failure_reason = failure.reason
            if give_up:
                queued.failed_at = now
                await kind.on_given_up(session, self.outbox, delivery, failure.reason, now)
            else:
                pause = self.settings.invitation_retry_seconds * 2 ** (delivery.attempt - 1)
                queued.next_attempt_at = now + dt.timedelta(seconds=min(MAX_PAUSE_SECONDS, pause))
        self.db.notify_committed(session)
        log.warning(
            f"{kind.name}_not_delivered", user_id=str(delivery.user_id), reason=failure.reason, final=give_up
        )
