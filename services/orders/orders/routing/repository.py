import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import ProductionLine, RoutingRule

# The key of the PostgreSQL advisory lock every change of lines or rules holds (any constant of this
# service's own; "routing" in ASCII).
ROUTING_LOCK_KEY = 0x726F7574696E67


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class RoutingRepository:
    """Every query on production lines and routing rules."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self) -> None:
        """Serialises the changes of lines and rules until the transaction ends: the rules' positions
        shift many rows at once and stay 1..n only when one change at a time does it. On SQLite every
        writing transaction begins IMMEDIATE, which serialises them already."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROUTING_LOCK_KEY})

    async def get_line(self, line_id: uuid.UUID) -> ProductionLine | None:
        return await self.session.get(ProductionLine, line_id)

    async def get_line_by_code(self, code: str) -> ProductionLine | None:
        return await self.session.scalar(select(ProductionLine).where(ProductionLine.code == code))

    async def default_line(self) -> ProductionLine | None:
        return await self.session.scalar(select(ProductionLine).where(ProductionLine.is_default))

    async def list_lines(
        self, *, query: str | None, active: bool | None, after: tuple[str, uuid.UUID] | None, limit: int
    ) -> Sequence[ProductionLine]:
        statement = select(ProductionLine)
        if query:
            pattern = _like_pattern(query)
            statement = statement.where(
                or_(
                    func.lower(ProductionLine.name).like(pattern, escape="\\"),
                    ProductionLine.code.like(pattern, escape="\\"),
                )
            )
        if active is not None:
            statement = statement.where(ProductionLine.active.is_(active))
        if after is not None:
            statement = statement.where(tuple_(ProductionLine.code, ProductionLine.id) > after)
        statement = statement.order_by(ProductionLine.code, ProductionLine.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def clear_default(self) -> None:
        """The default line stops being it (in the database at once, before another becomes it: the
        unique index on the default allows one at any moment)."""
        await self.session.execute(
            update(ProductionLine)
            .where(ProductionLine.is_default)
            .values(is_default=False)
            .execution_options(synchronize_session="fetch")
        )

    async def rules_of_line(self, line_id: uuid.UUID) -> Sequence[tuple[uuid.UUID, str]]:
        rows = await self.session.execute(
            select(RoutingRule.id, RoutingRule.name)
            .where(RoutingRule.production_line_id == line_id)
            .order_by(RoutingRule.position)
        )
        return [(rule_id, name) for rule_id, name in rows]

    async def get_rule(self, rule_id: uuid.UUID) -> RoutingRule | None:
        return await self.session.get(RoutingRule, rule_id)

    async def list_rules(self) -> Sequence[RoutingRule]:
        return (await self.session.scalars(select(RoutingRule).order_by(RoutingRule.position))).all()

    async def count_rules(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(RoutingRule)) or 0)

    async def shift_rules(self, *, first: int, last: int | None, by: int) -> None:
        """Moves the rules at positions first..last (last None: to the end) by `by`."""
        statement = update(RoutingRule).where(RoutingRule.position >= first)
        if last is not None:
            statement = statement.where(RoutingRule.position <= last)
        await self.session.execute(
            statement.values(position=RoutingRule.position + by).execution_options(
                synchronize_session="fetch"
            )
        )

    async def routing_table(self) -> Sequence[tuple[ProductionLine, RoutingRule | None]]:
        """In one query: every rule with its line, by position, and the default line (with None when no
        rule points to it). This runs for every order routed."""
        statement = (
            select(ProductionLine, RoutingRule)
            .outerjoin(RoutingRule, RoutingRule.production_line_id == ProductionLine.id)
            .where(or_(ProductionLine.is_default, RoutingRule.id.is_not(None)))
            .order_by(RoutingRule.position)
        )
        return [(line, rule) for line, rule in await self.session.execute(statement)]

    def add(self, row: ProductionLine | RoutingRule) -> None:
        self.session.add(row)

    async def delete(self, row: ProductionLine | RoutingRule) -> None:
        await self.session.delete(row)
        await self.session.flush()
