"""Read units of work. The embedded mode's SQLite readers run on the event loop's thread, read WAL
snapshots beside an open write transaction, and report SQLite's errors as SQLAlchemy's, like any driver.
On PostgreSQL reads run in autocommit: no BEGIN and ROLLBACK round trips around them."""

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from printbridge_shared.db import Database
from printbridge_shared.testing import postgres_database


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
        await session.execute(text("INSERT INTO notes (body) VALUES ('committed')"))
    yield database
    await database.dispose()


async def test_a_read_runs_on_the_event_loops_own_thread(db: Database) -> None:
    @event.listens_for(db.read_engine.sync_engine, "connect")
    def add_thread_function(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("executing_thread", 0, threading.get_ident)

    await db.read_engine.dispose()  # the next connection gets the function
    async with db.read_session() as session:
        executing_thread = await session.scalar(text("SELECT executing_thread() FROM notes"))
    assert executing_thread == threading.get_ident()


async def test_a_read_sees_the_last_commit_while_a_write_transaction_is_open(db: Database) -> None:
    async with db.session() as writer:
        await writer.execute(text("INSERT INTO notes (body) VALUES ('uncommitted')"))
        async with db.read_session() as reader:
            bodies = (await reader.scalars(text("SELECT body FROM notes ORDER BY id"))).all()
        assert bodies == ["committed"]
    async with db.read_session() as reader:
        assert (await reader.scalar(text("SELECT count(*) FROM notes"))) == 2


async def test_a_reader_cannot_write(db: Database) -> None:
    with pytest.raises(OperationalError, match="attempt to write a readonly database"):
        async with db.read_session() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('sneaked in')"))


async def test_a_failing_read_raises_sqlalchemys_error_and_the_next_read_works(db: Database) -> None:
    with pytest.raises(OperationalError, match="no such table"):
        async with db.read_session() as session:
            await session.execute(text("SELECT * FROM missing"))
    async with db.read_session() as session:
        assert (await session.scalar(text("SELECT count(*) FROM notes"))) == 1


@pytest.mark.postgres
async def test_a_read_on_postgresql_opens_no_transaction() -> None:
    async with postgres_database() as url:
        database = Database(url)
        transaction_id = text("SELECT txid_current()")
        try:
            async with database.read_session() as session:
                first, second = [await session.scalar(transaction_id) for _ in range(2)]
            assert first != second
            async with database.session() as session:
                first, second = [await session.scalar(transaction_id) for _ in range(2)]
            assert first == second
        finally:
            await database.dispose()
