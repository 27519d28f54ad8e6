"""The customers that stores may belong to, as the customers service announces them: a store is
connected only for a customer that exists and is not archived."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import KnownCustomer
from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated


async def remember(
    session: AsyncSession, data: CustomerCreated | CustomerUpdated | CustomerArchived, version: int | None
) -> None:
    customer = await session.get(KnownCustomer, data.customer_id)
    if customer is None:
        customer = KnownCustomer(id=data.customer_id, version=0)
        session.add(customer)
    elif version is not None and version <= customer.version:
        return
    customer.name = data.name
    customer.archived = data.archived
    customer.version = version or customer.version


async def get(session: AsyncSession, customer_id: uuid.UUID) -> KnownCustomer | None:
    return await session.get(KnownCustomer, customer_id)
