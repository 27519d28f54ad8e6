"""SQLite on the event loop's own thread, for the embedded mode's engines.

aiosqlite runs every call (begin, execute, fetch, close, commit) on a worker thread and wakes the event
loop for each result: a dozen thread hops per unit of work, each far slower than the statement itself
(a primary-key lookup or a small insert in WAL mode takes microseconds). This module gives SQLAlchemy's
aiosqlite dialect a connection with aiosqlite's interface whose coroutines run the statement inline.

The one slow thing SQLite can do is wait for its file lock (another process writing, e.g. a
`printbridge` command). No connection here waits inside SQLite (busy timeout 0): a statement that finds
the lock taken is retried after an asyncio sleep, so the loop serves other requests meanwhile. Retrying
is safe where it is done: a statement outside a transaction (nothing happened yet), `BEGIN`, and any
statement of a read-only connection. In WAL mode readers never wait for the writer at all, and a
writer that began IMMEDIATE holds the lock until it commits.
"""

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# How long a statement may keep finding the file lock taken before it fails with "database is locked".
LOCK_WAIT_SECONDS = 30.0
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class _Cursor:
    def __init__(self, connection: "InlineConnection", cursor: sqlite3.Cursor) -> None:
        self._connection = connection
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
        arguments = () if parameters is None else parameters
        if self._connection.may_wait_for_lock(sql):
            await _waiting_for_lock(lambda: self._cursor.execute(sql, arguments))
        else:
            self._cursor.execute(sql, arguments)
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


async def _waiting_for_lock(statement: Callable[[], object]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOCK_WAIT_SECONDS
    pause = 0.001
    while True:
        try:
            statement()
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in _BUSY or loop.time() >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(0.05, pause * 2)


class InlineConnection:
    """What SQLAlchemy's aiosqlite adapter uses of an `aiosqlite.Connection`, run inline."""

    def __init__(self, connection: sqlite3.Connection, *, read_only: bool) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.read_only = read_only

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def may_wait_for_lock(self, sql: str) -> bool:
        if self.read_only or not self._conn.in_transaction:
            return True
        return sql.lstrip()[:5].upper() == "BEGIN"

    def cursor(self) -> _Cursor:
        return _Cursor(self, self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any], **kw: Any) -> None:
        self._conn.create_function(name, num_params, func, **kw)


def inline_connector(path: str, *, read_only: bool) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: connections to the SQLite file at `path` in
    autocommit mode (the engine's `begin` listener issues BEGIN itself)."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(connection, read_only=read_only)

    return connect
