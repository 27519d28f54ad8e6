"""Shop products: each product the platforms give us becomes one `shop_product.synced` event when it
says something new (a sync that finds nothing changed publishes nothing), and `shop_product.removed`
when the shop no longer has it. The mapping service keeps its copy from those events (docs/events.md).

A product's events carry an aggregate id made from its store and external id and a version that grows
with every event of it (`revision`), so a consumer keeps the newest whatever order they arrive in."""

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import ShopProductSeen, Store, jobs
from connectors.platforms.base import ProductVersion, StoreRef
from connectors.platforms.registry import connector_for
from printbridge_shared import jobs as job_queue
from printbridge_shared.db import upsert_insert, utcnow
from printbridge_shared.events.contracts import (
    ShopProductRemoved,
    ShopProductSynced,
    StoreProductSyncRequested,
    StoreStatus,
)
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

SYNC_PRODUCTS = "products.sync"
FETCH_PRODUCT = "products.fetch"
SYNC_ALL = "products.sync_all"
PUBLISHED, UNCHANGED, STALE = "published", "unchanged", "stale"
_AGGREGATES = uuid.UUID("1b6c7c56-8f0a-4a43-9a1e-6d3f3c0e5a10")


def product_aggregate(store_id: uuid.UUID, external_id: str) -> uuid.UUID:
    """The product's aggregate id in events: the same for every event of one product of one store."""
    return uuid.uuid5(_AGGREGATES, f"{store_id}:{external_id}")


def fingerprint(version: ProductVersion) -> str:
    """What a version says, as a hash (its modification time aside): a sync that reads a product whose
    time moved but whose contents did not publishes nothing."""
    content = dataclasses.asdict(version)
    content.pop("source_updated_at")
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def synced_event(store: StoreRef, version: ProductVersion, revision: int) -> ShopProductSynced:
    return ShopProductSynced(
        store_id=store.id,
        customer_id=store.customer_id,
        platform=store.platform,
        external_id=version.external_id,
        title=version.title,
        handle=version.handle,
        product_type=version.product_type,
        active=version.active,
        platform_status=version.platform_status,
        variants=version.variants,
        source_updated_at=version.source_updated_at,
        revision=revision,
    )


async def accept_product(
    session: AsyncSession, outbox: Outbox, store: StoreRef, version: ProductVersion
) -> tuple[str, int]:
    """Publishes the version unless it says what was published last, or is older than that (a late
    webhook, a slow sync). Returns what happened and the product's revision now.

    A product seen for the first time is inserted with "do nothing on conflict": two transactions that
    see it at once (a sync and a publish, or two replicas) cannot both insert it; the one that did not
    waits for the other's commit and then reads its row like any later version."""
    print_ = fingerprint(version)
    now = utcnow()
    table = ShopProductSeen.__table__
    first_sighting = await session.scalar(
        upsert_insert(session.get_bind().dialect.name, table)
        .values(
            store_id=store.id,
            external_id=version.external_id,
            source_updated_at=version.source_updated_at,
            fingerprint=print_,
            revision=1,
            removed=False,
            last_seen_at=now,
        )
        .on_conflict_do_nothing(index_elements=[table.c.store_id, table.c.external_id])
        .returning(table.c.revision)
    )
    seen = await session.get(
        ShopProductSeen,
        (store.id, version.external_id),
        with_for_update=True,
        populate_existing=True,
    )
    assert seen is not None
    if first_sighting is None:
        seen.last_seen_at = now
        if version.source_updated_at < seen.source_updated_at:
            return STALE, seen.revision
        if seen.fingerprint == print_ and not seen.removed:
            seen.source_updated_at = version.source_updated_at
            return UNCHANGED, seen.revision
        seen.source_updated_at = version.source_updated_at
        seen.fingerprint = print_
        seen.removed = False
        seen.revision += 1
    await outbox.record(
        session,
        synced_event(store, version, seen.revision),
        customer_id=store.customer_id,
        aggregate_id=product_aggregate(store.id, version.external_id),
        aggregate_version=seen.revision,
    )
    return PUBLISHED, seen.revision


async def remove_product(
    session: AsyncSession,
    outbox: Outbox,
    store: StoreRef,
    external_id: str,
    removed_at: dt.datetime | None = None,
) -> bool:
    """The shop no longer has the product: `shop_product.removed`, once. False when it was removed
    before (or never published: nothing to remove)."""
    seen = await session.get(ShopProductSeen, (store.id, external_id), with_for_update=True)
    if seen is None or seen.removed:
        return False
    seen.removed = True
    seen.revision += 1
    seen.fingerprint = None
    await outbox.record(
        session,
        ShopProductRemoved(
            store_id=store.id,
            customer_id=store.customer_id,
            platform=store.platform,
            external_id=external_id,
            removed_at=removed_at or utcnow(),
            revision=seen.revision,
        ),
        customer_id=store.customer_id,
        aggregate_id=product_aggregate(store.id, external_id),
        aggregate_version=seen.revision,
    )
    return True


async def remove_unseen(
    session: AsyncSession, outbox: Outbox, store: StoreRef, present: Iterable[str]
) -> int:
    """After a full sync: every product published before that the shop did not list is removed."""
    table = ShopProductSeen.__table__
    known = await session.scalars(
        select(table.c.external_id).where(table.c.store_id == store.id, table.c.removed.is_(False))
    )
    gone = set(known) - set(present)
    for external_id in sorted(gone):
        await remove_product(session, outbox, store, external_id)
    return len(gone)


async def enqueue_sync(session: AsyncSession, store_id: uuid.UUID, *, full: bool) -> None:
    """A sync of the store's products soon: the changes since the last one, or with `full` all of them
    (and the removed ones found). One of each kind is open per store at a time."""
    kind = "full" if full else "changes"
    await job_queue.enqueue(
        session,
        jobs,
        SYNC_PRODUCTS,
        {"store_id": str(store_id), "full": full},
        unique_key=f"{SYNC_PRODUCTS}:{store_id}:{kind}",
    )


async def sync_requested(session: AsyncSession, data: StoreProductSyncRequested) -> bool:
    """Mapping asked for a sync: queued for a connected store of a platform with products; False (and a
    log line) when there is nothing to sync."""
    store = await session.get(Store, data.store_id)
    if (
        store is None
        or store.status != StoreStatus.connected
        or not connector_for(store.platform).syncs_products
    ):
        log.info("product_sync_not_possible", store_id=str(data.store_id))
        return False
    await enqueue_sync(session, store.id, full=data.full)
    return True


async def enqueue_fetch(session: AsyncSession, store_id: uuid.UUID, external_id: str) -> None:
    """One product read again from the shop soon (a product webhook said it changed): what the shop has
    then is published, so a burst of deliveries for one product costs one call."""
    key = f"{FETCH_PRODUCT}:{store_id}:{external_id}"
    payload: dict[str, Any] = {"store_id": str(store_id), "external_id": external_id}
    await job_queue.enqueue(session, jobs, FETCH_PRODUCT, payload, unique_key=key[:200])
