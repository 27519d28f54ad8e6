"""The migration that moved the link e-mails onto durable jobs: an e-mail still queued when it runs
becomes a job (nothing queued is lost in the upgrade), and it can be undone."""

import asyncio
import json
import uuid

import sqlalchemy as sa
from alembic import command

from printbridge_shared.db import GUID, Database, UTCDateTime, utcnow
from printbridge_shared.migrations import alembic_config
from storefront_auth.main import MIGRATIONS

INVITATIONS = sa.table(
    "invitations",
    sa.column("id", GUID()),
    sa.column("user_id", GUID()),
    sa.column("customer_id", GUID()),
    sa.column("customer_name", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("attempts", sa.Integer()),
    sa.column("next_attempt_at", UTCDateTime()),
    sa.column("sent_at", UTCDateTime()),
)


async def migrate(url: str, revision: str, *, down: bool = False) -> None:
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, alembic_config(MIGRATIONS, url), revision)


# The revision the jobs migration follows.
BEFORE_JOBS = "0005"


async def test_queued_link_mails_become_jobs_and_the_migration_can_be_undone(database_url):
    await migrate(database_url, BEFORE_JOBS, down=True)
    now = utcnow()
    queued, sent = uuid.uuid4(), uuid.uuid4()
    db = Database(database_url)
    try:
        async with db.session() as session:
            for link_id, sent_at in ((queued, None), (sent, now)):
                await session.execute(
                    sa.insert(INVITATIONS).values(
                        id=link_id,
                        user_id=uuid.uuid4(),
                        customer_id=uuid.uuid4(),
                        customer_name="Acme",
                        created_at=now,
                        attempts=1,
                        next_attempt_at=now,
                        sent_at=sent_at,
                    )
                )
        await migrate(database_url, "head")
        async with db.read_session() as session:
            jobs = (await session.execute(sa.text("SELECT kind, payload, status FROM jobs"))).all()
        assert [(kind, json.loads(payload), status) for kind, payload, status in jobs] == [
            ("invitation_mail", {"link_id": str(queued)}, "queued")
        ]

        await migrate(database_url, BEFORE_JOBS, down=True)
        async with db.read_session() as session:
            columns = await session.execute(sa.text("SELECT id, next_attempt_at FROM invitations"))
            assert len(columns.all()) == 2
        await migrate(database_url, "head")
    finally:
        await db.dispose()
