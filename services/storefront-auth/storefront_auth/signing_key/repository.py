from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import SigningKey


class SigningKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> Sequence[SigningKey]:
        """Every key, retired ones included, newest generation first: one statement, so one snapshot
        (on PostgreSQL two statements in a transaction may see different commits)."""
        return (await self.session.scalars(select(SigningKey).order_by(SigningKey.generation.desc()))).all()

    def add(self, key: SigningKey) -> None:
        self.session.add(key)
