"""SQLite reads on the event loop's own thread, for the embedded mode's read-only engine.

aiosqlite runs every call (begin, execute, fetch, close, rollback) on a worker thread and wakes the
event loop for each result: about six thread hops per read unit of work, each far slower than the
read itself (a primary-key lookup in a WAL snapshot takes microseconds). Readers in WAL mode never
wait for the writer, so they can run inline: this module gives SQLAlchemy's aiosqlite dialect a
connection with aiosqlite's interface whose coroutines finish without suspending. Writers keep
aiosqlite, because a write may wait for SQLite's lock and must not block the loop while it does.
"""

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# A reader waits at most this long for SQLite's own short locks (WAL recovery, a closing connection's
# checkpoint), blocking the loop meanwhile; in WAL mode it never waits for the writer.
READER_BUSY_TIMEOUT_SECONDS = 1.0


class _Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> "_Cursor":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> "_Cursor":
        self._cursor.execute(sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> "_Cursor":
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """What SQLAlchemy's aiosqlite adapter uses of an `aiosqlite.Connection`, run inline."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any], **kw: Any) -> None:
        self._conn.create_function(name, num_params, func, **kw)


def inline_reader(path: str) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: read-only connections to the SQLite file at `path`
    (autocommit mode: the engine's `begin` listener issues BEGIN itself)."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(
            path,
            timeout=READER_BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
        return InlineConnection(connection)

    return connect
