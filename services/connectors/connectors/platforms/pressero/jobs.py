"""A webhook's order pulled through the API, outside the delivery's request: the order as Pressero has
it now (details + items), published through the intake with its approved items (`current`: a version
of the same second with other contents is news, since it is what the API says now)."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.models import Store, WebhookDelivery
from connectors.platforms.base import OrderVersion, PlatformProblem, PlatformUnavailable, StoreRef
from connectors.platforms.context import Platforms
from connectors.platforms.pressero.client import lower_keys
from connectors.platforms.pressero.connector import PresseroConnector
from connectors.platforms.pressero.deliveries import PULL_ORDER_JOB, order_number
from connectors.platforms.pressero.normalise import NotAnOrder
from connectors.store import service as stores
from printbridge_shared.db import Database
from printbridge_shared.events.contracts import StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler

NOTHING_APPROVED = "nothing to publish: no approved item yet (or the order is not this site's)"


@dataclass
class Pull:
    delivery_id: uuid.UUID
    store: StoreRef
    credentials: dict[str, Any]
    order_number: str
    version: OrderVersion | None = None
    problem: PlatformProblem | None = None
    error: str | None = None


class PullOrder(JobHandler[Pull]):
    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox
        self.connector = PresseroConnector()

    async def prepare(self, session: AsyncSession, job: Job) -> Pull | None:
        delivery = await session.get(WebhookDelivery, uuid.UUID(job.payload["delivery_id"]))
        if delivery is None:
            return None
        store = await session.get(Store, delivery.store_id)
        if store is None or store.status == StoreStatus.disconnected or store.credentials is None:
            return None
        number = order_number(lower_keys(json.loads(delivery.body)))
        if number is None:
            return None
        return Pull(delivery.id, stores.ref(store), self.platforms.box.open(store.credentials), number)

    async def perform(self, job: Job, prepared: Pull) -> None:
        context = self.platforms.context(self.db, prepared.store.id)
        try:
            prepared.version = await self.connector.fetch_order(
                context, prepared.store, prepared.credentials, prepared.order_number
            )
        except PlatformProblem as problem:
            prepared.problem = problem
        except NotAnOrder as exc:
            prepared.error = f"the order as Pressero has it is unreadable: {exc}"
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Pull) -> None:
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
        if prepared.version is None:
            delivery.outcome, delivery.error = intake.IGNORED, NOTHING_APPROVED
            return
        delivery.outcome = await intake.accept_order(
            session, self.outbox, prepared.store, prepared.version, current=True
        )
        await stores.clear_problems(session, self.outbox, store)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        delivery = await session.get(WebhookDelivery, uuid.UUID(job.payload["delivery_id"]))
        if delivery is not None:
            delivery.outcome = intake.FAILED
            delivery.error = f"the order could not be pulled: {reason}; the next poll looks again"


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {PULL_ORDER_JOB: PullOrder(platforms, db, outbox)}
