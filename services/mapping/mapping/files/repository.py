import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import UploadedFile
from printbridge_shared.auth.permissions import Scope


class FileRepository:
    """Every query on design files; a customer user's scope reaches only its own customer's rows."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def scoped(statement: Select[Any], scope: Scope) -> Select[Any]:
        if scope.all_customers:
            return statement
        return statement.where(UploadedFile.customer_id == scope.customer_id)

    async def get(self, scope: Scope, file_id: uuid.UUID) -> UploadedFile | None:
        return await self.session.scalar(
            self.scoped(select(UploadedFile).where(UploadedFile.id == file_id), scope)
        )

    async def get_any(self, file_id: uuid.UUID) -> UploadedFile | None:
        """Whoever's it is: for a download whose signed address already proves the right to it."""
        return await self.session.get(UploadedFile, file_id)

    async def list(
        self,
        scope: Scope,
        *,
        customer_id: uuid.UUID | None,
        before: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[UploadedFile]:
        """Newest first, ties by id; `before` is the last (created_at, id) of the previous page."""
        statement = self.scoped(select(UploadedFile), scope)
        if customer_id is not None:
            statement = statement.where(UploadedFile.customer_id == customer_id)
        if before is not None:
            statement = statement.where(tuple_(UploadedFile.created_at, UploadedFile.id) < before)
        statement = statement.order_by(UploadedFile.created_at.desc(), UploadedFile.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    def add(self, file: UploadedFile) -> None:
        self.session.add(file)

    async def remove(self, file_id: uuid.UUID) -> bool:
        """Deletes the row; False when a concurrent delete was first."""
        result = await self.session.execute(delete(UploadedFile).where(UploadedFile.id == file_id))
        return bool(getattr(result, "rowcount", 0))
