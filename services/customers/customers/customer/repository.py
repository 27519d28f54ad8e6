import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

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

    async def next_version(self, customer: Customer) -> int:
        """Adds one to the customer's version in the database and returns it. The update keeps the row
        locked until the commit, so concurrent changes of one customer get consecutive versions in the
        order they commit."""
        await self.session.flush()
        statement = (
            update(Customer)
            .where(Customer.id == customer.id)
            .values(version=Customer.version + 1)
            .returning(Customer.version)
            .execution_options(synchronize_session=False)
        )
        version = int((await self.session.execute(statement)).scalar_one())
        set_committed_value(customer, "version", version)
        return version
