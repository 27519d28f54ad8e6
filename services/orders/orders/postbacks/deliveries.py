"""Deliveries: one per matching endpoint for every status change of an order, written in the change's
own transaction; sent by a job per (endpoint, order) in the order's version order; each attempt's outcome
moves the delivery (delivered, retried on the schedule below, failed after a day) and the endpoint's
health (410 Gone disables it)."""

import datetime as dt
import json
import random
import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import DeliveryStatus, PostbackAttempt, PostbackDelivery, PostbackEndpoint, jobs
from orders.postbacks.repository import PostbackRepository
from orders.postbacks.schemas import event_type_of
from orders.postbacks.sending import Outcome
from printbridge_shared.events.contracts import OrderStatusChanged
from printbridge_shared.jobs import QUEUED, enqueue

SEND_JOB = "orders.postback_send"
SWEEP_JOB = "orders.postback_sweep"
# The pause after the 1st, 2nd, … failed attempt (the last one repeats), each with up to ±20 % jitter;
# a delivery still failing once RETRY_WINDOW has passed since its first attempt has failed.
RETRY_DELAYS_S = (30, 120, 600, 1800, 3600, 7200, 14400, 28800)
RETRY_WINDOW = dt.timedelta(hours=24)
JITTER = 0.2


def body_of(event_type: str, timestamp: dt.datetime, data: dict[str, Any]) -> str:
    """A Standard Webhooks payload, as the exact text that is signed and sent."""
    payload = {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def retry_delay(attempt: int) -> dt.timedelta:
    """The pause after failed attempt number `attempt` (from 1), jittered."""
    base = RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S)) - 1]
    return dt.timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def pair_key(endpoint_id: uuid.UUID, order_id: uuid.UUID | None) -> str:
    return f"postback:{endpoint_id}:{order_id or 'ping'}"


async def schedule_pair(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    order_id: uuid.UUID | None,
    *,
    at: dt.datetime,
    sooner: bool = False,
) -> None:
    """A send job for the pair at `at`, unless one is open already (it sends the pair's deliveries in
    turn). `sooner`: an open job that waits past `at` (for a retry) runs at `at` instead (a redelivery,
    an endpoint enabled again)."""
    key = pair_key(endpoint_id, order_id)
    if sooner:
        table = jobs.jobs
        await session.execute(
            update(table)
            .where(table.c.unique_key == key, table.c.status == QUEUED, table.c.run_at > at)
            .values(run_at=at)
        )
    await enqueue(
        session,
        jobs,
        SEND_JOB,
        {"endpoint_id": str(endpoint_id), "order_id": str(order_id) if order_id else None},
        run_at=at,
        unique_key=key,
    )


async def record_status_change(
    session: AsyncSession, change: OrderStatusChanged, *, version: int, now: dt.datetime
) -> None:
    """One pending delivery per enabled endpoint that takes this order's customer and status."""
    event_type = event_type_of(change.status)
    repository = PostbackRepository(session)
    receivers = [
        endpoint_id
        for endpoint_id, types in await repository.receiving(change.customer_id)
        if types is None or event_type in types
    ]
    if not receivers:
        return
    data = {**change.model_dump(mode="json"), "order_id": str(change.order_id), "version": version}
    body = body_of(event_type, change.changed_at, data)
    for endpoint_id in receivers:
        repository.add(
            PostbackDelivery(
                id=uuid.uuid4(),
                endpoint_id=endpoint_id,
                order_id=change.order_id,
                order_version=version,
                event_type=event_type,
                payload=body,
                status=DeliveryStatus.pending,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        await schedule_pair(session, endpoint_id, change.order_id, at=now)


def note_attempt(
    session: AsyncSession,
    endpoint: PostbackEndpoint,
    delivery: PostbackDelivery,
    outcome: Outcome,
    *,
    retry: bool,
) -> None:
    """Logs the attempt and moves the delivery and the endpoint's health by its outcome. `retry`: a
    failure is tried again on the schedule (a test ping is not)."""
    session.add(
        PostbackAttempt(
            id=uuid.uuid4(),
            delivery_id=delivery.id,
            at=outcome.at,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            response_excerpt=outcome.response_excerpt,
        )
    )
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or outcome.at
    if outcome.delivered:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = outcome.at
        delivery.next_attempt_at = None
        endpoint.last_success_at = outcome.at
        endpoint.failing_since = None
        endpoint.consecutive_failures = 0
        return
    endpoint.failing_since = endpoint.failing_since or outcome.at
    endpoint.consecutive_failures += 1
    if outcome.gone:
        # The receiver says the address is gone for good: stop sending; what waits is sent once the
        # endpoint is enabled again.
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"{endpoint.url} answered 410 Gone at {outcome.at.isoformat()}: postbacks stopped; enable the "
            "endpoint again (PATCH enabled true) once it takes them, and the waiting ones are sent."
        )
        endpoint.updated_at = outcome.at
    if retry and outcome.gone:
        delivery.next_attempt_at = outcome.at
    elif retry and outcome.at - delivery.first_attempt_at < RETRY_WINDOW:
        delivery.next_attempt_at = outcome.at + retry_delay(delivery.attempts)
    else:
        delivery.status = DeliveryStatus.failed
        delivery.next_attempt_at = None
