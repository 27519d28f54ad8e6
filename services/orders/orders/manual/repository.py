import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
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

    async def order_id_of(self, store_id: uuid.UUID, external_id: str) -> uuid.UUID | None:
        return await self.session.scalar(
            select(Order.id).where(Order.store_id == store_id, Order.external_id == external_id)
        )

    async def idempotency_key(self, store_id: uuid.UUID, key: str) -> IdempotencyKey | None:
        return await self.session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.store_id == store_id, IdempotencyKey.key == key)
        )

    async def forget_idempotency_keys(self, store_id: uuid.UUID, *, created_before: dt.datetime) -> None:
        await self.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.store_id == store_id, IdempotencyKey.created_at < created_before
            )
        )

    async def claim_idempotency_key(self, values: dict[str, Any]) -> bool:
        """Inserts the key unless the store has it; False when it does. A concurrent claim of the same key
        waits for the other transaction: when that one commits, this one finds the key taken (and its
        answer); when it rolls back, this one claims the key."""
        table = IdempotencyKey.__table__
        statement = (
            upsert_insert(self.session.get_bind().dialect.name, table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[table.c.store_id, table.c.key])
            .returning(table.c.key)
        )
        return await self.session.scalar(statement) is not None

    async def keep_response(self, store_id: uuid.UUID, key: str, response: dict[str, Any]) -> None:
        await self.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.store_id == store_id, IdempotencyKey.key == key)
            .values(response=response)
        )
