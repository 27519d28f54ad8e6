"""`printbridge dead-letters`: list the events a consumer group gave up on, and hand them back.

Embedded bus: dead letters are rows in the consuming service's `dead_letters` table. A replay hands the
envelope to the group's real consumer (built from the service's topology against its database, as the
running service builds it) and deletes the row in the same transaction as the effect; the inbox makes
a replay of an event that was handled meanwhile change nothing.

RabbitMQ: dead letters wait in `<group>.dead`. Reading takes every message without acking it and then
closes the channel, which returns them all to the queue in their order. A replay republishes the chosen
ones into `<group>` (persistent, with publisher confirms, without the failure and attempt headers, so
they start again at attempt 1) and acks each dead copy only once the broker confirmed its copy."""

import contextlib
import datetime as dt
import importlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage
from aiormq.abc import DeliveredMessage
from sqlalchemy import Table, delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge import suite
from printbridge.services import SERVICE_NAMES, messaging_tables_of
from printbridge_shared.db import Database, sqlite_file_missing, utcnow
from printbridge_shared.events import rabbitmq
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.events.topology import groups_of
from printbridge_shared.routes import SERVICES_BY_NAME

REASON_WIDTH = 60
# Each listing returns every message to `<group>.dead` once; depending on the version RabbitMQ 4.x counts
# returns against a quorum queue's delivery limit (default 20): one near it is pointed out (docs/events.md).
RETURNS_WARNING = 10
BROKER_TIMEOUT = 10.0


class DeadLetterError(Exception):
    """A database or the broker cannot be used; the message is one line for the operator."""


@dataclass(frozen=True)
class DeadLetter:
    service: str | None
    group: str
    event_id: str
    event_type: str
    attempts: int | None
    failed_at: dt.datetime | None
    reason: str
    # RabbitMQ: how often the broker has handed this message out and got it back (`x-delivery-count`).
    returns: int | None = None

    @property
    def where(self) -> str:
        return f"{self.service}/{self.group}" if self.service else self.group

    def as_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "group": self.group,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "attempts": self.attempts,
            "failed_at": self.failed_at.isoformat() if self.failed_at else None,
            "reason": self.reason,
            "returns": self.returns,
        }


@dataclass(frozen=True)
class Outcome:
    dead_letter: DeadLetter
    status: str  # "replayed", "already handled", "requeued" or "failed"
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass
class ReplayReport:
    outcomes: list[Outcome] = field(default_factory=list)
    # Asked-for event ids that are no dead letter in the selected services or groups.
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not any(o.failed for o in self.outcomes)


def normalize_event_id(value: str) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return value.strip()


def _missing(event_ids: Sequence[str] | None, found: Iterable[DeadLetter]) -> list[str]:
    if event_ids is None:
        return []
    seen = {d.event_id for d in found}
    return [e for e in dict.fromkeys(event_ids) if e not in seen]


# --- where the consumer groups come from ---------------------------------------------------------------


def _topology(service: str) -> ModuleType | None:
    """The service's `messaging.topology` module, or None for a service that consumes no events."""
    package = SERVICES_BY_NAME[service].package
    name = f"{package}.messaging.topology"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and name.startswith(error.name):
            return None
        raise


def consumer_groups(service: str) -> list[str]:
    return [group.name for group in groups_of(service)]


def service_consumers(service: str, db: Database) -> list[Consumer]:
    """The service's durable consumers against `db` and the service's outbox, from its topology's
    `consumers`: the same function the service's app registers them with."""
    topology = _topology(service)
    if topology is None:
        return []
    return list(topology.consumers(db, Outbox(messaging_tables_of(service).outbox, service)))


def rabbitmq_groups(services: Sequence[str], groups: Sequence[str] | None) -> list[tuple[str | None, str]]:
    """(service, group) pairs whose `<group>.dead` queues to read: the services' consumer groups, or the
    groups named by --group (with their service when a topology lists them)."""
    known = [(service, group) for service in SERVICE_NAMES for group in consumer_groups(service)]
    if not groups:
        return [(service, group) for service, group in known if service in services]
    owner = {group: service for service, group in known}
    return [(owner.get(group), group) for group in dict.fromkeys(groups)]


