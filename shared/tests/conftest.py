"""Fixtures for the event bus tests: consumers with their own real SQLite database, a test-only event
contract whose type is unique per test (so parallel runs on one broker never see each other's events),
and RabbitMQ buses and consumer groups that are stopped and deleted afterwards."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy import Column, Integer, Table, func, insert, select

from printbridge_shared.db import GUID, Database, make_metadata
from printbridge_shared.events.consumer import Consumer, EventContext, Handler, on
from printbridge_shared.events.contracts import CONTRACTS, EventData, contract
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import MessagingTables, Outbox, messaging_tables
from printbridge_shared.events.rabbitmq import RabbitMQBus, retry_queues
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AMQP_TEST_URL
from printbridge_shared.testing import eventually as testing_eventually

RETRY = RetryPolicy(max_attempts=3, base_s=0.2)


class Pinged(EventData):
    event_type: ClassVar[str] = "test.pinged"
    number: int = 0


@dataclass
class Service:
    """One consuming (or publishing) service: its database with the messaging tables and an `effects`
    table its handler writes to, in the same transaction as the inbox row."""

    db: Database
    tables: MessagingTables
    effects: Table
    seen: list[Envelope] = field(default_factory=list)

    async def record_effect(self, context: EventContext, data: Pinged) -> None:
        self.seen.append(context.envelope)
        await context.session.execute(
            insert(self.effects).values(event_id=context.envelope.id, number=data.number)
        )

    def consumer(self, name: str, pinged: type[Pinged], handler: Handler[Pinged] | None = None) -> Consumer:
        subscription = on(pinged, handler or self.record_effect)
        return Consumer(name, self.db, self.tables, [subscription], outbox=Outbox(self.tables.outbox, name))

    async def count(self, table: Table, **where: Any) -> int:
        query = select(func.count()).select_from(table).filter_by(**where)
        async with self.db.sessionmaker() as session:
            return int(await session.scalar(query) or 0)

    async def effect_numbers(self) -> list[int]:
        async with self.db.sessionmaker() as session:
            return sorted((await session.scalars(select(self.effects.c.number))).all())


@pytest.fixture
async def make_service(tmp_path: Path) -> AsyncIterator[Callable[[str], Awaitable[Service]]]:
    services: list[Service] = []

    async def make(name: str) -> Service:
        metadata = make_metadata()
        tables = messaging_tables(metadata)
        effects = Table(
            "effects",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("event_id", GUID(), nullable=False),
            Column("number", Integer, nullable=False),
        )
        db = Database(f"sqlite+aiosqlite:///{tmp_path / name}.db")
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        services.append(Service(db, tables, effects))
        return services[-1]

    yield make
    for service in services:
        await service.db.dispose()


class RaisingHandler:
    """A handler that notes the id of every event it is given, then raises `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls: list[uuid.UUID] = []

    async def __call__(self, context: EventContext, _data: Pinged) -> None:
        self.calls.append(context.envelope.id)
        raise self.error


@pytest.fixture
def raising_handler() -> type[RaisingHandler]:
    return RaisingHandler


@pytest.fixture
def pinged() -> Iterator[type[Pinged]]:
    """A `Pinged` contract with a type of its own for this test."""
    event_type = f"test.pinged.{uuid.uuid4().hex[:12]}"
    model = contract(type(f"Pinged_{event_type}", (Pinged,), {"event_type": event_type}))
    yield model
    CONTRACTS.pop((event_type, 1), None)


@pytest.fixture
def make_envelope(pinged: type[Pinged]) -> Callable[..., Envelope]:
    def make(number: int = 0, correlation_id: str | None = None) -> Envelope:
        return Envelope(
            type=pinged.event_type,
            occurred_at=dt.datetime.now(dt.UTC),
            source="tests",
            correlation_id=correlation_id,
            data={"number": number},
        )

    return make


@pytest.fixture
def eventually() -> Callable[..., Awaitable[None]]:
    """Polls an async condition until it holds (bounded), instead of sleeping a fixed time."""
    return testing_eventually


class Rabbit:
    """Buses and consumer groups of one test; `close` stops the buses, then deletes the groups' queues."""

    def __init__(self, connection: AbstractRobustConnection) -> None:
        self.connection = connection
        self.buses: list[RabbitMQBus] = []
        self.queues: list[str] = []

    def group(self) -> str:
        name = f"test-{uuid.uuid4().hex[:12]}"
        self.queues += [name, *retry_queues(name, RETRY), f"{name}.dead"]
        return name

    def bus(self, **options: Any) -> RabbitMQBus:
        options = {"retry": RETRY, "connect_timeout": 5, **options}
        self.buses.append(RabbitMQBus(AMQP_TEST_URL, **options))
        return self.buses[-1]

    async def dead_letters(self, group: str, *, count: int) -> list[AbstractIncomingMessage]:
        """Takes `count` messages from the group's dead-letter queue, waiting for them to arrive."""
        channel = await self.connection.channel()
        queue = await channel.declare_queue(f"{group}.dead", passive=True)
        messages: list[AbstractIncomingMessage] = []

        async def arrived() -> bool:
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                messages.append(message)
            return len(messages) >= count

        await testing_eventually(arrived)
        await channel.close()
        return messages

    async def send_to_queue(self, queue: str, body: bytes) -> None:
        channel = await self.connection.channel()
        await channel.default_exchange.publish(aio_pika.Message(body, message_id="raw"), queue)
        await channel.close()

    async def close(self) -> None:
        for bus in self.buses:
            await bus.stop()
        channel = await self.connection.channel()
        for queue in self.queues:
            await channel.queue_delete(queue)
        await self.connection.close()


@pytest.fixture
async def rabbit() -> AsyncIterator[Rabbit]:
    rabbit = Rabbit(await aio_pika.connect_robust(AMQP_TEST_URL))
    yield rabbit
    await rabbit.close()


@pytest.fixture
def service_migrations() -> Path:
    """`database_url` for the shared library's tests: a migrated customers database, which holds every
    table the library itself defines (messaging and jobs); a test's own tables are created beside them."""
    from printbridge.services import migrations_dir

    return Path(migrations_dir("customers"))
