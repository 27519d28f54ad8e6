"""Postback endpoints and their delivery log, as the API manages them (docs/postbacks.md)."""

import datetime as dt
import json
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import DeliveryStatus, PostbackDelivery, PostbackEndpoint
from orders.postbacks import deliveries
from orders.postbacks.exceptions import (
    DeliveryStillPending,
    PostbackDeliveryNotFound,
    PostbackEndpointNotFound,
    PostbackUrlRefused,
)
from orders.postbacks.jobs import live_secrets
from orders.postbacks.repository import PostbackRepository
from orders.postbacks.schemas import (
    TEST_EVENT_TYPE,
    Attempt,
    Delivery,
    DeliveryPage,
    Endpoint,
    EndpointCreate,
    EndpointPage,
    EndpointUpdate,
    EndpointWithSecret,
    SecretRotated,
    TestPingResult,
)
from orders.postbacks.secrets import SecretBox
from orders.postbacks.sending import send
from printbridge_shared.db import Database, utcnow
from printbridge_shared.outbound import UrlNotAllowed, check_url_shape, resolve_allowed
from printbridge_shared.pagination import decode_time_position, encode_position
from printbridge_shared.standard_webhooks import generate_secret

# How long the previous secret keeps signing after a rotation.
ROTATION_OVERLAP = dt.timedelta(hours=24)


async def check_url(url: str, *, allow_private: bool) -> str:
    """https:// (or, where private addresses are allowed, http://) with a host, that does not resolve to a
    private or local address unless they are allowed. A name that does not resolve (yet) is taken: its
    deliveries fail and are retried until it does."""
    try:
        parsed = check_url_shape(url, allow_private=allow_private)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        await resolve_allowed(parsed.host, port, allow_private=allow_private)
    except UrlNotAllowed as refused:
        raise PostbackUrlRefused(str(refused)) from None
    except httpx.ConnectError:
        pass
    return url


