import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import Template
from printbridge_shared.auth.permissions import Scope


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class TemplateRepository:
    """Every query on templates. What a caller may reach goes through `scoped`, the one road to the rows:
    a customer user never reaches another customer's templates."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def scoped(statement: Select[Any], scope: Scope) -> Select[Any]:
        if scope.customer_id is not None:
            statement = statement.where(Template.customer_id == scope.customer_id)
        return statement

    async def get(self, scope: Scope, template_id: uuid.UUID) -> Template | None:
        return await self.session.scalar(
            self.scoped(select(Template).where(Template.id == template_id), scope)
        )

    async def get_any(self, template_id: uuid.UUID) -> Template | None:
        """For the background work that follows checks and catalog changes (no caller)."""
        return await self.session.get(Template, template_id)

    async def name_taken(
        self, customer_id: uuid.UUID, name_key: str, *, other_than: uuid.UUID | None
    ) -> bool:
        statement = select(Template.id).where(
            Template.customer_id == customer_id, Template.name_key == name_key
        )
        if other_than is not None:
            statement = statement.where(Template.id != other_than)
        return await self.session.scalar(statement.limit(1)) is not None

    async def using_product(self, product_uid: str) -> Sequence[Template]:
        return (await self.session.scalars(select(Template).where(Template.product_uid == product_uid))).all()

    async def list(
        self,
        scope: Scope,
        *,
        customer_id: uuid.UUID | None,
        query: str | None,
        product_uid: str | None,
        status: str | None,
        after: tuple[str, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[Template]:
        statement = self.scoped(select(Template), scope)
        if customer_id is not None:
            statement = statement.where(Template.customer_id == customer_id)
        if query:
            statement = statement.where(Template.name_key.like(_like_pattern(query), escape="\\"))
        if product_uid is not None:
            statement = statement.where(Template.product_uid == product_uid)
        if status is not None:
            statement = statement.where(Template.status == status)
        if after is not None:
            statement = statement.where(tuple_(Template.name_key, Template.id) > after)
        statement = statement.order_by(Template.name_key, Template.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    def add(self, template: Template) -> None:
        self.session.add(template)

    async def remove(self, template: Template) -> None:
        await self.session.delete(template)
