import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import ProductImport, ProductImportError, ProductImportFile
from printbridge_shared.auth.permissions import Scope


class ProductImportRepository:
    """Every query of the CSV mapping import. What a caller may read goes through `scoped`, as for the
    store's products: its customer's imports, a store manager's only for its stores."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def scoped(statement: Select[Any], scope: Scope) -> Select[Any]:
        if scope.customer_id is not None:
            statement = statement.where(ProductImport.customer_id == scope.customer_id)
        if scope.store_ids is not None:
            statement = statement.where(ProductImport.store_id.in_(scope.store_ids))
        return statement

    async def get(self, scope: Scope, import_id: uuid.UUID) -> ProductImport | None:
        return await self.session.scalar(
            self.scoped(select(ProductImport).where(ProductImport.id == import_id), scope)
        )

    async def get_for_update(self, import_id: uuid.UUID) -> ProductImport | None:
        statement = select(ProductImport).where(ProductImport.id == import_id).with_for_update()
        return await self.session.scalar(statement)

    async def of_store(
        self, scope: Scope, store_id: uuid.UUID, *, before: tuple[dt.datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[ProductImport]:
        """Newest first, ties by id; `before` is the last (created_at, id) of the previous page."""
        statement = self.scoped(select(ProductImport).where(ProductImport.store_id == store_id), scope)
        if before is not None:
            statement = statement.where(tuple_(ProductImport.created_at, ProductImport.id) < before)
        statement = statement.order_by(ProductImport.created_at.desc(), ProductImport.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def errors(self, import_id: uuid.UUID) -> Sequence[ProductImportError]:
        statement = (
            select(ProductImportError)
            .where(ProductImportError.import_id == import_id)
            .order_by(ProductImportError.sequence)
        )
        return (await self.session.scalars(statement)).all()

    async def add(self, record: ProductImport, data: bytes) -> None:
        self.session.add(record)
        await self.session.flush()
        await self.session.execute(insert(ProductImportFile).values(import_id=record.id, data=data))

    async def file(self, import_id: uuid.UUID) -> bytes | None:
        data: bytes | None = await self.session.scalar(
            select(ProductImportFile.data).where(ProductImportFile.import_id == import_id)
        )
        return data

    async def add_errors(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(ProductImportError), rows)

    async def move_on(self, import_id: uuid.UUID, *, from_processed: int, **values: Any) -> bool:
        """Writes the progress when the import is still where this run saw it (`processed_rows`); False
        when another run moved it on meanwhile."""
        moved = await self.session.execute(
            update(ProductImport)
            .where(ProductImport.id == import_id, ProductImport.processed_rows == from_processed)
            .values(**values)
        )
        return cast(CursorResult[Any], moved).rowcount == 1
