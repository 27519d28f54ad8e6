"""The intake's background work: an order of which two versions of the same second came with other
contents is fetched again, and what the shop has now is published as its next revision; and the shape
every platform's "fetch the order a delivery named" job shares (`FetchDeliveredOrder`)."""

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.models import Store, WebhookDelivery
from connectors.platforms.base import OrderVersion, PlatformProblem, PlatformUnavailable, StoreRef
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for
from connectors.store import service as stores
from printbridge_shared.db import Database
from printbridge_shared.events.contracts import StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler


@dataclass
class Refetch:
    store: StoreRef
    credentials: dict[str, Any]
    external_id: str
    version: OrderVersion | None = None


class RefetchOrder(JobHandler[Refetch]):
    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox

    async def prepare(self, session: AsyncSession, job: Job) -> Refetch | None:
        store = await session.get(Store, uuid.UUID(job.payload["store_id"]))
        if store is None or store.status == StoreStatus.disconnected or store.credentials is None:
            return None
        credentials = self.platforms.box.open(store.credentials)
        return Refetch(stores.ref(store), credentials, str(job.payload["external_id"]))

    async def perform(self, job: Job, prepared: Refetch) -> None:
        context = self.platforms.context(self.db, prepared.store.id)
        connector = connector_for(prepared.store.platform)
        try:
            prepared.version = await connector.fetch_order(
                context, prepared.store, prepared.credentials, prepared.external_id
            )
        except PlatformProblem:
            return  # the store's poll reports the problem; the next version that arrives is published
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Refetch) -> None:
        if prepared.version is not None:
            await intake.accept_order(session, self.outbox, prepared.store, prepared.version, current=True)


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {intake.REFETCH_ORDER: RefetchOrder(platforms, db, outbox)}


@dataclass
class DeliveredOrder:
    """A kept webhook delivery whose order is fetched through the platform's API (the delivery named it
    but did not carry a version to publish)."""

    delivery_id: uuid.UUID
    store: StoreRef
    credentials: dict[str, Any]
    order_id: str
    version: OrderVersion | None = None
    problem: PlatformProblem | None = None
    error: str | None = None


class FetchDeliveredOrder(JobHandler[DeliveredOrder], ABC):
    """The common shape of a platform's "fetch the order this delivery named" job (payload
    `delivery_id`): the order fetched outside the delivery's request, the delivery's outcome set to what
    became of it. A platform says how the delivery names its order (`order_id`), what its normaliser
    raises for an unreadable order (`unreadable`) and what to do with the fetched version (`accept`)."""

    unreadable: tuple[type[Exception], ...] = ()
    platform_name = "the shop"

    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox

    @abstractmethod
    def order_id(self, delivery: WebhookDelivery) -> str | None:
        """The order the delivery names; None when it names none (the delivery's outcome says why)."""

    @abstractmethod
    async def accept(
        self, session: AsyncSession, delivery: WebhookDelivery, store: Store, prepared: DeliveredOrder
    ) -> None:
        """Publishes what was fetched and sets the delivery's outcome."""

    async def prepare(self, session: AsyncSession, job: Job) -> DeliveredOrder | None:
        delivery = await session.get(WebhookDelivery, uuid.UUID(job.payload["delivery_id"]))
        if delivery is None:
            return None
        store = await session.get(Store, delivery.store_id)
        if store is None or store.status == StoreStatus.disconnected or store.credentials is None:
            return None
        order_id = self.order_id(delivery)
        if order_id is None:
            return None
        credentials = self.platforms.box.open(store.credentials)
        return DeliveredOrder(delivery.id, stores.ref(store), credentials, order_id)

    async def perform(self, job: Job, prepared: DeliveredOrder) -> None:
        context = self.platforms.context(self.db, prepared.store.id)
        connector = connector_for(prepared.store.platform)
        try:
            prepared.version = await connector.fetch_order(
                context, prepared.store, prepared.credentials, prepared.order_id
            )
        except PlatformProblem as problem:
            prepared.problem = problem
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None
        except self.unreadable as exc:
            prepared.error = f"the order as {self.platform_name} has it now is unreadable: {exc}"

    async def succeeded(self, session: AsyncSession, job: Job, prepared: DeliveredOrder) -> None:
        delivery = await session.get(WebhookDelivery, prepared.delivery_id)
        store = await session.get(Store, prepared.store.id)
        if delivery is None or store is None or store.status == StoreStatus.disconnected:
            return
        if prepared.problem is not None:
            await stores.report_problem(session, self.outbox, store, prepared.problem)
            delivery.outcome, delivery.error = intake.FAILED, prepared.problem.message
            return
        if prepared.error is not None:
            delivery.outcome, delivery.error = intake.FAILED, prepared.error
            return
        await self.accept(session, delivery, store, prepared)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        delivery = await session.get(WebhookDelivery, uuid.UUID(job.payload["delivery_id"]))
        if delivery is not None:
            delivery.outcome = intake.FAILED
            delivery.error = f"the order could not be fetched: {reason}; the next poll looks again"
