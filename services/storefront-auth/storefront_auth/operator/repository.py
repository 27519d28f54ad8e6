import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import Operator


class OperatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, operator_id: uuid.UUID) -> Operator | None:
        return await self.session.get(Operator, operator_id)

    async def get_by_email(self, email: str) -> Operator | None:
        """`email` must already be normalised."""
        return await self.session.scalar(select(Operator).where(Operator.email == email))

    def add(self, operator: Operator) -> None:
        self.session.add(operator)
