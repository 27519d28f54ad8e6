"""The customers that stores may belong to, as the customers service announces them: a store is
connected only for a customer that exists and is not archived."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import KnownCustomer
from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated
from printbridge_shared.projections import keep_if_newer


async def remember(
    session: AsyncSession, data: CustomerCreated | CustomerUpdated | CustomerArchived, version: int | None
) -> None:
    values = {"id": data.customer_id, "name": data.name, "archived": data.archived}
    await keep_if_newer(session, KnownCustomer.__table__, "id", values, version=version, time_column=None)


async def get(session: AsyncSession, customer_id: uuid.UUID) -> KnownCustomer | None:
    return await session.get(KnownCustomer, customer_id)
