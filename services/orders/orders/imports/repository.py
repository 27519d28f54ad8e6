import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, insert, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Order, OrderImport, OrderImportChunk, OrderImportErrorRow
from printbridge_shared.auth.permissions import Scope


class ImportRepository:
    """Every query of the CSV import. What a caller may read goes through `scoped`, as for orders."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def scoped(statement: Select[Any], scope: Scope) -> Select[Any]:
        if scope.customer_id is not None:
            statement = statement.where(OrderImport.customer_id == scope.customer_id)
        if scope.store_ids is not None:
            statement = statement.where(OrderImport.store_id.in_(scope.store_ids))
        return statement

    async def get(self, scope: Scope, import_id: uuid.UUID) -> OrderImport | None:
        return await self.session.scalar(
            self.scoped(select(OrderImport).where(OrderImport.id == import_id), scope)
        )

    async def get_for_update(self, import_id: uuid.UUID) -> OrderImport | None:
        statement = select(OrderImport).where(OrderImport.id == import_id).with_for_update()
        return await self.session.scalar(statement)

    async def of_store(
        self, scope: Scope, store_id: uuid.UUID, *, before: tuple[dt.datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[OrderImport]:
        """Newest first, ties by id; `before` is the last (created_at, id) of the previous page."""
        statement = self.scoped(select(OrderImport).where(OrderImport.store_id == store_id), scope)
        if before is not None:
            statement = statement.where(tuple_(OrderImport.created_at, OrderImport.id) < before)
        statement = statement.order_by(OrderImport.created_at.desc(), OrderImport.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def errors(self, import_id: uuid.UUID) -> Sequence[OrderImportErrorRow]:
        statement = (
            select(OrderImportErrorRow)
            .where(OrderImportErrorRow.import_id == import_id)
            .order_by(OrderImportErrorRow.sequence)
        )
        return (await self.session.scalars(statement)).all()

    async def add(self, record: OrderImport) -> None:
        self.session.add(record)
        await self.session.flush()

    async def add_chunk(self, import_id: uuid.UUID, sequence: int, data: bytes) -> None:
        await self.session.execute(
            insert(OrderImportChunk).values(import_id=import_id, sequence=sequence, data=data)
        )

    async def chunk(self, import_id: uuid.UUID, sequence: int) -> bytes | None:
        """One piece of the file: read one at a time, so a file is never in memory as a whole."""
        statement = select(OrderImportChunk.data).where(
            OrderImportChunk.import_id == import_id, OrderImportChunk.sequence == sequence
        )
        data: bytes | None = await self.session.scalar(statement)
        return data

    async def existing_references(self, store_id: uuid.UUID, references: Iterable[str]) -> set[str]:
        """Which of a batch's order references the store already has: one `IN` query per batch. On
        PostgreSQL the query is planned for each batch: the driver prepares it once, and a generic plan
        made while the store had few orders (a sequential scan) would stay as the table grows."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        statement = select(Order.external_id).where(
            Order.store_id == store_id, Order.external_id.in_(list(references))
        )
        return set((await self.session.scalars(statement)).all())

    async def insert_many(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """One executemany per table and batch."""
        if rows:
            await self.session.execute(insert(table), rows)

    async def add_errors(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(OrderImportErrorRow), rows)

    async def set_progress(self, import_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(update(OrderImport).where(OrderImport.id == import_id).values(**values))
