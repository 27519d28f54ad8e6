"""The intake's background work: an order of which two versions of the same second came with other
contents is fetched again, and what the shop has now is published as its next revision."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.models import Store
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
