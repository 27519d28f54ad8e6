"""A webhook's order pulled through the API, outside the delivery's request: the order as Pressero has
it now (details + items), published through the intake with its approved items (`current`: a version
of the same second with other contents is news, since it is what the API says now)."""

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.intake.jobs import DeliveredOrder, FetchDeliveredOrder
from connectors.models import Store, WebhookDelivery
from connectors.platforms.context import Platforms
from connectors.platforms.pressero.client import lower_keys
from connectors.platforms.pressero.deliveries import PULL_ORDER_JOB, order_number
from connectors.platforms.pressero.normalise import NotAnOrder
from connectors.store import service as stores
from printbridge_shared.db import Database
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import JobHandler

NOTHING_APPROVED = "nothing to publish: no approved item yet (or the order is not this site's)"


class PullOrder(FetchDeliveredOrder):
    unreadable = (NotAnOrder,)
    platform_name = "Pressero"

    def order_id(self, delivery: WebhookDelivery) -> str | None:
        return order_number(lower_keys(json.loads(delivery.body)))

    async def accept(
        self, session: AsyncSession, delivery: WebhookDelivery, store: Store, prepared: DeliveredOrder
    ) -> None:
        if prepared.version is None:
            delivery.outcome, delivery.error = intake.IGNORED, NOTHING_APPROVED
            return
        delivery.outcome = await intake.accept_order(
            session, self.outbox, prepared.store, prepared.version, current=True
        )
        await stores.clear_problems(session, self.outbox, store)


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {PULL_ORDER_JOB: PullOrder(platforms, db, outbox)}
