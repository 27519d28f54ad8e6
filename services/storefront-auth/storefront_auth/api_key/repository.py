import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import ApiKey


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, api_key_id: uuid.UUID) -> ApiKey | None:
        return await self.session.get(ApiKey, api_key_id)

    async def get_active_by_hash(self, key_hash: str) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )

    async def list(self, *, before: tuple[dt.datetime, uuid.UUID] | None, limit: int) -> Sequence[ApiKey]:
        """Newest first; `before` is the (created_at, id) of the last key of the previous page."""
        statement = select(ApiKey)
        if before is not None:
            statement = statement.where(tuple_(ApiKey.created_at, ApiKey.id) < before)
        statement = statement.order_by(ApiKey.created_at.desc(), ApiKey.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    def add(self, api_key: ApiKey) -> None:
        self.session.add(api_key)
