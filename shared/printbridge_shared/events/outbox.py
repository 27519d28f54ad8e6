"""The transactional outbox: a service writes its state change and its events in one transaction;
the relay publishes them afterwards and marks them sent. Nothing accepted is lost in a crash."""

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import EVENTS_RECORDED, GUID, Database, UTCDateTime, utcnow
from printbridge_shared.events.contracts import EventData
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.retry import RetryLater
from printbridge_shared.events.topology import UnroutableEvent
from printbridge_shared.metrics import ServiceMetrics

log = structlog.get_logger(__name__)

SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    dead_letters: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Adds the outbox and inbox tables to a service's metadata (every service has both): version 1
    plus each later step, the same definitions the migrations apply, so the two cannot drift."""
    outbox, inbox, dead_letters = messaging_tables_v1(metadata)
    outbox.append_column(outbox_next_attempt_at_v2())
    return MessagingTables(outbox=outbox, inbox=inbox, dead_letters=dead_letters)


def messaging_tables_v1(metadata: MetaData) -> tuple[Table, Table, Table]:
    """outbox, inbox and dead_letters as migration version 1 created them. Frozen: a change to these
    tables is a step of its own (like `outbox_next_attempt_at_v2`), applied here and by a migration."""
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", SEQ_TYPE, primary_key=True, autoincrement=True),
        Column("event_id", GUID(), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("published_at", UTCDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_unpublished", "published_at", "seq"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", GUID(), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("handled_at", UTCDateTime(), nullable=False),
    )
    # Dead letters of the embedded (in-process) bus; on RabbitMQ they wait in the `<group>.dead` queue.
    dead_letters = Table(
        "dead_letters",
        metadata,
        Column("id", GUID(), primary_key=True),
        Column("consumer", String(100), nullable=False),
        Column("event_id", GUID(), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("failed_at", UTCDateTime(), nullable=False),
    )
    return outbox, inbox, dead_letters


def outbox_next_attempt_at_v2() -> Column[dt.datetime]:
    """Version 2. Embedded bus: a consumer failed the last delivery; the relay delivers again from
    this time on."""
    return Column("next_attempt_at", UTCDateTime(), nullable=True)


class Outbox:
    """Writes events into the current transaction. `source` is the service name."""

    def __init__(self, table: Table, source: str) -> None:
        self.table = table
        self.source = source

    async def record(
        self,
        session: AsyncSession,
        data: EventData,
        *,
        customer_id: uuid.UUID | None = None,
        aggregate_id: uuid.UUID | None = None,
        aggregate_version: int | None = None,
    ) -> Envelope:
        """`aggregate_id`/`aggregate_version`: what changed and its version after this change (the
        caller raises the aggregate's version in the same transaction), so consumers can tell a late,
        older event from news."""
        if (aggregate_id is None) != (aggregate_version is None):
            raise ValueError("an aggregate's event needs both its id and its version")
        envelope = Envelope(
            type=data.event_type,
            version=data.event_version,
            occurred_at=utcnow(),
            source=self.source,
            customer_id=customer_id,
            correlation_id=correlation_id.get(),
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            data=data.model_dump(mode="json"),
        )
        session.info[EVENTS_RECORDED] = True
        await session.execute(
            insert(self.table).values(
                event_id=envelope.id,
                event_type=envelope.type,
                envelope=envelope.model_dump_json(),
                created_at=envelope.occurred_at,
                attempts=0,
            )
        )
        return envelope


async def prune_messaging(
    db: Database, tables: MessagingTables, *, retention: dt.timedelta, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Deletes the sent outbox rows of events older than `retention` and the inbox rows of events handled
    before then; returns how many of each. Until then `printbridge events republish` can send an event
    again and the inbox still knows it. Unsent rows and dead letters are never pruned."""
    cutoff = (now or utcnow()) - retention
    outbox, inbox = tables.outbox, tables.inbox
    async with db.sessionmaker() as session, session.begin():
        sent = await session.execute(
            delete(outbox).where(outbox.c.published_at.is_not(None), outbox.c.created_at < cutoff)
        )
        handled = await session.execute(delete(inbox).where(inbox.c.handled_at < cutoff))
    pruned: tuple[int, int] = (sent.rowcount, handled.rowcount)  # type: ignore[attr-defined]
    if any(pruned):
        log.info("messaging_pruned", outbox_rows=pruned[0], inbox_rows=pruned[1], before=cutoff.isoformat())
    return pruned


async def mark_for_republishing(
    db: Database, table: Table, *, event_type: str | None = None, since: dt.datetime | None = None
) -> int:
    """Marks the retained sent rows that match (`event_type`, created at or after `since`) unsent again, so
    the service's relay publishes them once more in their order; returns how many. Consumers skip what
    their inbox knows, so only a consumer that never saw an event (a new one) changes anything."""
    query = update(table).where(table.c.published_at.is_not(None))
    if event_type is not None:
        query = query.where(table.c.event_type == event_type)
    if since is not None:
        query = query.where(table.c.created_at >= since)
    async with db.sessionmaker() as session, session.begin():
        result = await session.execute(query.values(published_at=None, last_error=None))
    marked: int = result.rowcount  # type: ignore[attr-defined]
    return marked


class OutboxRelay:
    """Publishes unsent outbox rows in order. On PostgreSQL several replicas share the work through
    `FOR UPDATE SKIP LOCKED`; on SQLite there is one process, so rows are read, published, then marked.

    `prune` (the retention clean-up) runs from the loop at most once per `prune_every` seconds of `clock`."""

    def __init__(
        self,
        db: Database,
        table: Table,
        bus: Any,
        *,
        batch_size: int = 100,
        linger: float = 0.01,
        metrics: ServiceMetrics | None = None,
        prune: Callable[[], Awaitable[object]] | None = None,
        prune_every: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.table = table
        self.bus = bus
        self.batch_size = batch_size
        self.linger = linger
        self.metrics = metrics
        self.prune = prune
        self.prune_every = prune_every
        self.clock = clock
        self._pruned_at: float | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        # The earliest time a row that waits for a consumer's retry becomes due (embedded bus).
        self._next_retry_at: dt.datetime | None = None
        db.on_commit(self._wake.set)

    async def run(self) -> None:
        failures = 0
        while not self._stopping:
            await self.prune_when_due()
            try:
                published = await self.publish_pending()
                failures = 0
            except Exception as exc:
                failures += 1
                log.warning("outbox_relay_failed", error=str(exc), attempt=failures)
                await asyncio.sleep(min(10.0, 0.2 * 2**failures))
                continue
            if published == self.batch_size:
                continue
            self._wake.clear()
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_wait())
            except TimeoutError:
                continue
            if published:
                # Busy: let a few more commits land, so one publish round serves many events.
                await asyncio.sleep(self.linger)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def prune_when_due(self) -> None:
        if self.prune is None:
            return
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < self.prune_every:
            return
        self._pruned_at = now
        try:
            await self.prune()
        except Exception as exc:
            log.warning("messaging_prune_failed", error=f"{type(exc).__name__}: {exc}")

    def _idle_wait(self) -> float:
        """At most a second (so a retry is at most a second late), less when a retry this relay
        scheduled falls due sooner."""
        if self._next_retry_at is None:
            return 1.0
        return min(1.0, max(0.0, (self._next_retry_at - utcnow()).total_seconds()))

    async def publish_pending(self) -> int:
        table = self.table
        query = select(table.c.seq, table.c.envelope, table.c.attempts).where(
            table.c.published_at.is_(None),
            or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= utcnow()),
        )
        query = query.order_by(table.c.seq).limit(self.batch_size)
        if self._next_retry_at is not None and self._next_retry_at <= utcnow():
            self._next_retry_at = None
        if self.db.engine.dialect.name == "postgresql":
            async with self.db.sessionmaker() as session, session.begin():
                rows = [tuple(row) for row in await session.execute(query.with_for_update(skip_locked=True))]
                errors = await self._publish(rows)
                await self._mark(session, rows, errors)
        else:
            # No transaction is open while publishing: an in-process consumer may write to this database.
            # The rows are read beside the writer, which stays free for requests until they are marked.
            async with self.db.read_session() as session:
                rows = [tuple(row) for row in await session.execute(query)]
            errors = await self._publish(rows)
            async with self.db.sessionmaker() as session, session.begin():
                await self._mark(session, rows, errors)
        failure = next((e for e in errors if e is not None and not isinstance(e, RetryLater)), None)
        if failure is not None:
            raise failure
        return len(rows)

    async def _publish(self, rows: Sequence[tuple[int, str, int]]) -> list[Exception | None]:
        envelopes = [Envelope.model_validate(json.loads(raw)) for _seq, raw, _attempts in rows]
        if not envelopes:
            return []
        errors: list[Exception | None] = await self.bus.publish_batch(
            envelopes, attempts=[attempts + 1 for *_row, attempts in rows]
        )
        return errors

    async def _mark(
        self, session: AsyncSession, rows: Sequence[tuple[int, str, int]], errors: list[Exception | None]
    ) -> None:
        published = [seq for (seq, *_row), error in zip(rows, errors, strict=True) if error is None]
        if published:
            await session.execute(
                update(self.table)
                .where(self.table.c.seq.in_(published))
                .values(published_at=utcnow(), attempts=self.table.c.attempts + 1)
            )
        for (seq, *_row), error in zip(rows, errors, strict=True):
            if isinstance(error, UnroutableEvent):
                log.warning(
                    "event_unroutable", seq=seq, event_type=error.event_type, groups=list(error.groups)
                )
                if self.metrics is not None:
                    self.metrics.events_unroutable.labels(self.metrics.service, error.event_type).inc()
            if error is not None:
                retry_at = None
                if isinstance(error, RetryLater):
                    retry_at = utcnow() + dt.timedelta(seconds=error.delay)
                    self._next_retry_at = min(retry_at, self._next_retry_at or retry_at)
                await session.execute(
                    update(self.table)
                    .where(self.table.c.seq == seq)
                    .values(
                        attempts=self.table.c.attempts + 1,
                        last_error=str(error)[:2000],
                        next_attempt_at=retry_at,
                    )
                )
