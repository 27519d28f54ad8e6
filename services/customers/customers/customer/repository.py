import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from customers.models import Customer


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CustomerRepository:
    """Every query on customers. Operators see all customers of the producer (customer users get
    their scoped road here when they may read customers)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> Customer | None:
        return await self.session.get(Customer, customer_id)

    async def get_by_reference_key(self, reference_key: str) -> Customer | None:
        return await self.session.scalar(select(Customer).where(Customer.reference_key == reference_key))

    async def list(
        self, *, query: str | None, include_archived: bool, after: tuple[str, uuid.UUID] | None, limit: int
    ) -> Sequence[Customer]:
        statement = select(Customer)
        if not include_archived:
            statement = statement.where(Customer.archived_at.is_(None))
        if query:
            pattern = _like_pattern(query)
            statement = statement.where(
                or_(
                    Customer.name_key.like(pattern, escape="\\"),
                    Customer.reference_key.like(pattern, escape="\\"),
                )
            )
        if after is not None:
            statement = statement.where(tuple_(Customer.name_key, Customer.id) > after)
        statement = statement.order_by(Customer.name_key, Customer.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    def add(self, customer: Customer) -> None:
        self.session.add(customer)
