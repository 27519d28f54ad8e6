from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Order, OrderEvent, OrderLine
from printbridge_shared.db import upsert_insert


class ManualOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(
        self, order: dict[str, Any], lines: list[dict[str, Any]], history: dict[str, Any]
    ) -> bool:
        """Inserts the rows `build_order` made; False (and nothing written) when the store already has an
        order with its external id (the reference). A concurrent insert of the same reference waits for
        the other transaction and then finds it taken."""
        table = Order.__table__
        statement = (
            upsert_insert(self.session.get_bind().dialect.name, table)
            .values(**order)
            .on_conflict_do_nothing(index_elements=[table.c.store_id, table.c.external_id])
            .returning(table.c.id)
        )
        if await self.session.scalar(statement) is None:
            return False
        await self.session.execute(insert(OrderLine), lines)
        await self.session.execute(insert(OrderEvent), [history])
        return True
