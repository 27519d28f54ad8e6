"""Order intake: a platform's delivery is kept once per change, and each order version becomes one
`shop_order.*` event — the first version `received`, a newer one `updated`, a cancellation `cancelled`;
a version no newer than one already published (a repeat, a late delivery, a poll that finds what a
webhook brought) publishes nothing."""

import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import ShopOrderSeen, WebhookDelivery
from connectors.platforms.base import OrderVersion, StoreRef
from printbridge_shared.db import upsert_insert, utcnow
from printbridge_shared.events.contracts import ShopOrderCancelled, ShopOrderReceived, ShopOrderUpdated
from printbridge_shared.events.outbox import Outbox

PUBLISHED, STALE, IGNORED, FAILED = "published", "stale", "ignored", "failed"


async def record_delivery(
    session: AsyncSession,
    store_id: uuid.UUID,
    platform: str,
    topic: str,
    change_key: str,
    headers: dict[str, str],
    body: bytes,
) -> WebhookDelivery | None:
    """Keeps the delivery as it arrived; None when this change was delivered before (nothing is written)."""
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
        "outcome": IGNORED,
    }
    table = WebhookDelivery.__table__
    statement = upsert_insert(session.get_bind().dialect.name, table).values(**values)
    result = await session.execute(
        statement.on_conflict_do_nothing(index_elements=["store_id", "change_key"])
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return None
    return await session.get(WebhookDelivery, delivery_id)


async def accept_order(session: AsyncSession, outbox: Outbox, store: StoreRef, version: OrderVersion) -> str:
    """Publishes the order version unless one at least as new was published (a cancellation is news even
    at the same time). Race-free across replicas: the insert or the conditional update decides."""
    table = ShopOrderSeen.__table__
    insert = upsert_insert(session.get_bind().dialect.name, table).values(
        store_id=store.id,
        external_id=version.external_id,
        source_updated_at=version.source_updated_at,
        cancelled=version.cancelled,
    )
    inserted = await session.execute(
        insert.on_conflict_do_nothing(index_elements=["store_id", "external_id"])
    )
    first = cast(CursorResult[Any], inserted).rowcount == 1
    if not first:
        newer = table.c.source_updated_at < version.source_updated_at
        changes: dict[str, Any] = {"source_updated_at": version.source_updated_at}
        if version.cancelled:
            same_time_cancel = and_(
                table.c.source_updated_at == version.source_updated_at, table.c.cancelled.is_(False)
            )
            newer = or_(newer, same_time_cancel)
            changes["cancelled"] = True
        result = await session.execute(
            update(table)
            .where(table.c.store_id == store.id, table.c.external_id == version.external_id, newer)
            .values(**changes)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            return STALE
    fields = {
        **version.fields,
        "store_id": store.id,
        "customer_id": store.customer_id,
        "platform": store.platform,
    }
    if version.cancelled:
        data: ShopOrderReceived | ShopOrderUpdated | ShopOrderCancelled = ShopOrderCancelled(
            **fields, cancel_reason=version.cancel_reason
        )
    elif first:
        data = ShopOrderReceived(**fields)
    else:
        data = ShopOrderUpdated(**fields)
    await outbox.record(session, data, customer_id=store.customer_id)
    return PUBLISHED
