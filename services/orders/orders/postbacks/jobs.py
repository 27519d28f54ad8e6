"""The send job (one per endpoint and order: each run tries the pair's next delivery, then queues the
pair's next run) and the sweep that queues a run for every pair with a due delivery and no open job."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import DeliveryStatus, PostbackDelivery, PostbackEndpoint
from orders.postbacks import deliveries
from orders.postbacks.repository import PostbackRepository
from orders.postbacks.secrets import SecretBox
from orders.postbacks.sending import Outcome, send
from printbridge_shared.db import utcnow
from printbridge_shared.jobs import Job, JobHandler, Schedule

SWEEP_INTERVAL = dt.timedelta(minutes=1)
SWEEP_BATCH = 1000


def live_secrets(box: SecretBox, endpoint: PostbackEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign now: the current one, and during a rotation the previous one."""
    secrets = [box.open(endpoint.secret_sealed)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_sealed is not None and expires is not None and expires > now:
        secrets.append(box.open(endpoint.previous_secret_sealed))
    return secrets


@dataclass
class NextDelivery:
    """What one run does: send `delivery_id` (and keep its outcome), or, when the pair's next delivery is
    not due yet, nothing but queue the pair's run for `wait_until`."""

    endpoint_id: uuid.UUID
    order_id: uuid.UUID | None
    delivery_id: uuid.UUID | None = None
    url: str = ""
    body: bytes = b""
    secrets: tuple[str, ...] = ()
    wait_until: dt.datetime | None = None
    outcome: Outcome | None = None


class SendPostbacks(JobHandler[NextDelivery]):
    def __init__(self, http: httpx.AsyncClient, box: SecretBox, timeout_s: float) -> None:
        self.http = http
        self.box = box
        self.timeout_s = timeout_s

    async def prepare(self, session: AsyncSession, job: Job) -> NextDelivery | None:
        endpoint_id = uuid.UUID(job.payload["endpoint_id"])
        order_id = uuid.UUID(job.payload["order_id"]) if job.payload["order_id"] else None
        repository = PostbackRepository(session)
        endpoint = await repository.get_endpoint(endpoint_id)
        if endpoint is None or not endpoint.enabled:
            return None  # enabling it again queues its pairs
        delivery = await repository.next_pending(endpoint_id, order_id)
        if delivery is None:
            return None
        now = utcnow()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return NextDelivery(endpoint_id, order_id, wait_until=delivery.next_attempt_at)
        return NextDelivery(
            endpoint_id,
            order_id,
            delivery_id=delivery.id,
            url=endpoint.url,
            body=delivery.payload.encode(),
            secrets=tuple(live_secrets(self.box, endpoint, now)),
        )

    async def perform(self, job: Job, prepared: NextDelivery) -> None:
        if prepared.delivery_id is None:
            return
        prepared.outcome = await send(
            self.http,
            url=prepared.url,
            delivery_id=str(prepared.delivery_id),
            body=prepared.body,
            secrets=prepared.secrets,
            timeout_s=self.timeout_s,
        )

    async def succeeded(self, session: AsyncSession, job: Job, prepared: NextDelivery) -> None:
        repository = PostbackRepository(session)
        # Locked: the send jobs of other orders record their outcomes on the same health counters.
        endpoint = await repository.get_endpoint(prepared.endpoint_id, for_update=True)
        if endpoint is None:
            return
        if prepared.outcome is not None and prepared.delivery_id is not None:
            delivery = await session.get(PostbackDelivery, prepared.delivery_id)
            if delivery is not None and delivery.status == DeliveryStatus.pending:
                deliveries.note_attempt(session, endpoint, delivery, prepared.outcome, retry=True)
                await session.flush()
        if not endpoint.enabled:
            return
        following = await repository.next_pending(prepared.endpoint_id, prepared.order_id)
        if following is not None:
            now = utcnow()
            due = following.next_attempt_at or now
            await deliveries.schedule_pair(session, prepared.endpoint_id, prepared.order_id, at=max(due, now))


class SweepPostbacks(JobHandler[None]):
    """Queues a run for every (endpoint, order) with a due delivery and no open job: what a lost wake-up
    (a delivery committed while its pair's job was finishing) would otherwise leave waiting."""

    async def prepare(self, session: AsyncSession, job: Job) -> None:
        now = utcnow()
        for endpoint_id, order_id in await PostbackRepository(session).due_pairs(now, limit=SWEEP_BATCH):
            await deliveries.schedule_pair(session, endpoint_id, order_id, at=now)
        return None


def handlers(http: httpx.AsyncClient, box: SecretBox, timeout_s: float) -> dict[str, JobHandler[Any]]:
    return {
        deliveries.SEND_JOB: SendPostbacks(http, box, timeout_s),
        deliveries.SWEEP_JOB: SweepPostbacks(),
    }


def schedules() -> list[Schedule]:
    return [Schedule(name=deliveries.SWEEP_JOB, kind=deliveries.SWEEP_JOB, interval=SWEEP_INTERVAL)]
