"""`order.deleted` carries only the order's id, no time to order it against other versions: the order
is fetched again, outside the webhook's request. Trashed, it comes back with status `trash` and its
modification time (→ cancelled); deleted for good (404), its last version that a webhook brought is
cancelled at the time the deletion was delivered. An order never seen has nothing to cancel."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.models import ShopOrderSeen, Store, WebhookDelivery
from connectors.platforms.base import OrderVersion, PlatformProblem, PlatformUnavailable, StoreRef
from connectors.platforms.context import Platforms
from connectors.platforms.woocommerce.connector import WooCommerceConnector
from connectors.platforms.woocommerce.deliveries import ORDER_DELETED_JOB, last_known_version
from connectors.platforms.woocommerce.normalise import NotAnOrder, deleted_version
from connectors.store import service as stores
from printbridge_shared.db import Database
from printbridge_shared.events.contracts import StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler


@dataclass
class DeletedOrder:
    delivery_id: uuid.UUID
    store: StoreRef
    credentials: dict[str, Any]
    order_id: str
    version: OrderVersion | None = None
    problem: PlatformProblem | None = None
    error: str | None = None


class RefetchDeletedOrder(JobHandler[DeletedOrder]):
    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox
        self.connector = WooCommerceConnector()

    async def prepare(self, session: AsyncSession, job: Job) -> DeletedOrder | None:
        delivery = await session.get(WebhookDelivery, uuid.UUID(job.payload["delivery_id"]))
        if delivery is None:
            return None
        store = await session.get(Store, delivery.store_id)
        if store is None or store.status == StoreStatus.disconnected or store.credentials is None:
            return None
        try:
            order_id = str(int(json.loads(delivery.body)["id"]))
        except (ValueError, KeyError, TypeError):
            delivery.outcome, delivery.error = intake.FAILED, "order.deleted without an order id"
            return None
        return DeletedOrder(
            delivery_id=delivery.id,
            store=stores.ref(store),
            credentials=self.platforms.box.open(store.credentials),
            order_id=order_id,
        )

    async def perform(self, job: Job, prepared: DeletedOrder) -> None:
        context = self.platforms.context(self.db, prepared.store.id)
        try:
            prepared.version = await self.connector.fetch_order(
                context, prepared.store, prepared.credentials, prepared.order_id
            )
        except PlatformProblem as problem:
            prepared.problem = problem
        except NotAnOrder as exc:
            prepared.error = f"the order as the shop has it now is unreadable: {exc}"
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(self, session: AsyncSession, job: Job, prepared: DeletedOrder) -> None:
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
        version = prepared.version
        fetched = version is not None  # what the shop has now, not a delivery's copy
        if version is None:
            version = await self._gone(session, delivery, prepared)
            if version is None:
                return
        delivery.outcome = await intake.accept_order(
            session, self.outbox, prepared.store, version, current=fetched
        )

    async def _gone(
        self, session: AsyncSession, delivery: WebhookDelivery, prepared: DeletedOrder
    ) -> OrderVersion | None:
        last = await last_known_version(session, prepared.store.id, prepared.order_id)
        if last is not None:
            return deleted_version(last, delivery.received_at)
        seen = await session.get(ShopOrderSeen, (prepared.store.id, prepared.order_id))
        if seen is None:
            delivery.outcome = intake.IGNORED
            delivery.error = "deleted in the shop before Printbridge saw it: nothing to cancel"
        else:
            delivery.outcome = intake.FAILED
            delivery.error = (
                "deleted for good in the shop, and no copy of the order is kept to publish its "
                "cancellation (it was only polled); cancel it in Printbridge by hand"
            )
        return None

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        delivery = await session.get(WebhookDelivery, uuid.UUID(job.payload["delivery_id"]))
        if delivery is not None:
            delivery.outcome, delivery.error = (
                intake.FAILED,
                f"the order could not be fetched again: {reason}",
            )


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {ORDER_DELETED_JOB: RefetchDeletedOrder(platforms, db, outbox)}
