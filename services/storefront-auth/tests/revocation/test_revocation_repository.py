"""Access switched off: every user of the customer gets one revocation as of the switch-off, in one
statement, whether or not the user had one before; other customers' users keep theirs."""

import datetime as dt
import uuid

from sqlalchemy import select

from storefront_auth.models import TokenRevocation
from storefront_auth.revocation.repository import TokenRevocationRepository

BRAND, OTHER = uuid.uuid4(), uuid.uuid4()
EARLIER = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
SWITCH_OFF = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


async def test_switching_access_off_revokes_every_user_of_the_customer_as_of_then(app, create_user):
    revoked_before = await create_user(BRAND, "anna@brand.example")
    never_revoked = await create_user(BRAND, "ben@brand.example", role="viewer")
    elsewhere = await create_user(OTHER, "olga@other.example")
    async with app.state.db.session() as session:
        repository = TokenRevocationRepository(session)
        await repository.revoke_before(revoked_before, EARLIER)
        await repository.revoke_before(elsewhere, EARLIER)

    async with app.state.db.session() as session:
        await TokenRevocationRepository(session).revoke_customer_before(BRAND, SWITCH_OFF)

    async with app.state.db.sessionmaker() as session:
        rows = {
            row.subject_id: (row.customer_id, row.not_before)
            for row in (await session.scalars(select(TokenRevocation))).all()
        }
    assert rows == {
        revoked_before.id: (BRAND, SWITCH_OFF),
        never_revoked.id: (BRAND, SWITCH_OFF),
        elsewhere.id: (OTHER, EARLIER),
    }
