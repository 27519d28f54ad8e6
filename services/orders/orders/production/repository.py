import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from orders.models import Order, OrderStatus

# What production works on when no status is asked for: routed and not yet finished.
OPEN = (OrderStatus.routed, OrderStatus.accepted, OrderStatus.in_production, OrderStatus.printed)


class ProductionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(
        self,
        *,
        status: OrderStatus | None,
        line_id: uuid.UUID | None,
        after: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[Order]:
        """Oldest status change first (the order production should take next), ties by id."""
        statement = (
            select(Order)
            .where(Order.status == status if status is not None else Order.status.in_(OPEN))
            .options(selectinload(Order.lines))
        )
        if line_id is not None:
            statement = statement.where(Order.production_line_id == line_id)
        if after is not None:
            statement = statement.where(tuple_(Order.status_changed_at, Order.id) > after)
        statement = statement.order_by(Order.status_changed_at, Order.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def get(self, order_id: uuid.UUID) -> Order | None:
        statement = (
            select(Order)
            .where(Order.id == order_id)
            .options(selectinload(Order.lines))
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(statement)
