"""Units of work on the embedded mode's SQLite: statements run on the event loop's thread, reads see WAL
snapshots beside an open write transaction, SQLite's errors arrive as SQLAlchemy's, and a write that
finds another process's lock waits without blocking the loop. On PostgreSQL reads run in autocommit:
no BEGIN and ROLLBACK round trips around them."""

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from printbridge_shared import sqlite_inline
from printbridge_shared.db import Database
from printbridge_shared.testing import POSTGRES_ADMIN_URL, eventually


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


async def test_a_finished_read_keeps_no_snapshot_so_every_later_read_sees_new_commits(db: Database) -> None:
    """A pooled reader that kept its transaction would go on reading the old snapshot."""
    for _ in range(6):  # more reads than pooled connections: each connection has read once
        async with db.read_session() as session:
            await session.scalar(text("SELECT count(*) FROM notes"))
    async with db.session() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('later')"))
    for _ in range(6):
        async with db.read_session() as session:
            assert (await session.scalar(text("SELECT count(*) FROM notes"))) == 2


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
    # Reads only, so the server's own administrative database serves.
    database = Database(POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1))
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


async def test_a_write_waits_for_another_processs_lock_without_blocking_the_loop(
    db: Database, tmp_path: Path
) -> None:
    other_process = sqlite3.connect(tmp_path / "reads.db", isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with db.session() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('after the lock')"))

    ticker = asyncio.create_task(tick())
    writing = asyncio.create_task(write())
    try:
        await eventually(lambda: ticks >= 10)
        assert not writing.done()
        other_process.execute("COMMIT")
        await asyncio.wait_for(writing, timeout=5)
    finally:
        ticker.cancel()
        other_process.close()
    async with db.read_session() as session:
        assert (await session.scalar(text("SELECT count(*) FROM notes"))) == 2


async def test_a_lock_held_too_long_fails_the_write_with_database_is_locked(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_inline, "LOCK_WAIT_SECONDS", 0.1)
    other_process = sqlite3.connect(tmp_path / "reads.db", isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with db.session() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES ('never')"))
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()
