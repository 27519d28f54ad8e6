"""Database plumbing: engines for SQLite and PostgreSQL, naming conventions, the unit of work."""

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import CHAR, NUMERIC, DateTime, MetaData, Text, TypeDecorator, event, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.attributes import set_committed_value

from printbridge_shared.sqlite_inline import inline_connector

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Set in a session's `info` by the outbox when the transaction recorded events.
EVENTS_RECORDED = "printbridge.events_recorded"
# Set in a session's `info` when the transaction enqueued a job (printbridge_shared.jobs).
JOBS_ENQUEUED = "printbridge.jobs_enqueued"


def make_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class GUID(TypeDecorator[uuid.UUID]):
    """UUIDs as native uuid on PostgreSQL and as 36-character text on SQLite."""

    impl = CHAR(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import UUID

            return dialect.type_descriptor(UUID(as_uuid=True))
        return dialect.type_descriptor(CHAR(36))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(str(value))


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on both databases. SQLite forgets the zone, so every value is
    converted to UTC before it is written (a time given as +02:00 is stored, compared and sorted as the
    same instant in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """Decimals (money) that come back exactly as written, trailing zeros included: NUMERIC without a
    fixed scale on PostgreSQL, the decimal's text on SQLite (whose NUMERIC goes through a binary float).
    Only finite values; on SQLite the column sorts as text, so compare amounts in Python there."""

    impl = NUMERIC()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(NUMERIC())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"not a finite Decimal: {value!r}")
        return value if dialect.name == "postgresql" else format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))


async def next_version(session: AsyncSession, row: Any) -> int:
    """Adds one to `row`'s `version` column in the database (after flushing its pending changes) and
    returns it: the event about this change carries it as `aggregate_version`. The update keeps the row
    locked until the commit, so concurrent changes of one aggregate get consecutive versions in the order
    they commit."""
    await session.flush()
    model = type(row)
    statement = (
        update(model)
        .where(model.id == row.id)
        .values(version=model.version + 1)
        .returning(model.version)
        .execution_options(synchronize_session=False)
    )
    version = int((await session.execute(statement)).scalar_one())
    set_committed_value(row, "version", version)
    return version


def upsert_insert(dialect: str, table: Any) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (`on_conflict_do_nothing` / `_do_update`); PostgreSQL
    and SQLite spell them alike."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file_missing(url: str) -> bool:
    """A SQLite URL whose file does not exist yet (opening it would create an empty database)."""
    return is_sqlite(url) and ":memory:" not in url and not Path(url.split("///", 1)[-1]).exists()


def create_engine(url: str, *, pool_size: int = 10, read_only: bool = False) -> AsyncEngine:
    """On SQLite the writer engine has one connection whose transactions begin IMMEDIATE (they queue on
    the pool, an asyncio wait, instead of on SQLite's file lock, whose busy handler sleeps and polls);
    the read-only engine has several connections reading WAL snapshots side by side. Both run their
    statements on the event loop's thread (sqlite_inline.py)."""
    if not is_sqlite(url):
        # No pre-ping: it costs a round trip per transaction. A connection the server dropped fails one
        # unit of work, which rolls back (nothing half-written) and invalidates the pool.
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
    path = url.split("///", 1)[-1]
    options: dict[str, Any] = {"connect_args": {"timeout": 30}}
    if path and ":memory:" not in path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        options = {
            "pool_size": 4 if read_only else 1,
            "max_overflow": 0,
            "async_creator": inline_connector(path, read_only=read_only),
        }
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off, so the "begin" listener below decides.
        if dbapi_connection.isolation_level is not None:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class Database:
    """One service's engine and session factory. `session()` is the single commit boundary:
    it commits on success, rolls back on error, and tells the outbox relay that events may wait."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        if not is_sqlite(url):
            # At READ COMMITTED every statement reads its own snapshot, in a transaction or not; without
            # one, a read costs no BEGIN and no ROLLBACK round trip (same pool, autocommit per checkout).
            self.read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        elif ":memory:" in url:
            self.read_engine = self.engine
        else:
            self.read_engine = create_engine(url, read_only=True)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.read_sessionmaker = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)
        self._after_commit: dict[str, list[Callable[[], None]]] = {}

    def on_commit(self, callback: Callable[[], None], *, when: str = EVENTS_RECORDED) -> None:
        """Calls `callback` after each commit of a transaction that set the flag `when` in its session's
        `info` (EVENTS_RECORDED: the outbox relay; JOBS_ENQUEUED: the job runner)."""
        self._after_commit.setdefault(when, []).append(callback)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        from printbridge_shared.errors import AppError

        async with self.sessionmaker() as session:
            try:
                yield session
            except AppError as error:
                if not error.keeps_writes:
                    await session.rollback()
                    raise
                await session.commit()
                self.notify_committed(session)
                raise
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
        self.notify_committed(session)

    @contextlib.asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads: on SQLite it does not wait for the writer, on PostgreSQL it runs
        in autocommit (each statement its own snapshot, as at READ COMMITTED)."""
        # Closing the session returns its connection, and the pool ends the transaction (a rollback).
        async with self.read_sessionmaker() as session:
            yield session

    def notify_committed(self, session: AsyncSession) -> None:
        """Tells the outbox relay (or the job runner) to look, when the committed transaction recorded
        events (or enqueued jobs)."""
        for flag, callbacks in self._after_commit.items():
            if session.info.pop(flag, False):
                for callback in callbacks:
                    callback()

    async def ping(self, *, read_side: bool = False) -> None:
        """One `SELECT 1`. `read_side` asks the read engine, which on SQLite does not wait behind the
        single writer's open transaction (readiness must not depend on how long a write takes)."""
        async with (self.read_engine if read_side else self.engine).connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def wait_until_reachable(self, *, within: float, log: Any) -> None:
        """Retries the first connection with a log line per failed attempt, then gives up with a clear
        error. It tries at least twice, however long the first attempt took (a busy machine)."""
        deadline = asyncio.get_running_loop().time() + within
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.ping()
                return
            except Exception as exc:
                log.warning("database_unreachable", url=safe_url(self.url), attempt=attempt, error=str(exc))
                if attempt >= 2 and asyncio.get_running_loop().time() >= deadline:
                    raise RuntimeError(f"database {safe_url(self.url)} unreachable: {exc}") from exc
                await asyncio.sleep(min(2.0, 0.25 * attempt))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine.pool is not self.engine.pool:
            await self.read_engine.dispose()


def safe_url(url: str) -> str:
    """The URL without its password, for log lines."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable url>"
