"""Consumers: a durable consumer group (shared by a service's replicas, idempotent through the inbox)
and a per-process listener (for in-memory effects such as revocation caches)."""

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import Database, upsert_insert, utcnow
from printbridge_shared.events.contracts import EventData, parse_data
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import MessagingTables
from printbridge_shared.metrics import ServiceMetrics

log = structlog.get_logger(__name__)

Handler = Callable[[AsyncSession, EventData, Envelope], Awaitable[None]]
ListenerHandler = Callable[[EventData, Envelope], Awaitable[None]]
# A caller's own write that must commit or roll back together with the events' effects.
TransactionWork = Callable[[AsyncSession], Awaitable[Any]]


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
        # The service's metrics, set when its app registers the consumer (counts handled events).
        self.metrics: ServiceMetrics | None = None

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def handle(self, envelope: Envelope, *, in_transaction: TransactionWork | None = None) -> bool:
        """Handles the event once; returns False when it had been handled before."""
        return await self.handle_batch([envelope], in_transaction=in_transaction) == 1

    async def handle_batch(
        self, envelopes: Sequence[Envelope], *, in_transaction: TransactionWork | None = None
    ) -> int:
        """Handles events in one transaction: one inbox insert records them and tells which are new (a
        replica handling the same event at the same moment waits on the key, then finds it taken), then
        each new one's handler runs, then one commit. Any failure rolls the whole batch back (callers of
        a batch then handle each event on its own). Returns how many were new.

        `in_transaction(session)` runs after the handlers, before the commit, also when every event had
        been handled before (a replayed dead letter is deleted there, together with the effect)."""
        batch = [(envelope, parse_data(envelope)) for envelope in envelopes]
        inbox = self.tables.inbox
        now = utcnow()
        async with self.db.sessionmaker() as session, session.begin():
            rows = [
                {"consumer": self.name, "event_id": e.id, "event_type": e.type, "handled_at": now}
                for e in {e.id: e for e in envelopes}.values()
            ]
            insert_new = upsert_insert(self.db.engine.dialect.name, inbox).on_conflict_do_nothing()
            new = set(await session.scalars(insert_new.values(rows).returning(inbox.c.event_id)))
            handled = []
            for envelope, data in batch:
                if envelope.id not in new:
                    self._log(envelope, "event_already_handled")
                    continue
                new.discard(envelope.id)
                token = correlation_id.set(envelope.correlation_id or str(envelope.id))
                try:
                    with structlog.contextvars.bound_contextvars(
                        consumer=self.name, event_id=str(envelope.id), event_type=envelope.type
                    ):
                        await self.handlers[envelope.type](session, data, envelope)
                finally:
                    correlation_id.reset(token)
                handled.append(envelope)
            if in_transaction is not None:
                await in_transaction(session)
        self.db.notify_committed(session)
        for envelope in handled:
            self._log(envelope, "event_handled")
            if self.metrics is not None:
                self.metrics.events_handled.labels(self.metrics.service, self.name, envelope.type).inc()
        return len(handled)

    def _log(self, envelope: Envelope, event: str) -> None:
        token = correlation_id.set(envelope.correlation_id or str(envelope.id))
        try:
            log.info(event, consumer=self.name, event_id=str(envelope.id), event_type=envelope.type)
        finally:
            correlation_id.reset(token)

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


class Listener:
    """Every process gets every matching event (a broadcast); effects are in memory and idempotent.

    A broadcast queue lives only while its connection does: events published while a process was
    disconnected never reach it. `catch_up` runs after the bus reconnected, to reload what was missed."""

    def __init__(
        self,
        name: str,
        handlers: Mapping[str, ListenerHandler],
        catch_up: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.handlers = dict(handlers)
        self.catch_up = catch_up

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def handle(self, envelope: Envelope) -> None:
        token = correlation_id.set(envelope.correlation_id or str(envelope.id))
        try:
            await self.handlers[envelope.type](parse_data(envelope), envelope)
        finally:
            correlation_id.reset(token)


async def notify_listeners(listeners: Sequence[Listener], envelope: Envelope) -> None:
    """Best effort: a failing listener is logged and the others still hear the event."""
    for listener in listeners:
        if envelope.type in listener.handlers:
            try:
                await listener.handle(envelope)
            except Exception:
                log.exception("listener_failed", listener=listener.name, event_type=envelope.type)
