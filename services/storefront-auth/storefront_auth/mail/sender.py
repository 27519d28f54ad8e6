"""Sends the e-mails that carry a link with a secret token (invitations, password resets) as durable jobs
(printbridge_shared.jobs): queuing a link enqueues a job in the same transaction, and the service's job
runner sends it. Each attempt makes a fresh token (only its hash is kept, so a link from an earlier attempt
stops working), hands the message to the mail transport outside any transaction, and either marks the link
sent or lets the runner plan the next attempt with a doubling pause
(`PRINTBRIDGE_INVITATION_SEND_ATTEMPTS`, `PRINTBRIDGE_INVITATION_RETRY_SECONDS`); after the last one the
link is marked failed with the reason. What a kind adds (who receives it, what it says, which events
follow) sits behind `LinkMail`."""

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Generic, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.db import utcnow
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler, enqueue
from storefront_auth.config import Settings
from storefront_auth.mail.exceptions import MailDeliveryFailed
from storefront_auth.mail.messages import public_link
from storefront_auth.mail.repository import Link
from storefront_auth.mail.transport import EmlDirectoryTransport, MailTransport
from storefront_auth.models import CustomerUser, jobs
from storefront_auth.user.repository import CustomerUserRepository

log = structlog.get_logger(__name__)

MAX_PAUSE_SECONDS = 300.0


@dataclass(frozen=True)
class Delivery:
    """Whom a link e-mail went to, as its outcome hooks see it."""

    user_id: uuid.UUID
    customer_id: uuid.UUID
    email: str


class LinkMail(Protocol[Link]):
    """One kind of link e-mail."""

    name: str  # names its log events: `<name>_sent`, `<name>_not_delivered`, `<name>_link`
    job_kind: str  # the kind of its jobs
    model: type[Link]  # the table of its links
    path: str  # the link is `<public_url>/<path>/<token>`
    ttl: dt.timedelta  # how long the link works, from the moment it is sent

    async def recipient(self, session: AsyncSession, queued: Link) -> CustomerUser | None:
        """Whom the e-mail goes to; None when it should no longer be sent (the link is then revoked)."""
        ...

    def message(self, queued: Link, user: CustomerUser, *, link: str) -> EmailMessage: ...

    async def on_sent(
        self, session: AsyncSession, outbox: Outbox, delivery: Delivery, at: dt.datetime
    ) -> None:
        """Runs in the transaction that marks the link sent."""
        ...

    async def on_given_up(
        self, session: AsyncSession, outbox: Outbox, delivery: Delivery, reason: str, at: dt.datetime
    ) -> None:
        """Runs in the transaction that marks the link failed."""
        ...


async def queue_link_mail(session: AsyncSession, job_kind: str, link_id: uuid.UUID) -> None:
    """Enqueues the sending of a link added in this transaction."""
    await enqueue(session, jobs, job_kind, {"link_id": str(link_id)})


@dataclass(frozen=True)
class PreparedMail:
    delivery: Delivery
    message: EmailMessage
    link: str


class LinkMailJob(JobHandler[PreparedMail], Generic[Link]):
    """The job handler of one kind of link e-mail."""

    def __init__(
        self, kind: LinkMail[Link], outbox: Outbox, transport: MailTransport, settings: Settings
    ) -> None:
        self.kind = kind
        self.outbox = outbox
        self.transport = transport
        self.settings = settings
        self.max_attempts = settings.invitation_send_attempts
        self.retry_base_seconds = settings.invitation_retry_seconds
        self.retry_max_seconds = MAX_PAUSE_SECONDS

    async def _link(self, session: AsyncSession, job: Job) -> Link | None:
        return await session.get(self.kind.model, uuid.UUID(job.payload["link_id"]))

    async def prepare(self, session: AsyncSession, job: Job) -> PreparedMail | None:
        """A fresh token and the message; None when the link is no longer to be sent (sent, given up,
        replaced, deleted with its user, or its recipient may no longer have it)."""
        queued = await self._link(session, job)
        if queued is None or queued.sent_at or queued.failed_at or queued.revoked_at:
            return None
        now = utcnow()
        user = await self.kind.recipient(session, queued)
        if user is None:
            queued.revoked_at = now
            return None
        token = secrets.token_urlsafe(32)  # 256 bits
        queued.token_hash = hash_secret(token)
        queued.expires_at = now + self.kind.ttl
        queued.attempts += 1
        link = public_link(self.settings.public_url, f"{self.kind.path}/{token}")
        delivery = Delivery(user.id, user.customer_id, user.email)
        return PreparedMail(delivery, self.kind.message(queued, user, link=link), link)

    async def perform(self, job: Job, prepared: PreparedMail) -> None:
        try:
            await self.transport.send(prepared.message)
        except MailDeliveryFailed as failure:
            log.warning(
                f"{self.kind.name}_not_delivered",
                user_id=str(prepared.delivery.user_id),
                reason=failure.reason,
                final=failure.permanent or job.attempt >= job.max_attempts,
            )
            raise JobFailed(failure.reason, permanent=failure.permanent) from failure
        if isinstance(self.transport, EmlDirectoryTransport):
            log.info(f"{self.kind.name}_link", email=prepared.delivery.email, link=prepared.link)

    async def succeeded(self, session: AsyncSession, job: Job, prepared: PreparedMail) -> None:
        queued = await self._link(session, job)
        if queued is None:  # deleted meanwhile (the user was removed)
            return
        now = utcnow()
        queued.sent_at = now
        await self.kind.on_sent(session, self.outbox, prepared.delivery, now)
        log.info(f"{self.kind.name}_sent", user_id=str(prepared.delivery.user_id), attempt=job.attempt)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        queued = await self._link(session, job)
        if queued is None:
            return
        now = utcnow()
        queued.failed_at, queued.failure_reason = now, reason
        user = await CustomerUserRepository(session).get(queued.user_id)
        if user is not None:
            delivery = Delivery(user.id, user.customer_id, user.email)
            await self.kind.on_given_up(session, self.outbox, delivery, reason, now)


def link_mail_jobs(
    kinds: list[LinkMail[Any]], outbox: Outbox, transport: MailTransport, settings: Settings
) -> dict[str, JobHandler[Any]]:
    """The job handlers of the service's link e-mails, by job kind."""
    return {kind.job_kind: LinkMailJob(kind, outbox, transport, settings) for kind in kinds}
