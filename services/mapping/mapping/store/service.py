"""The stores projection: what mapping knows of connectors' stores (owner, platform, name, health)."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import Store
from printbridge_shared.events.contracts import StoreConnected, StoreDisconnected, StoreUpdated
from printbridge_shared.projections import keep_if_newer


async def record_snapshot(
    session: AsyncSession, data: StoreConnected | StoreUpdated | StoreDisconnected, *, version: int | None
) -> bool:
    """Keeps the snapshot unless the one held is as new or newer; True when it was kept."""
    values = data.model_dump()  # the snapshot's fields are the projection's columns
    return await keep_if_newer(session, Store.__table__, "store_id", values, version=version)


async def get(session: AsyncSession, store_id: uuid.UUID) -> Store | None:
    return await session.get(Store, store_id)