# --- embedded: the services' dead_letters tables ----------------------------------------------------------


@contextlib.asynccontextmanager
async def _service_database(service: str) -> AsyncIterator[Database | None]:
    """The service's database as the service left it (this command changes no schema); None for a SQLite
    file that does not exist yet (the service never ran there, so it has no dead letters). Database
    errors become one `DeadLetterError` line."""
    try:
        url = suite.database_url(service)
    except suite.ModeError as error:
        raise DeadLetterError(str(error)) from error
    if sqlite_file_missing(url):
        yield None
        return
    db: Database | None = None
    try:
        db = Database(url)
        yield db
    except (DBAPIError, OSError) as error:
        raise DeadLetterError(suite.unusable_database(service, url, error)) from error
    finally:
        if db is not None:
            await db.dispose()


def _row_to_dead_letter(service: str, row: Any) -> DeadLetter:
    return DeadLetter(
        service=service,
        group=row.consumer,
        event_id=str(row.event_id),
        event_type=row.event_type,
        attempts=row.attempts,
        failed_at=row.failed_at,
        reason=row.reason,
    )


def _dead_letters_table(service: str) -> Table:
    table: Table = messaging_tables_of(service).dead_letters
    return table


async def _rows(session: AsyncSession, table: Table, groups: Sequence[str] | None) -> list[Any]:
    query = select(table).order_by(table.c.failed_at, table.c.id)
    if groups:
        query = query.where(table.c.consumer.in_(groups))
    return list(await session.execute(query))


async def list_embedded(services: Sequence[str], groups: Sequence[str] | None = None) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    for service in services:
        async with _service_database(service) as db:
            if db is None:
                continue
            async with db.sessionmaker() as session:
                rows = await _rows(session, _dead_letters_table(service), groups)
            found += [_row_to_dead_letter(service, row) for row in rows]
    return found


async def replay_embedded(
    services: Sequence[str], event_ids: Sequence[str] | None, groups: Sequence[str] | None = None
) -> ReplayReport:
    """Each selected dead letter once, through the group's consumer: the row goes in the transaction
    that handled the event; a failure keeps it with the new reason and one more attempt."""
    report = ReplayReport()
    for service in services:
        async with _service_database(service) as db:
            if db is None:
                continue
            table = _dead_letters_table(service)
            async with db.sessionmaker() as session:
                rows = await _rows(session, table, groups)
            if event_ids is not None:
                rows = [row for row in rows if str(row.event_id) in event_ids]
            consumers = {c.name: c for c in service_consumers(service, db)}
            for row in rows:
                report.outcomes.append(await _replay_row(service, table, consumers.get(row.consumer), row))
    report.missing = _missing(event_ids, (o.dead_letter for o in report.outcomes))
    return report


async def _replay_row(service: str, table: Table, consumer: Consumer | None, row: Any) -> Outcome:
    dead_letter = _row_to_dead_letter(service, row)
    if consumer is None:
        return Outcome(dead_letter, "failed", f"{service} has no consumer group {row.consumer!r}")

    async def remove_row(session: AsyncSession) -> None:
        await session.execute(delete(table).where(table.c.id == row.id))

    attempt = row.attempts + 1
    try:
        envelope = Envelope.model_validate_json(row.envelope)
    except ValueError as exc:
        return Outcome(dead_letter, "failed", f"unparseable envelope: {exc}")
    try:
        new = await consumer.handle(envelope, in_transaction=remove_row)
    except Exception as exc:
        reason = consumer.report_failure(envelope, attempt, exc)
        async with consumer.db.sessionmaker() as session, session.begin():
            await session.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(reason=reason[:4000], attempts=attempt, failed_at=utcnow())
            )
        return Outcome(dead_letter, "failed", reason)
    return Outcome(dead_letter, "replayed" if new else "already handled")


