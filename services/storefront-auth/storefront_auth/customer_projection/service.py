from typing import TypeAlias

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated
from storefront_auth.customer_projection.repository import CustomerProjectionRepository
from storefront_auth.models import CustomerProjection

log = structlog.get_logger(__name__)

CustomerSnapshot: TypeAlias = CustomerCreated | CustomerUpdated | CustomerArchived


async def apply_snapshot(session: AsyncSession, snapshot: CustomerSnapshot) -> None:
    """Keeps the newest state seen: events can arrive out of order, so one that is not newer than the
    stored `source_updated_at` changes nothing."""
    repository = CustomerProjectionRepository(session)
    projection = await repository.get(snapshot.customer_id)
    if projection is None:
        repository.add(
            CustomerProjection(
                customer_id=snapshot.customer_id,
                name=snapshot.name,
                reference_id=snapshot.reference_id,
                archived=snapshot.archived,
                source_updated_at=snapshot.updated_at,
            )
        )
        return
    if snapshot.updated_at <= projection.source_updated_at:
        log.info("customer_snapshot_outdated", customer_id=str(snapshot.customer_id))
        return
    projection.name = snapshot.name
    projection.reference_id = snapshot.reference_id
    projection.archived = snapshot.archived
    projection.source_updated_at = snapshot.updated_at
