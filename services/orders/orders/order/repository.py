import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, event, exists, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, selectinload

from orders.models import Order, OrderEvent, OrderLine, OrderStatus
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import upsert_insert

_SEQUENCES = "orders.history_sequences"


def _forget_sequences(session: Session, *_transaction: object) -> None:
    """The transaction ended (committed, or rolled back to a savepoint or wholly): its counts no longer
    hold, since the order's lock is gone or the entries counted may have been undone."""
    session.info[_SEQUENCES] = {}


@dataclass(frozen=True)
class OrderFilters:
    """What a list of orders is narrowed to (None: not narrowed); bounds are inclusive."""

    store_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    status: OrderStatus | None = None
    external_id: str | None = None
    placed_after: dt.datetime | None = None
    placed_before: dt.datetime | None = None


class OrderRepository:
    """Every query on orders. What a caller may read goes through `scoped`, the one road to the rows:
    a customer user's queries never reach another customer's orders."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def scoped(statement: Select[Any], scope: Scope) -> Select[Any]:
        if scope.customer_id is not None:
            statement = statement.where(Order.customer_id == scope.customer_id)
        if scope.store_ids is not None:
            statement = statement.where(Order.store_id.in_(scope.store_ids))
        return statement

    async def list(
        self,
        scope: Scope,
        filters: OrderFilters,
        *,
        before: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[Order]:
        """Newest placed first, ties by id; `before` is the last (placed_at, id) of the previous page."""
        statement = self.scoped(select(Order), scope)
        if filters.store_id is not None:
            statement = statement.where(Order.store_id == filters.store_id)
        if filters.customer_id is not None:
            statement = statement.where(Order.customer_id == filters.customer_id)
        if filters.status is not None:
            statement = statement.where(Order.status == filters.status)
        if filters.external_id is not None:
            statement = statement.where(Order.external_id == filters.external_id)
        if filters.placed_after is not None:
            statement = statement.where(Order.placed_at >= filters.placed_after)
        if filters.placed_before is not None:
            statement = statement.where(Order.placed_at <= filters.placed_before)
        if before is not None:
            statement = statement.where(tuple_(Order.placed_at, Order.id) < before)
        statement = statement.order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def get_with_details(self, scope: Scope, order_id: uuid.UUID) -> Order | None:
        await self.session.flush()  # read afresh below, so nothing pending may be lost
        statement = (
            self.scoped(select(Order).where(Order.id == order_id), scope)
            .options(selectinload(Order.lines), selectinload(Order.history))
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(statement)

    async def has_orders_of_store(self, scope: Scope, store_id: uuid.UUID) -> bool:
        statement = self.scoped(select(Order.id).where(Order.store_id == store_id), scope)
        return bool(await self.session.scalar(select(exists(statement))))

    async def insert_if_absent(self, values: dict[str, Any]) -> uuid.UUID | None:
        """Inserts the order unless one with its (store_id, external_id) exists; its id, or None. A
        concurrent insert of the same order waits for the other transaction and then finds it taken. A new
        order's history begins at 1 (`next_sequence` need not ask)."""
        table = Order.__table__
        statement = (
            upsert_insert(self.session.get_bind().dialect.name, table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[table.c.store_id, table.c.external_id])
            .returning(table.c.id)
        )
        created: uuid.UUID | None = await self.session.scalar(statement)
        if created is not None:
            self._sequences()[created] = 0
        return created

    async def lock(self, store_id: uuid.UUID, external_id: str) -> Order:
        """The order, locked until the commit (PostgreSQL; SQLite has one writer anyway), so concurrent
        versions of it are compared one after the other."""
        statement = (
            select(Order)
            .where(Order.store_id == store_id, Order.external_id == external_id)
            .with_for_update()
        )
        return (await self.session.scalars(statement)).one()

    async def replace_lines(self, order_id: uuid.UUID, lines: Sequence[OrderLine]) -> None:
        await self.session.execute(delete(OrderLine).where(OrderLine.order_id == order_id))
        await self.add_lines(lines)

    async def add_lines(self, lines: Sequence[OrderLine]) -> None:
        """The lines of an order that has none yet (one created in this transaction)."""
        self.session.add_all(lines)
        await self.session.flush()

    async def next_sequence(self, order_id: uuid.UUID) -> int:
        """The number of the order's next history entry. Every writer of an order's history holds the
        order (its row lock, or the insert of it) until its commit, so the transaction asks the database
        once per order and counts on from there; a commit or a rollback (of a savepoint too) forgets the
        counts."""
        sequences = self._sequences()
        latest = sequences.get(order_id)
        if latest is None:
            latest = int(
                await self.session.scalar(
                    select(func.max(OrderEvent.sequence)).where(OrderEvent.order_id == order_id)
                )
                or 0
            )
        sequences[order_id] = latest + 1
        return latest + 1

    def _sequences(self) -> dict[uuid.UUID, int]:
        sequences: dict[uuid.UUID, int] | None = self.session.info.get(_SEQUENCES)
        if sequences is None:
            sequences = self.session.info[_SEQUENCES] = {}
            event.listen(self.session.sync_session, "after_commit", _forget_sequences)
            event.listen(self.session.sync_session, "after_soft_rollback", _forget_sequences)
        return sequences

    async def add_history(self, entry: OrderEvent) -> None:
        """Written at once, so the next `next_sequence` counts it."""
        self.session.add(entry)
        await self.session.flush()
