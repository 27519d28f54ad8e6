"""The service's relay prunes sent outbox rows after PRINTBRIDGE_OUTBOX_RETENTION_DAYS."""

import datetime as dt

from sqlalchemy import func, select, update

from customers.config import Settings
from customers.main import create_app
from customers.models import messaging
from printbridge_shared.app import Runtime
from printbridge_shared.testing import eventually, running


async def outbox_count(app, *where) -> int:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(messaging.outbox).where(*where)))


async def test_sent_events_older_than_the_retention_days_are_pruned_and_younger_ones_kept(
    database_url, auth, bus, operator
):
    settings = Settings(database_url=database_url, log_json=False, outbox_retention_days=3)
    app = create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))
    async with running(app) as client:
        for name in ("Old", "Young"):
            await client.post("/v1/customers", json={"name": name}, headers=operator)

        async def both_sent() -> bool:
            return await outbox_count(app, messaging.outbox.c.published_at.is_not(None)) == 2

        await eventually(both_sent)
        now = dt.datetime.now(dt.UTC)
        async with app.state.db.sessionmaker() as session, session.begin():
            outbox = messaging.outbox
            await session.execute(
                update(outbox)
                .where(outbox.c.seq == select(func.min(outbox.c.seq)).scalar_subquery())
                .values(created_at=now - dt.timedelta(days=3, minutes=1))
            )
            await session.execute(
                update(outbox)
                .where(outbox.c.seq == select(func.max(outbox.c.seq)).scalar_subquery())
                .values(created_at=now - dt.timedelta(days=2, hours=23))
            )

        await app.state.relay.prune()

        assert await outbox_count(app) == 1
