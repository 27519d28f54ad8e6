"""Product sync as background work: a store's products read from its shop (the changes since the last
sync, or all of them), one product read again when a webhook says it changed, and the schedule that
keeps every store in step. Every platform call happens in `perform`, outside any transaction; what was
read is published in `succeeded`, through `products.service`."""

import datetime as dt
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import Store
from connectors.platforms.base import (
    PlatformConnector,
    PlatformContext,
    PlatformProblem,
    PlatformUnavailable,
    ProductVersion,
    StoreRef,
)
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for, product_platforms
from connectors.products import publish
from connectors.products import service as products
from connectors.store import service as stores
from connectors.store.jobs import tracking_context
from connectors.store.repository import StoreRepository
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler, Schedule

# Each sync of changes asks from this far before where the last one started: a change the platform
# records late is still found; what was published already is recognised and skipped.
SYNC_OVERLAP = dt.timedelta(minutes=15)
# How old the last full read of a store's products may be before the schedule makes the next sync a
# full one (that is how products deleted in a shop without a deletion webhook are found).
FULL_SYNC_EVERY = dt.timedelta(hours=24)


@dataclass
class Reading:
    store: StoreRef
    credentials: dict[str, Any]
    started_at: dt.datetime
    since: dt.datetime | None = None
    full: bool = False
    external_id: str | None = None
    versions: list[ProductVersion] = field(default_factory=list)
    gone: bool = False
    new_credentials: dict[str, Any] | None = None
    problem: PlatformProblem | None = None


async def _reading(platforms: Platforms, session: AsyncSession, job: Job) -> tuple[Store, Reading] | None:
    store = await session.get(Store, uuid.UUID(job.payload["store_id"]))
    if (
        store is None
        or store.status != StoreStatus.connected
        or store.credentials is None
        or not connector_for(store.platform).syncs_products
    ):
        return None
    reading = Reading(
        store=stores.ref(store), credentials=platforms.box.open(store.credentials), started_at=utcnow()
    )
    return store, reading


class _ProductJob(JobHandler[Reading], ABC):
    # A change announced while the shop is being read may come after what the read saw: it gets a read
    # of its own.
    unique_while_queued = True

    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox

    async def perform(self, job: Job, prepared: Reading) -> None:
        connector = connector_for(prepared.store.platform)
        context = tracking_context(self.platforms, self.db, prepared)
        try:
            await self.read(connector, context, prepared)
        except PlatformProblem as problem:
            prepared.problem = problem
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    @abstractmethod
    async def read(self, connector: PlatformConnector, context: PlatformContext, prepared: Reading) -> None:
        """The platform calls: what was read goes into `prepared`."""

    async def _store_after(self, session: AsyncSession, prepared: Reading) -> Store | None:
        """The store, with the credentials rotated during the read kept; None when it was disconnected
        meanwhile or the read found a problem (reported on the store then)."""
        store = await session.get(Store, prepared.store.id)
        if store is None or store.status == StoreStatus.disconnected:
            return None
        if prepared.new_credentials is not None:
            stores.keep_credentials(store, self.platforms.box, prepared.new_credentials)
        if prepared.problem is not None:
            await stores.report_problem(session, self.outbox, store, prepared.problem)
            return None
        return store


class SyncProducts(_ProductJob):
    """Reads a store's products: with `full` all of them (those no longer listed are removed), else the
    ones changed since the last sync."""

    async def prepare(self, session: AsyncSession, job: Job) -> Reading | None:
        found = await _reading(self.platforms, session, job)
        if found is None:
            return None
        store, reading = found
        reading.full = bool(job.payload.get("full")) or store.products_synced_until is None
        if not reading.full and store.products_synced_until is not None:
            reading.since = store.products_synced_until - SYNC_OVERLAP
        return reading

    async def read(self, connector: PlatformConnector, context: PlatformContext, prepared: Reading) -> None:
        async for version in connector.fetch_products(
            context, prepared.store, prepared.credentials, prepared.since
        ):
            prepared.versions.append(version)

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Reading) -> None:
        store = await self._store_after(session, prepared)
        if store is None:
            return
        for version in prepared.versions:
            await products.accept_product(session, self.outbox, prepared.store, version)
        if prepared.full:
            present = [version.external_id for version in prepared.versions]
            await products.remove_unseen(session, self.outbox, prepared.store, present)
            store.products_full_synced_at = prepared.started_at
        store.products_synced_until = prepared.started_at


class FetchProduct(_ProductJob):
    """Reads one product again (a webhook said it changed or went): what the shop has now is published,
    or its removal when the shop no longer has it."""

    async def prepare(self, session: AsyncSession, job: Job) -> Reading | None:
        found = await _reading(self.platforms, session, job)
        if found is None:
            return None
        reading = found[1]
        reading.external_id = str(job.payload["external_id"])
        return reading

    async def read(self, connector: PlatformConnector, context: PlatformContext, prepared: Reading) -> None:
        assert prepared.external_id is not None
        version = await connector.fetch_product(
            context, prepared.store, prepared.credentials, prepared.external_id
        )
        if version is None:
            prepared.gone = True
        else:
            prepared.versions.append(version)

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Reading) -> None:
        if await self._store_after(session, prepared) is None:
            return
        assert prepared.external_id is not None
        if prepared.gone:
            await products.remove_product(session, self.outbox, prepared.store, prepared.external_id)
        for version in prepared.versions:
            await products.accept_product(session, self.outbox, prepared.store, version)


class SyncAll(JobHandler[None]):
    """On the schedule: a sync of every connected store that has products; a full one where the last
    full read is older than `FULL_SYNC_EVERY`."""

    async def prepare(self, session: AsyncSession, job: Job) -> None:
        due = utcnow() - FULL_SYNC_EVERY
        for store in await StoreRepository(session).connected(product_platforms()):
            full = store.products_full_synced_at is None or store.products_full_synced_at < due
            await products.enqueue_sync(session, store.id, full=full)
        return None


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {
        products.SYNC_PRODUCTS: SyncProducts(platforms, db, outbox),
        products.FETCH_PRODUCT: FetchProduct(platforms, db, outbox),
        products.SYNC_ALL: SyncAll(),
        publish.PUBLISH_PRODUCT: publish.PublishProduct(platforms, db, outbox),
    }


def schedules(interval_s: float) -> list[Schedule]:
    return [Schedule("sync-store-products", products.SYNC_ALL, dt.timedelta(seconds=interval_s))]
