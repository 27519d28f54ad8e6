"""Order intake: a platform's delivery is kept once per change, and each order version becomes one
`shop_order.*` event — the first version `received`, a newer one `updated`, a cancellation `cancelled`;
a version no newer than one already published (a repeat, a late delivery, a poll that finds what a
webhook brought) publishes nothing."""

import functools
import hashlib
import json
import uuid
from typing import Any, TypeAlias, cast

import structlog
from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.credentials import CredentialBox, CredentialsUnreadable
from connectors.models import ShopOrderSeen, Store, WebhookDelivery, jobs
from connectors.platforms.base import OrderVersion, StoreRef
from printbridge_shared import jobs as job_queue
from printbridge_shared.db import upsert_insert, utcnow
from printbridge_shared.events.contracts import (
    Platform,
    ShopOrderCancelled,
    ShopOrderReceived,
    ShopOrderUpdated,
)
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

PUBLISHED, STALE, IGNORED, FAILED = "published", "stale", "ignored", "failed"
# A version of the same second as the one published but with other contents: which is newer, only the
# platform can say; the order is fetched again (a job) and what the platform has now is published.
REFETCHING = "refetching"
REFETCH_ORDER = "intake.refetch_order"


async def store_and_secret(
    session: AsyncSession, box: CredentialBox, store_id: str, platform: Platform, secret_key: str
) -> tuple[Store, str] | None:
    """The store a delivery's address names (`/v1/webhooks/<platform>/{store_id}`) and the secret its
    credentials keep under `secret_key`, to check the delivery's signature with; None when the store is
    unknown, of another platform, without credentials or a secret, or its credentials cannot be read."""
    try:
        store = await session.get(Store, uuid.UUID(store_id))
    except ValueError:
        return None
    if store is None or store.platform != platform or store.credentials is None:
        return None
    try:
        secret = box.open(store.credentials).get(secret_key)
    except CredentialsUnreadable:
        log.error("webhook_credentials_unreadable", store_id=store_id, platform=platform)
        return None
    return (store, secret) if isinstance(secret, str) else None


def fingerprint(version: OrderVersion) -> str:
    """What a version says, as a hash: two versions of the same second are told apart by it."""
    content = json.dumps(
        [version.fields, version.cancelled, version.cancel_reason], sort_keys=True, default=str
    )
    return hashlib.sha256(content.encode()).hexdigest()


async def keep_delivery(
    session: AsyncSession,
    store_id: uuid.UUID,
    platform: str,
    topic: str,
    change_key: str,
    headers: dict[str, str],
    body: bytes,
    *,
    outcome: str = IGNORED,
    error: str | None = None,
) -> uuid.UUID | None:
    """Keeps the delivery as it arrived, with what became of it, in one statement that also dedupes: the
    new row's id, or None when this change was delivered before (nothing is written)."""
    delivery_id = uuid.uuid4()
    values = {
        "id": delivery_id,
        "store_id": store_id,
        "platform": platform,
        "topic": topic,
        "change_key": change_key[:200],
        "headers": headers,
        "body": body,
        "received_at": utcnow(),
        "outcome": outcome,
        "error": error,
    }
    result = await session.execute(_keep_statement(session.get_bind().dialect.name), values)
    if cast(CursorResult[Any], result).rowcount != 1:
        return None
    return delivery_id


@functools.cache
def _keep_statement(dialect: str) -> Any:
    """keep_delivery's insert, built once per dialect (its values are the execution's parameters)."""
    table = WebhookDelivery.__table__
    return upsert_insert(dialect, table).on_conflict_do_nothing(index_elements=["store_id", "change_key"])


async def set_outcome(
    session: AsyncSession, delivery_id: uuid.UUID, outcome: str, error: str | None = None
) -> None:
    table = WebhookDelivery.__table__
    statement = update(table).where(table.c.id == delivery_id)  # type: ignore[arg-type]
    await session.execute(statement.values(outcome=outcome, error=error))


