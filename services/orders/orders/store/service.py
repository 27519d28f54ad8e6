"""The stores projection: what orders knows of connectors' stores (owner, platform, name, health)."""

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.store.repository import StoreRepository
from printbridge_shared.events.contracts import StoreConnected, StoreDisconnected, StoreUpdated

log = structlog.get_logger(__name__)


async def record_snapshot(
    session: AsyncSession, data: StoreConnected | StoreUpdated | StoreDisconnected, *, version: int | None
) -> bool:
    """Keeps the snapshot unless the one held is as new or newer; True when it was kept."""
    values = data.model_dump()  # the snapshot's fields are the projection's columns
    kept = await StoreRepository(session).store_if_newer(values, version=version)
    if not kept:
        log.info("store_snapshot_outdated", store_id=str(data.store_id), version=version)
    return kept
