"""Consumers: a durable consumer group (shared by a service's replicas, idempotent through the inbox)
and a per-process listener (for in-memory effects such as revocation caches)."""

import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog
from asgi_correlation_id import correlation_id
from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import Database, upsert_insert, utcnow
from printbridge_shared.events.contracts import EventData, UnknownEventContract, parse_data
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import MessagingTables, Outbox
from printbridge_shared.metrics import ServiceMetrics

log = structlog.get_logger(__name__)

ListenerHandler = Callable[[EventData, Envelope], Awaitable[None]]
# A caller's own write that must commit or roll back together with the events' effects.
TransactionWork = Callable[[AsyncSession], Awaitable[Any]]
D = TypeVar("D", bound=EventData)


class UnprocessableEvent(Exception):
    """Raised by a handler for an event that can never be handled, however often it is tried (it
    contradicts what the service knows for good): the event goes to the dead letters at once, with this
    error as the reason, without retries."""


@contextlib.contextmanager
def _correlated(envelope: Envelope) -> Iterator[None]:
    """Everything done for the event carries its request id (or, without one, the event's id)."""
    token = correlation_id.set(envelope.correlation_id or str(envelope.id))
    try:
        yield
    finally:
        correlation_id.reset(token)


def is_permanent(exc: BaseException) -> bool:
    """Failures that no retry can cure: data that fails its contract, a contract nobody knows, or a
    handler's `UnprocessableEvent`. Everything else is retried on the bus's schedule."""
    return isinstance(exc, UnprocessableEvent | UnknownEventContract | ValidationError)


@dataclass(frozen=True)
class EventContext:
    """The unit of work a handler runs in: the transaction that also records the inbox row, the
    service's own outbox for the events the handler records, and the envelope being handled."""

    session: AsyncSession
    outbox: Outbox
    envelope: Envelope


Handler = Callable[[EventContext, D], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[D]):
    """A handler for one contract. The consumer validates the data against `contract` once, so the
    handler gets the typed event (no casts in handlers)."""

    contract: type[D]
    handler: Handler[D]

    def parse(self, envelope: Envelope) -> D:
        if envelope.version != self.contract.event_version:
            raise UnknownEventContract(
                f"{envelope.type} v{envelope.version} is not the v{self.contract.event_version} "
                "this consumer reads"
            )
        return self.contract.model_validate(envelope.data)


def on(contract: type[D], handler: Handler[D]) -> Subscription[D]:
    return Subscription(contract, handler)


class Consumer:
    """`name` is the consumer group and queue name, e.g. `storefront-auth`. Each event is handled in one
    transaction together with its inbox row, so a repeated delivery changes nothing. Handlers record
    their own events through `outbox`, the service's outbox, in that same transaction."""

    def __init__(
        self,
        name: str,
        db: Database,
        tables: MessagingTables,
        subscriptions: Iterable[Subscription[Any]],
        *,
        outbox: Outbox,
    ) -> None:
        self.name = name
        self.db = db
        self.tables = tables
        self.outbox = outbox
        self.handlers: Mapping[str, Subscription[Any]] = {s.contract.event_type: s for s in subscriptions}
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
        batch = [(envelope, self._subscription(envelope).parse(envelope)) for envelope in envelopes]
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
                with (
                    _correlated(envelope),
                    structlog.contextvars.bound_contextvars(
                        consumer=self.name, event_id=str(envelope.id), event_type=envelope.type
                    ),
                ):
                    context = EventContext(session, self.outbox, envelope)
                    await self.handlers[envelope.type].handler(context, data)
                handled.append(envelope)
            if in_transaction is not None:
                await in_transaction(session)
        self.db.notify_committed(session)
        for envelope in handled:
            self._log(envelope, "event_handled")
            if self.metrics is not None:
                self.metrics.events_handled.labels(self.metrics.service, self.name, envelope.type).inc()
        return len(handled)

    def _subscription(self, envelope: Envelope) -> Subscription[Any]:
        try:
            return self.handlers[envelope.type]
        except KeyError:
            raise UnknownEventContract(f"consumer {self.name} does not handle {envelope.type}") from None

    def _log(self, envelope: Envelope, event: str) -> None:
        with _correlated(envelope):
            log.info(event, consumer=self.name, event_id=str(envelope.id), event_type=envelope.type)

    def report_failure(self, envelope: Envelope, attempt: int, exc: Exception) -> str:
        """Logs a failed attempt and returns the reason that travels with a dead letter."""
        reason = f"{type(exc).__name__}: {exc}"
        log.warning(
            "event_handler_failed",
            consumer=self.name,
            event_id=str(envelope.id),
            attempt=attempt,
            permanent=is_permanent(exc),
            error=reason,
        )
        return reason

    async def has_dead_letter(self, event_id: uuid.UUID) -> bool:
        dead_letters = self.tables.dead_letters
        query = select(func.count()).where(
            dead_letters.c.consumer == self.name, dead_letters.c.event_id == event_id
        )
        async with self.db.sessionmaker() as session:
            return bool(await session.scalar(query))

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
        with _correlated(envelope):
            await self.handlers[envelope.type](parse_data(envelope), envelope)


async def notify_listeners(listeners: Sequence[Listener], envelope: Envelope) -> None:
    """Best effort: a failing listener is logged and the others still hear the event."""
    for listener in listeners:
        if envelope.type in listener.handlers:
            try:
                await listener.handle(envelope)
            except Exception:
                log.exception("listener_failed", listener=listener.name, event_type=envelope.type)
