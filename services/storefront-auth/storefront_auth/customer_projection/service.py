from typing import TypeAlias

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated
from storefront_auth.customer_projection.repository import CustomerProjectionRepository

log = structlog.get_logger(__name__)

CustomerSnapshot: TypeAlias = CustomerCreated | CustomerUpdated | CustomerArchived


async def apply_snapshot(
    session: AsyncSession, snapshot: CustomerSnapshot, *, customer_version: int | None
) -> None:
    """Keeps the newest state seen: events can arrive out of order, so one whose `customer_version` (the
    customer's aggregate version) is not newer than the stored one changes nothing."""
    stored = await CustomerProjectionRepository(session).store_if_newer(
        {
            "customer_id": snapshot.customer_id,
            "name": snapshot.name,
            "reference_id": snapshot.reference_id,
            "archived": snapshot.archived,
            "source_updated_at": snapshot.updated_at,
        },
        source_version=customer_version,
    )
    if not stored:
        log.info("customer_snapshot_outdated", customer_id=str(snapshot.customer_id))
