import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import UTCDateTime, upsert_insert
from storefront_auth.models import CustomerUser, TokenRevocation


class TokenRevocationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoke_before(self, user: CustomerUser, at: dt.datetime) -> None:
        """Access tokens of the user issued before `at` stop working (see the model)."""
        existing = await self.session.get(TokenRevocation, user.id)
        if existing is None:
            self.session.add(TokenRevocation(subject_id=user.id, customer_id=user.customer_id, not_before=at))
        else:
            existing.not_before = at

    async def revoke_customer_before(self, customer_id: uuid.UUID, at: dt.datetime) -> None:
        """Access tokens of every user of the customer issued before `at` stop working (access switched
        off: switching it on again must not revive them)."""
        table = TokenRevocation.__table__
        users = select(CustomerUser.id, CustomerUser.customer_id, literal(at, UTCDateTime())).where(
            CustomerUser.customer_id == customer_id
        )
        insert = upsert_insert(self.session.get_bind().dialect.name, table).from_select(
            [table.c.subject_id, table.c.customer_id, table.c.not_before], users
        )
        await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.subject_id], set_={"not_before": insert.excluded.not_before}
            )
        )

    async def since(self, earliest: dt.datetime) -> Sequence[TokenRevocation]:
        statement = select(TokenRevocation).where(TokenRevocation.not_before > earliest)
        return (await self.session.scalars(statement)).all()
