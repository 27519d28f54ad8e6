from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import SigningKey


class SigningKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unretired(self) -> Sequence[SigningKey]:
        """Keys in use, newest generation first."""
        statement = (
            select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.generation.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def latest_generation(self) -> int:
        return await self.session.scalar(select(func.max(SigningKey.generation))) or 0

    def add(self, key: SigningKey) -> None:
        self.session.add(key)