# --- RabbitMQ: the `<group>.dead` queues ------------------------------------------------------------------


def _broker(url: str) -> str:
    parts = urlsplit(url)
    return f"RabbitMQ at {parts.hostname}:{parts.port or 5672}"


@contextlib.asynccontextmanager
async def _rabbitmq(url: str) -> AsyncIterator[AbstractConnection]:
    """A plain (not robust) connection: if it drops, the broker returns what was held, and we stop."""
    # aiormq logs a failed connect itself; the operator gets our one line instead.
    aiormq_log = logging.getLogger("aiormq.connection")
    level = aiormq_log.level
    aiormq_log.setLevel(logging.CRITICAL)
    try:
        connection = await aio_pika.connect(url, timeout=BROKER_TIMEOUT)
    except Exception as error:
        raise DeadLetterError(
            f"{_broker(url)} cannot be reached ({type(error).__name__}: {error}); check PRINTBRIDGE_AMQP_URL"
        ) from error
    finally:
        aiormq_log.setLevel(level)
    try:
        yield connection
    except (aio_pika.exceptions.AMQPError, aio_pika.exceptions.ChannelInvalidStateError, OSError) as error:
        raise DeadLetterError(f"{_broker(url)} failed ({type(error).__name__}: {error})") from error
    finally:
        with contextlib.suppress(Exception):
            await connection.close()


@contextlib.asynccontextmanager
async def _held_dead_letters(
    connection: AbstractConnection, group: str
) -> AsyncIterator[tuple[AbstractChannel, list[AbstractIncomingMessage]]]:
    """Takes every message of `<group>.dead` without acking it. Closing the channel afterwards returns
    the ones not acked to the queue, in their order (explicit nacks would reorder them). A group without
    a dead-letter queue (never started on this broker) yields no messages."""
    channel = await connection.channel(publisher_confirms=True)
    messages: list[AbstractIncomingMessage] = []
    try:
        try:
            queue = await channel.declare_queue(rabbitmq.dead_letter_queue(group), passive=True)
        except aio_pika.exceptions.ChannelNotFoundEntity:
            queue = None
        while queue is not None:
            message = await queue.get(no_ack=False, fail=False, timeout=BROKER_TIMEOUT)
            if message is None:
                break
            messages.append(message)
        yield channel, messages
    finally:
        if not channel.is_closed:
            await channel.close()


