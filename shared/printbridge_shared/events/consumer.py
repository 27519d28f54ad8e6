"""Consumers: a durable consumer group (shared by a service's replicas, idempotent through the inbox)
and a per-process listener (for in-memory effects such as revocation caches)."""

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import Database, upsert_insert, utcnow
from printbridge_shared.events.contracts import EventData, parse_data
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import MessagingTables

log = structlog.get_logger(__name__)

Handler = Callable[[AsyncSession, EventData, Envelope], Awaitable[None]]
ListenerHandler = Callable[[EventData, Envelope], Awaitable[None]]


class Consumer:
    """`name` is the consumer group and queue name, e.g. `storefront-auth`. Each event is handled in one
    transaction together with its inbox row, so a repeated delivery changes nothing."""

    def __init__(
        self, name: str, db: Database, tables: MessagingTables, handlers: Mapping[str, Handler]
    ) -> None:
        self.name = name
        self.db = db
        self.tables = tables
        self.handlers = dict(handlers)

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def handle(self, envelope: Envelope) -> bool:
        """Handles the event once; returns False when it had been handled before."""
        token = correlation_id.set(envelope.correlation_id or str(envelope.id))
        inbox = self.tables.inbox
        try:
            with structlog.contextvars.bound_contextvars(
                consumer=self.name, event_id=str(envelope.id), event_type=envelope.type
            ):
                data = parse_data(envelope)
                async with self.db.sessionmaker() as session, session.begin():
                    # One statement records the event and tells whether it was new; a replica handling
                    # the same event at the same moment waits on the key, then finds it taken.
                    first_time = await session.scalar(
                        _insert_ignoring_duplicates(self.db.engine.dialect.name, inbox)
                        .values(
                            consumer=self.name,
                            event_id=envelope.id,
                            event_type=envelope.type,
                            handled_at=utcnow(),
                        )
                        .returning(inbox.c.event_id)
                    )
                    if first_time is None:
                        log.info("event_already_handled")
                        return False
                    await self.handlers[envelope.type](session, data, envelope)
                self.db.notify_committed(session)
                log.info("event_handled")
                return True
        finally:
            correlation_id.reset(token)

    async def handle_batch(self, envelopes: Sequence[Envelope]) -> None:
        """Handles deliveries that arrived together in one transaction (one inbox insert, one commit).
        Any failure rolls the whole batch back; the caller then handles each event on its own."""
        batch = [(envelope, parse_data(envelope)) for envelope in envelopes]
        inbox = self.tables.inbox
        now = utcnow()
        async with self.db.sessionmaker() as session, session.begin():
            rows = [
                {"consumer": self.name, "event_id": e.id, "event_type": e.type, "handled_at": now}
                for e in {e.id: e for e in envelopes}.values()
            ]
            statement = _insert_ignoring_duplicates(self.db.engine.dialect.name, inbox).values(rows)
            new = set(await session.scalars(statement.returning(inbox.c.event_id)))
            for envelope, data in batch:
                if envelope.id not in new:
                    continue
                new.discard(envelope.id)
                token = correlation_id.set(envelope.correlation_id or str(envelope.id))
                try:
                    await self.handlers[envelope.type](session, data, envelope)
                finally:
                    correlation_id.reset(token)
        self.db.notify_committed(session)
        log.info("event_batch_handled", consumer=self.name, events=len(envelopes))

    def report_failure(self, envelope: Envelope, attempt: int, exc: Exception) -> str:
        """Logs a failed attempt and returns the reason that travels with a dead letter."""
        reason = f"{type(exc).__name__}: {exc}"
        log.warning(
            "event_handler_failed",
            consumer=self.name,
            event_id=str(envelope.id),
            attempt=attempt,
            error=reason,
        )
        return reason

    async def dead_letter(self, envelope: Envelope, reason: str, attempts: int) -> None:
        async with self.db.sessionmaker() as session, session.begin():
            await session.execute(
                insert(self.tables.dead_letters).values(
                    id=uuid.uuid4(),
                    consumer=self.name,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    envelope=envelope.model_dump_json(),
                    reason=reason[:4000],
                    attempts=attempts,
                    failed_at=utcnow(),
                )
            )
        log.error("event_dead_lettered", consumer=self.name, event_id=str(envelope.id), reason=reason)


def _insert_ignoring_duplicates(dialect: str, table: Table) -> Any:
    return upsert_insert(dialect, table).on_conflict_do_nothing()


class Listener:
    """Every process gets every matching event (a broadcast); effects are in memory and idempotent."""

    def __init__(self, name: str, handlers: Mapping[str, ListenerHandler]) -> None:
        self.name = name
        self.handlers = dict(handlers)

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def handle(self, envelope: Envelope) -> None:
        token = correlation_id.set(envelope.correlation_id or str(envelope.id))
        try:
            await self.handlers[envelope.type](parse_data(envelope), envelope)
        finally:
            correlation_id.reset(token)
