"""The customers that stores may belong to, as the customers service announces them: a store is
connected only for a customer that exists and is not archived."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import KnownCustomer
from connectors.platforms.base import Owner
from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated
from printbridge_shared.projections import keep_if_newer


async def remember(
    session: AsyncSession, data: CustomerCreated | CustomerUpdated | CustomerArchived, version: int | None
) -> None:
    values = {
        "id": data.customer_id,
        "name": data.name,
        "archived": data.archived,
        "reference_id": data.reference_id,
    }
    await keep_if_newer(session, KnownCustomer.__table__, "id", values, version=version, time_column=None)


async def get(session: AsyncSession, customer_id: uuid.UUID) -> KnownCustomer | None:
    return await session.get(KnownCustomer, customer_id)


async def owner(session: AsyncSession, customer_id: uuid.UUID) -> Owner:
    """The customer as a platform may check it before connecting (it exists: `_owner` checked)."""
    known = await session.get(KnownCustomer, customer_id)
    assert known is not None
    return Owner(id=known.id, name=known.name, reference_id=known.reference_id)