def _header_text(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _header_int(headers: Any, name: str) -> int | None:
    with contextlib.suppress(ValueError):
        text = _header_text(headers, name)
        return int(text) if text is not None else None
    return None


def _message_to_dead_letter(service: str | None, group: str, message: AbstractIncomingMessage) -> DeadLetter:
    """What the list shows of a message in `<group>.dead`; a header it lacks or cannot read shows as
    unknown, never as an error (the message itself is only read, never changed)."""
    headers = message.headers
    event_id, event_type = message.message_id, message.type
    if not event_id or not event_type:
        with contextlib.suppress(ValueError):
            envelope = Envelope.model_validate_json(message.body)
            event_id, event_type = event_id or str(envelope.id), event_type or envelope.type
    failed_at = None
    with contextlib.suppress(ValueError):
        failed_text = _header_text(headers, rabbitmq.FAILED_AT_HEADER)
        failed_at = dt.datetime.fromisoformat(failed_text) if failed_text else None
    return DeadLetter(
        service=service,
        group=group,
        event_id=normalize_event_id(event_id or "?"),
        event_type=event_type or "?",
        attempts=_header_int(headers, rabbitmq.ATTEMPTS_HEADER),
        failed_at=failed_at,
        reason=_header_text(headers, rabbitmq.FAILURE_REASON_HEADER) or "",
        returns=_header_int(headers, "x-delivery-count"),
    )


async def list_rabbitmq(url: str, groups: Sequence[tuple[str | None, str]]) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    async with _rabbitmq(url) as connection:
        for service, group in groups:
            async with _held_dead_letters(connection, group) as (_channel, messages):
                found += [_message_to_dead_letter(service, group, m) for m in messages]
    return found


async def replay_rabbitmq(
    url: str, groups: Sequence[tuple[str | None, str]], event_ids: Sequence[str] | None
) -> ReplayReport:
    """Moves the selected dead letters back into their group's queue, where the running service handles
    them as new deliveries; the others stay in `<group>.dead` as they were."""
    report = ReplayReport()
    async with _rabbitmq(url) as connection:
        for service, group in groups:
            async with _held_dead_letters(connection, group) as (channel, messages):
                for message in messages:
                    dead_letter = _message_to_dead_letter(service, group, message)
                    if event_ids is None or dead_letter.event_id in event_ids:
                        report.outcomes.append(await _requeue(channel, group, message, dead_letter))
    report.missing = _missing(event_ids, (o.dead_letter for o in report.outcomes))
    return report


async def _requeue(
    channel: AbstractChannel, group: str, message: AbstractIncomingMessage, dead_letter: DeadLetter
) -> Outcome:
    copy = rabbitmq.persistent_copy(message, rabbitmq.replay_headers(message.headers))
    try:
        confirmed = await channel.default_exchange.publish(
            copy, routing_key=group, mandatory=True, timeout=BROKER_TIMEOUT
        )
        if isinstance(confirmed, DeliveredMessage):
            raise RuntimeError(f"queue {group} does not exist")
    except Exception as exc:
        # Not acked: the dead copy goes back to `<group>.dead` when the channel closes.
        return Outcome(dead_letter, "failed", f"{type(exc).__name__}: {exc}")
    await message.ack()
    return Outcome(dead_letter, "requeued")


# --- what the command prints ----------------------------------------------------------------------------


def shorten(text: str, width: int = REASON_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else "-"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]


def render_list(dead_letters: Sequence[DeadLetter]) -> list[str]:
    if not dead_letters:
        return ["no dead letters"]
    header = ["WHERE", "EVENT TYPE", "EVENT ID", "ATTEMPTS", "FAILED AT", "REASON"]
    rows = [
        [
            d.where,
            d.event_type,
            d.event_id,
            str(d.attempts) if d.attempts is not None else "-",
            _when(d.failed_at),
            shorten(d.reason) or "-",
        ]
        for d in dead_letters
    ]
    count = len(dead_letters)
    return [*_table([header, *rows]), f"{count} dead letter{'s' if count != 1 else ''}"]


def render_json(dead_letters: Sequence[DeadLetter]) -> str:
    return json.dumps([d.as_json() for d in dead_letters], indent=2)


def delivery_limit_warnings(dead_letters: Sequence[DeadLetter]) -> list[str]:
    return [
        f"{d.event_id} in {rabbitmq.dead_letter_queue(d.group)} was returned to the queue {d.returns} times; "
        "RabbitMQ 4.x drops quorum-queue messages beyond their delivery limit (see docs/events.md)"
        for d in dead_letters
        if (d.returns or 0) >= RETURNS_WARNING
    ]


def render_replay(report: ReplayReport) -> list[str]:
    if not report.outcomes and not report.missing:
        return ["no dead letters to replay"]
    rows = [
        [
            o.status,
            o.dead_letter.where,
            o.dead_letter.event_type,
            o.dead_letter.event_id,
            shorten(o.error or ""),
        ]
        for o in report.outcomes
    ]
    missing = "no such dead letter (replayed already, or a typo?)"
    rows += [["not found", "-", "-", event_id, missing] for event_id in report.missing]
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    if report.missing:
        counts["not found"] = len(report.missing)
    summary = ", ".join(f"{status} {n}" for status, n in counts.items())
    return [*_table(rows), summary]


def known_services() -> str:
    return ", ".join(SERVICE_NAMES)
