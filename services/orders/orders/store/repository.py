import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Store
from printbridge_shared.projections import keep_if_newer


class StoreRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, store_id: uuid.UUID) -> Store | None:
        return await self.session.get(Store, store_id)

    async def store_if_newer(self, values: dict[str, Any], *, version: int | None) -> bool:
        """Keeps the snapshot unless the one held is as new or newer: a higher `version` (the envelope's
        `aggregate_version`) or, for a snapshot without one, a later `updated_at`; False when nothing
        changed."""
        return await keep_if_newer(self.session, Store.__table__, "store_id", values, version=version)
