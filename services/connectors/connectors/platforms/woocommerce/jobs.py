"""`order.deleted` carries only the order's id, no time to order it against other versions: the order
is fetched again, outside the webhook's request. Trashed, it comes back with status `trash` and its
modification time (→ cancelled); deleted for good (404), its last version that a webhook brought is
cancelled at the time the deletion was delivered. An order never seen has nothing to cancel."""

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.intake.jobs import DeliveredOrder, FetchDeliveredOrder
from connectors.models import ShopOrderSeen, Store, WebhookDelivery
from connectors.platforms.base import OrderVersion
from connectors.platforms.context import Platforms
from connectors.platforms.woocommerce.deliveries import ORDER_DELETED_JOB, last_known_version
from connectors.platforms.woocommerce.normalise import NotAnOrder, deleted_version
from printbridge_shared.db import Database
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import JobHandler


class RefetchDeletedOrder(FetchDeliveredOrder):
    unreadable = (NotAnOrder,)

    def order_id(self, delivery: WebhookDelivery) -> str | None:
        try:
            return str(int(json.loads(delivery.body)["id"]))
        except (ValueError, KeyError, TypeError):
            delivery.outcome, delivery.error = intake.FAILED, "order.deleted without an order id"
            return None

    async def accept(
        self, session: AsyncSession, delivery: WebhookDelivery, store: Store, prepared: DeliveredOrder
    ) -> None:
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
        self, session: AsyncSession, delivery: WebhookDelivery, prepared: DeliveredOrder
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


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {ORDER_DELETED_JOB: RefetchDeletedOrder(platforms, db, outbox)}