OrderEvent: TypeAlias = ShopOrderReceived | ShopOrderUpdated | ShopOrderCancelled


def order_event(store: StoreRef, version: OrderVersion, *, first: bool = True) -> OrderEvent:
    """The event that publishes this version (received when `first`, else updated; cancelled either way).
    Raises pydantic's ValidationError when the version does not make a valid event."""
    fields = {
        **version.fields,
        "store_id": store.id,
        "customer_id": store.customer_id,
        "platform": store.platform,
    }
    event: OrderEvent
    if version.cancelled:
        event = ShopOrderCancelled(**fields, cancel_reason=version.cancel_reason)
    elif first:
        event = ShopOrderReceived(**fields)
    else:
        event = ShopOrderUpdated(**fields)
    return event


async def accept_order(
    session: AsyncSession,
    outbox: Outbox,
    store: StoreRef,
    version: OrderVersion,
    *,
    event: OrderEvent | None = None,
    current: bool = False,
) -> str:
    """Publishes the order version unless one at least as new was published (a cancellation is news even
    at the same time). Race-free across replicas: the insert or the conditional update decides. The event
    is built (validated) before anything is written: a version that makes no valid event raises
    ValidationError with nothing written. `event`: `order_event(store, version)` built by the caller.

    A version of the same second as the one published, with other contents, is ambiguous: the order is
    fetched again (`REFETCHING`), and that fetch comes back with `current` (what the platform has now),
    which is published as the next revision."""
    data = event if event is not None else order_event(store, version)
    table = ShopOrderSeen.__table__
    print_ = fingerprint(version)
    insert = upsert_insert(session.get_bind().dialect.name, table).values(
        store_id=store.id,
        external_id=version.external_id,
        source_updated_at=version.source_updated_at,
        cancelled=version.cancelled,
        fingerprint=print_,
        revision=1,
    )
    inserted = await session.execute(
        insert.on_conflict_do_nothing(index_elements=["store_id", "external_id"])
    )
    first = cast(CursorResult[Any], inserted).rowcount == 1
    if not first:
        same_time = table.c.source_updated_at == version.source_updated_at
        newer = table.c.source_updated_at < version.source_updated_at
        changes: dict[str, Any] = {
            "source_updated_at": version.source_updated_at,
            "fingerprint": print_,
            "revision": table.c.revision + 1,
        }
        if version.cancelled:
            newer = or_(newer, and_(same_time, table.c.cancelled.is_(False)))
            changes["cancelled"] = True
        if current:
            newer = or_(newer, and_(same_time, table.c.fingerprint != print_))
        this_order = and_(table.c.store_id == store.id, table.c.external_id == version.external_id)
        revision = await session.scalar(
            update(table).where(this_order, newer).values(**changes).returning(table.c.revision)
        )
        if revision is None:
            if not current and await _same_second_other_contents(session, store, version, print_):
                await enqueue_refetch(session, store, version.external_id)
                return REFETCHING
            return STALE
        if not version.cancelled:
            data = order_event(store, version, first=False)
        data = data.model_copy(update={"revision": revision})
    await outbox.record(session, data, customer_id=store.customer_id)
    return PUBLISHED


async def _same_second_other_contents(
    session: AsyncSession, store: StoreRef, version: OrderVersion, print_: str
) -> bool:
    table = ShopOrderSeen.__table__
    seen = (
        await session.execute(
            select(table.c.source_updated_at, table.c.fingerprint).where(
                table.c.store_id == store.id, table.c.external_id == version.external_id
            )
        )
    ).one_or_none()
    return (
        seen is not None
        and seen.source_updated_at == version.source_updated_at
        and seen.fingerprint != print_
    )


async def enqueue_refetch(session: AsyncSession, store: StoreRef, external_id: str) -> None:
    key = f"{REFETCH_ORDER}:{store.id}:{external_id}"
    payload = {"store_id": str(store.id), "external_id": external_id}
    await job_queue.enqueue(session, jobs, REFETCH_ORDER, payload, unique_key=key[:200])
