import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import CustomerProjection


class CustomerProjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> CustomerProjection | None:
        return await self.session.get(CustomerProjection, customer_id)

    def add(self, projection: CustomerProjection) -> None:
        self.session.add(projection)
