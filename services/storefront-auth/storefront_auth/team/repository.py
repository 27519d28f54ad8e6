import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import upsert_insert
from storefront_auth.models import CustomerTeam


class CustomerTeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_version(self, customer_id: uuid.UUID) -> int:
        """Adds one to the team's version (1 for a team not seen before) in one statement and returns
        it; the row stays locked until the commit, so concurrent changes of one team get consecutive
        versions in the order they commit."""
        table = CustomerTeam.__table__
        insert = upsert_insert(self.session.get_bind().dialect.name, table).values(
            customer_id=customer_id, version=1
        )
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.customer_id], set_={"version": table.c.version + 1}
        ).returning(table.c.version)
        return int((await self.session.execute(statement)).scalar_one())
