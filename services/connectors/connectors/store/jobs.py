"""The stores' background work: polling each store for orders no webhook brought (and re-creating
webhook subscriptions that vanished), and removing our webhooks from a disconnected shop."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.models import Store
from connectors.platforms.base import (
    OrderVersion,
    PlatformContext,
    PlatformProblem,
    PlatformUnavailable,
    Refresh,
    StoreRef,
)
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for, polled_platforms
from connectors.store import service
from connectors.store.repository import NOT_POLLED, StoreRepository
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler, Schedule

RECONCILE_ALL = "stores.reconcile_all"
# Each poll starts this far before where the last one ended: a change the platform records late (its
# clocks, its replicas) is still found; what was already published is recognised and skipped.
POLL_OVERLAP = dt.timedelta(minutes=15)


class Tracked(Protocol):
    """A job's prepared state that keeps the credentials rotated while it talks to the platform."""

    store: StoreRef
    new_credentials: dict[str, Any] | None


def tracking_context(platforms: Platforms, db: Database, prepared: Tracked) -> PlatformContext:
    """The store's platform context, remembering in `prepared.new_credentials` every credential change
    made during the job (stored at once, as always), so that `succeeded` keeps the newest, not an older
    copy it began with or that a platform call returned earlier."""
    context = platforms.context(db, prepared.store.id)
    save = context.save_credentials

    async def save_and_remember(credentials: dict[str, Any]) -> None:
        await save(credentials)
        prepared.new_credentials = credentials

    context.save_credentials = save_and_remember
    flight = context.single_flight
    if flight is not None:

        async def refresh_and_remember(used: dict[str, Any], refresh: Refresh) -> dict[str, Any]:
            fresh = await flight(used, refresh)
            prepared.new_credentials = fresh
            return fresh

        context.single_flight = refresh_and_remember
    return context


@dataclass
class Poll:
    store: StoreRef
    credentials: dict[str, Any]
    since: dt.datetime | None
    started_at: dt.datetime
    versions: list[OrderVersion] = field(default_factory=list)
    new_credentials: dict[str, Any] | None = None
    problem: PlatformProblem | None = None


class ReconcileAll(JobHandler[None]):
    """On the schedule: one reconcile job per polled store (none while one is still open)."""

    async def prepare(self, session: AsyncSession, job: Job) -> None:
        for store_id in await StoreRepository(session).connected_ids(polled_platforms()):
            await service.enqueue_reconcile(session, store_id)
        return None


class Reconcile(JobHandler[Poll]):
    """Polls one store: webhooks first (re-created where they vanished), then every order changed since
    the last poll, each through the same intake as a webhook's."""

    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox

    async def prepare(self, session: AsyncSession, job: Job) -> Poll | None:
        store = await session.get(Store, uuid.UUID(job.payload["store_id"]))
        if store is None or store.status in NOT_POLLED or store.credentials is None:
            return None
        since = store.orders_polled_until - POLL_OVERLAP if store.orders_polled_until else None
        return Poll(
            store=service.ref(store),
            credentials=self.platforms.box.open(store.credentials),
            since=since,
            started_at=utcnow(),
        )

    async def perform(self, job: Job, prepared: Poll) -> None:
        connector = connector_for(Platform(prepared.store.platform))
        context = tracking_context(self.platforms, self.db, prepared)
        try:
            credentials = await connector.ensure_webhooks(context, prepared.store, prepared.credentials)
            if credentials != prepared.credentials:
                prepared.new_credentials = credentials
            async for version in connector.fetch_orders(context, prepared.store, credentials, prepared.since):
                prepared.versions.append(version)
        except PlatformProblem as problem:
            prepared.problem = problem
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Poll) -> None:
        store = await session.get(Store, prepared.store.id)
        if store is None or store.status == StoreStatus.disconnected:
            return
        if prepared.problem is not None:
            await service.report_problem(session, self.outbox, store, prepared.problem)
            return
        if prepared.new_credentials is not None:
            service.keep_credentials(store, self.platforms.box, prepared.new_credentials)
        for version in prepared.versions:
            await intake.accept_order(session, self.outbox, prepared.store, version)
        store.orders_polled_until = prepared.started_at
        store.last_polled_at = utcnow()
        await service.clear_problems(session, self.outbox, store)


class RemoveWebhooks(JobHandler[tuple[StoreRef, dict[str, Any]]]):
    """After a disconnect: our subscriptions are removed from the shop, then the credentials forgotten
    (also when the shop no longer lets us in: there is nothing left to remove then)."""

    max_attempts = 8

    def __init__(self, platforms: Platforms) -> None:
        self.platforms = platforms

    async def prepare(self, session: AsyncSession, job: Job) -> tuple[StoreRef, dict[str, Any]] | None:
        store = await session.get(Store, uuid.UUID(job.payload["store_id"]))
        if store is None or store.credentials is None:
            return None
        return service.ref(store), self.platforms.box.open(store.credentials)

    async def perform(self, job: Job, prepared: tuple[StoreRef, dict[str, Any]]) -> None:
        store, credentials = prepared
        try:
            await connector_for(store.platform).remove_webhooks(self.platforms.context(), store, credentials)
        except PlatformProblem:
            pass  # the shop refuses us (uninstalled, key revoked): our webhooks went with the access
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(
        self, session: AsyncSession, job: Job, prepared: tuple[StoreRef, dict[str, Any]]
    ) -> None:
        await self._forget(session, prepared[0].id)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        await self._forget(session, uuid.UUID(job.payload["store_id"]))

    async def _forget(self, session: AsyncSession, store_id: uuid.UUID) -> None:
        store = await session.get(Store, store_id)
        if store is not None and store.status == StoreStatus.disconnected:
            store.credentials = None


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {
        RECONCILE_ALL: ReconcileAll(),
        service.RECONCILE: Reconcile(platforms, db, outbox),
        service.REMOVE_WEBHOOKS: RemoveWebhooks(platforms),
    }


def schedules(interval_s: float) -> list[Schedule]:
    return [Schedule("reconcile-stores", RECONCILE_ALL, dt.timedelta(seconds=interval_s))]
