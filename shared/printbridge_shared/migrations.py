"""Alembic for every service: one history per service, run the same way on SQLite and PostgreSQL.
A service's `migrations/env.py` calls `run_migrations_env`; start-up and `printbridge migrate` call
`upgrade`."""

import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

# One advisory lock id for migrations, so replicas starting together migrate one at a time.
MIGRATION_LOCK_ID = 7_202_611


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    return config


async def upgrade(script_location: Path, url: str) -> None:
    """Applies every migration (runs Alembic in a worker thread, which has its own event loop)."""
    if url.startswith("sqlite") and ":memory:" not in url:
        Path(url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(command.upgrade, alembic_config(script_location, url), "head")


def run_migrations_env(metadata: MetaData, default_url: Callable[[], str]) -> None:
    url = context.config.get_main_option("sqlalchemy.url") or default_url()

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"))
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


def create_messaging_tables_v1() -> None:
    """Creates outbox, inbox and dead_letters as of version 1; call from a service's initial migration.
    A later change to these tables gets its own `..._v2` step, so old migrations stay as they ran."""
    from alembic import op

    from printbridge_shared.db import make_metadata
    from printbridge_shared.events.outbox import messaging_tables_v1

    bind = op.get_bind()
    for table in messaging_tables_v1(make_metadata()):
        table.create(bind)


def drop_messaging_tables_v1() -> None:
    from alembic import op

    for name in ("dead_letters", "inbox", "outbox"):
        op.drop_table(name)


def upgrade_messaging_tables_v2() -> None:
    """Version 2: `outbox.next_attempt_at`, when the embedded bus delivers a row again after a
    consumer failed it."""
    from alembic import op

    from printbridge_shared.events.outbox import outbox_next_attempt_at_v2

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(outbox_next_attempt_at_v2())


def downgrade_messaging_tables_v2() -> None:
    from alembic import op

    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("next_attempt_at")