def to_read(endpoint: PostbackEndpoint, pending_count: int) -> Endpoint:
    return Endpoint(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        events=endpoint.event_types,
        customer_id=endpoint.customer_id,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
        last_success_at=endpoint.last_success_at,
        failing_since=endpoint.failing_since,
        consecutive_failures=endpoint.consecutive_failures,
        pending_count=pending_count,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def delivery_to_read(delivery: PostbackDelivery) -> Delivery:
    return Delivery(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        order_id=delivery.order_id,
        order_version=delivery.order_version,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        payload=json.loads(delivery.payload),
        attempt_log=[Attempt.model_validate(attempt) for attempt in delivery.attempt_log],
    )


async def get_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> PostbackEndpoint:
    endpoint = await PostbackRepository(session).get_endpoint(endpoint_id, for_update=for_update)
    if endpoint is None:
        raise PostbackEndpointNotFound(endpoint_id)
    return endpoint


async def read_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> Endpoint:
    endpoint = await get_endpoint(session, endpoint_id)
    counts = await PostbackRepository(session).pending_counts([endpoint.id])
    return to_read(endpoint, counts.get(endpoint.id, 0))


async def list_endpoints(session: AsyncSession, *, cursor: str | None, limit: int) -> EndpointPage:
    repository = PostbackRepository(session)
    rows = await repository.list_endpoints(after=decode_time_position(cursor), limit=limit + 1)
    items = list(rows[:limit])
    counts = await repository.pending_counts([endpoint.id for endpoint in items])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return EndpointPage(
        items=[to_read(endpoint, counts.get(endpoint.id, 0)) for endpoint in items], next_cursor=next_cursor
    )


async def create_endpoint(
    session: AsyncSession, box: SecretBox, payload: EndpointCreate, *, allow_private: bool
) -> EndpointWithSecret:
    url = await check_url(payload.url, allow_private=allow_private)
    secret = generate_secret()
    now = utcnow()
    endpoint = PostbackEndpoint(
        id=uuid.uuid4(),
        url=url,
        description=payload.description,
        event_types=payload.events,
        customer_id=payload.customer_id,
        enabled=payload.enabled,
        secret_sealed=box.seal(secret),
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    PostbackRepository(session).add(endpoint)
    await session.flush()
    return EndpointWithSecret(**to_read(endpoint, 0).model_dump(), secret=secret)


async def update_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, payload: EndpointUpdate, *, allow_private: bool
) -> Endpoint:
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        await check_url(changes["url"], allow_private=allow_private)
    endpoint = await get_endpoint(session, endpoint_id)
    now = utcnow()
    enabled_again = changes.get("enabled") is True and not endpoint.enabled
    for name in ("url", "description", "customer_id", "enabled"):
        if name in changes:
            setattr(endpoint, name, changes[name])
    if "events" in changes:
        endpoint.event_types = changes["events"]
    if enabled_again:
        endpoint.disabled_reason = None
        for order_id in await PostbackRepository(session).pending_pairs(endpoint.id):
            await deliveries.schedule_pair(session, endpoint.id, order_id, at=now, sooner=True)
    endpoint.updated_at = now
    await session.flush()
    return await read_endpoint(session, endpoint.id)


async def delete_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    """The endpoint and its delivery log; a send job of it that is still queued finds nothing to do."""
    await PostbackRepository(session).delete(await get_endpoint(session, endpoint_id))


async def rotate_secret(session: AsyncSession, box: SecretBox, endpoint_id: uuid.UUID) -> SecretRotated:
    """A new secret signs from now on; the current one keeps signing beside it for ROTATION_OVERLAP (a
    secret of an earlier rotation stops at once)."""
    endpoint = await get_endpoint(session, endpoint_id)
    secret = generate_secret()
    now = utcnow()
    endpoint.previous_secret_sealed = endpoint.secret_sealed
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret_sealed = box.seal(secret)
    endpoint.updated_at = now
    return SecretRotated(secret=secret, previous_secret_expires_at=endpoint.previous_secret_expires_at)


async def send_test(
    db: Database, http: httpx.AsyncClient, box: SecretBox, endpoint_id: uuid.UUID, *, timeout_s: float
) -> TestPingResult:
    """A signed `postback.test` sent now (whether the endpoint is enabled or not), kept in its delivery
    log. No transaction is open while it is sent."""
    async with db.read_session() as session:
        endpoint = await get_endpoint(session, endpoint_id)
        now = utcnow()
        secrets = live_secrets(box, endpoint, now)
        url = endpoint.url
    delivery_id = uuid.uuid4()
    data = {"endpoint_id": str(endpoint_id), "message": "A test postback from Printbridge."}
    body = deliveries.body_of(TEST_EVENT_TYPE, now, data)
    outcome = await send(
        http, url=url, delivery_id=str(delivery_id), body=body.encode(), secrets=secrets, timeout_s=timeout_s
    )
    async with db.session() as session:
        endpoint = await get_endpoint(session, endpoint_id, for_update=True)
        delivery = PostbackDelivery(
            id=delivery_id,
            endpoint_id=endpoint_id,
            order_id=None,
            order_version=None,
            event_type=TEST_EVENT_TYPE,
            payload=body,
            status=DeliveryStatus.pending,
            attempts=0,
            created_at=now,
        )
        session.add(delivery)
        deliveries.note_attempt(session, endpoint, delivery, outcome, retry=False)
    return TestPingResult(
        delivery_id=delivery_id,
        delivered=outcome.delivered,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
        response_excerpt=outcome.response_excerpt,
    )


async def list_deliveries(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    *,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> DeliveryPage:
    await get_endpoint(session, endpoint_id)
    rows = await PostbackRepository(session).list_deliveries(
        endpoint_id, status=status, before=decode_time_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return DeliveryPage(items=[delivery_to_read(d) for d in items], next_cursor=next_cursor)


async def get_delivery(session: AsyncSession, delivery_id: uuid.UUID) -> PostbackDelivery:
    delivery = await PostbackRepository(session).get_delivery(delivery_id)
    if delivery is None:
        raise PostbackDeliveryNotFound(delivery_id)
    return delivery


async def redeliver(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery:
    """A delivered or failed delivery becomes pending again, due now, with a new retry window; it goes
    out in its order's turn (after a pending earlier version of the same order)."""
    delivery = await get_delivery(session, delivery_id)
    if delivery.status == DeliveryStatus.pending:
        raise DeliveryStillPending(delivery_id)
    now = utcnow()
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = now
    delivery.first_attempt_at = None
    await deliveries.schedule_pair(session, delivery.endpoint_id, delivery.order_id, at=now, sooner=True)
    await session.flush()
    return delivery_to_read(delivery)
