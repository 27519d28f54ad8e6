"""`printbridge dead-letters --bus rabbitmq` against the real broker: a consumer group of this test only
(`--group`), dead-lettered by a real `RabbitMQBus` whose handler keeps failing, listed without being
taken, and replayed one by one into the group's queue, where the fixed consumer handles it once."""

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import pytest
from typer.testing import CliRunner

from printbridge.cli import app
from printbridge_shared.db import Database, make_metadata
from printbridge_shared.events import rabbitmq
from printbridge_shared.events.consumer import Consumer, on
from printbridge_shared.events.contracts import CONTRACTS, EventData, contract
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox, messaging_tables
from printbridge_shared.events.rabbitmq import RabbitMQBus, retry_queues
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AMQP_TEST_URL, eventually

pytestmark = pytest.mark.rabbitmq

runner = CliRunner()


RETRY = RetryPolicy(max_attempts=2, base_s=0.1)


class Pinged(EventData):
    event_type: ClassVar[str] = "test.pinged"
    number: int = 0


@pytest.fixture
def event_type() -> Iterator[str]:
    """A contract of this test's own, so events of other tests on the broker never reach its group."""
    name = f"test.pinged.{uuid.uuid4().hex[:12]}"
    contract(type(f"Pinged_{name}", (Pinged,), {"event_type": name}))
    yield name
    CONTRACTS.pop((name, 1), None)


@pytest.fixture
def group() -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    asyncio.run(_delete_queues(name, *retry_queues(name, RETRY), f"{name}.dead"))


@pytest.fixture
def env() -> dict[str, str]:
    return {"PRINTBRIDGE_AMQP_URL": AMQP_TEST_URL, "PRINTBRIDGE_LOG_LEVEL": "WARNING"}


async def _delete_queues(*names: str) -> None:
    connection = await aio_pika.connect(AMQP_TEST_URL)
    channel = await connection.channel()
    for name in names:
        await channel.queue_delete(name)
    await connection.close()


def envelope(event_type: str, number: int) -> Envelope:
    return Envelope(
        type=event_type, occurred_at=dt.datetime.now(dt.UTC), source="tests", data={"number": number}
    )


async def _ready_count(queue: str) -> int:
    connection = await aio_pika.connect(AMQP_TEST_URL)
    channel = await connection.channel()
    declared = await channel.declare_queue(queue, passive=True)
    await connection.close()
    count = declared.declaration_result.message_count
    assert count is not None
    return count


def ready_count(queue: str) -> int:
    return asyncio.run(_ready_count(queue))


def run_consumer(
    tmp_path: Path,
    group: str,
    event_type: str,
    handler: Any,
    until: Callable[[], Awaitable[bool]],
    publish: Sequence[Envelope] = (),
) -> None:
    """Runs a `RabbitMQBus` with one consumer of `group` (its inbox in a SQLite file), publishes through it
    one event after the other (each waits until the one before has left `<group>`), until `until()`."""

    async def run() -> None:
        metadata = make_metadata()
        tables = messaging_tables(metadata)
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        bus = RabbitMQBus(AMQP_TEST_URL, retry=RETRY, connect_timeout=5)
        subscription = on(CONTRACTS[(event_type, 1)], handler)
        bus.add_consumer(Consumer(group, db, tables, [subscription], outbox=Outbox(tables.outbox, "tests")))
        await bus.start()
        try:
            for number, item in enumerate(publish, start=1):
                await bus.publish(item)
                await eventually(lambda n=number: _reached(rabbitmq.dead_letter_queue(group), n))
            await eventually(until)
        finally:
            await bus.stop()
            await db.dispose()

    asyncio.run(run())


async def _reached(queue: str, count: int) -> bool:
    return await _ready_count(queue) >= count


def dead_letter(tmp_path: Path, group: str, event_type: str, *envelopes: Envelope) -> None:
    """Publishes through a bus whose handler keeps failing, until all of them wait in `<group>.dead`."""

    async def broken(_context: Any, _data: Any) -> None:
        raise ValueError("printer on fire")

    async def all_dead() -> bool:
        return await _ready_count(rabbitmq.dead_letter_queue(group)) == len(envelopes)

    run_consumer(tmp_path, group, event_type, broken, all_dead, publish=envelopes)


def invoke(env: dict[str, str], *args: str) -> Any:
    return runner.invoke(app, ["dead-letters", *args, "--bus", "rabbitmq"], env=env)


def listed(env: dict[str, str], group: str) -> list[dict[str, Any]]:
    result = invoke(env, "list", "--group", group, "--json")
    assert result.exit_code == 0, result.output
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def test_list_shows_the_dead_letters_and_leaves_them_in_order(tmp_path, group, event_type, env):
    envelopes = [envelope(event_type, n) for n in (1, 2, 3)]
    dead_letter(tmp_path, group, event_type, *envelopes)

    result = invoke(env, "list", "--group", group)

    assert result.exit_code == 0, result.output
    header, *lines, count = result.stdout.strip().splitlines()
    assert header.split()[0] == "WHERE"
    assert [line.split()[:4] for line in lines] == [[group, event_type, str(e.id), "2"] for e in envelopes]
    assert all(line.endswith("ValueError: printer on fire") for line in lines)
    assert count == "3 dead letters"
    assert ready_count(f"{group}.dead") == 3
    again = listed(env, group)
    assert [entry["event_id"] for entry in again] == [str(e.id) for e in envelopes]
    assert {entry["reason"] for entry in again} == {"ValueError: printer on fire"}
    assert all(dt.datetime.fromisoformat(entry["failed_at"]) <= dt.datetime.now(dt.UTC) for entry in again)
    assert ready_count(f"{group}.dead") == 3


def test_replay_moves_only_the_chosen_event_back_where_the_fixed_consumer_handles_it_once(
    tmp_path, group, event_type, env
):
    first, chosen, last = (envelope(event_type, n) for n in (1, 2, 3))
    dead_letter(tmp_path, group, event_type, first, chosen, last)

    result = invoke(env, "replay", "--group", group, "--event-id", str(chosen.id))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [
        f"requeued  {group}  {event_type}  {chosen.id}",
        "requeued 1",
    ]
    assert [entry["event_id"] for entry in listed(env, group)] == [str(first.id), str(last.id)]
    message = asyncio.run(_peek(group))
    assert message["message_id"] == str(chosen.id)
    assert message["delivery_mode"] == aio_pika.DeliveryMode.PERSISTENT
    assert Envelope.model_validate_json(message["body"]) == chosen
    assert not set(message["headers"]) & {*rabbitmq.FAILURE_HEADERS, "x-death"}
    assert message["headers"].get("x-delivery-count", 0) == 0

    handled: list[uuid.UUID] = []

    async def fixed(context: Any, _data: Any) -> None:
        handled.append(context.envelope.id)

    async def done() -> bool:
        return bool(handled) and await _ready_count(group) == 0

    run_consumer(tmp_path, group, event_type, fixed, done)
    assert handled == [chosen.id]
    assert [entry["event_id"] for entry in listed(env, group)] == [str(first.id), str(last.id)]


async def _peek(queue: str) -> dict[str, Any]:
    """The first message of `queue`, given back (closing the channel requeues it)."""
    connection = await aio_pika.connect(AMQP_TEST_URL)
    channel = await connection.channel()
    declared = await channel.declare_queue(queue, passive=True)
    message = await declared.get(no_ack=False, timeout=5)
    assert message is not None
    seen = {
        "message_id": message.message_id,
        "delivery_mode": message.delivery_mode,
        "body": message.body,
        "headers": dict(message.headers),
    }
    await connection.close()
    return seen


def test_a_dead_letter_whose_republish_fails_stays_dead(group, event_type, env):
    """`<group>` does not exist: the broker returns the copy, so the dead letter must not be acked."""
    item = envelope(event_type, 1)

    async def park() -> None:
        connection = await aio_pika.connect(AMQP_TEST_URL)
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(f"{group}.dead", durable=True, arguments=rabbitmq.QUORUM)
        headers = {"x-failure-reason": "ValueError: printer on fire", "x-attempts": 5, "x-consumer": group}
        message = aio_pika.Message(
            item.model_dump_json().encode(), message_id=str(item.id), type=event_type, headers=headers
        )
        await channel.default_exchange.publish(message, f"{group}.dead")
        await connection.close()

    asyncio.run(park())

    result = invoke(env, "replay", "--group", group, "--all")

    assert result.exit_code == 1
    failed, summary = result.stdout.strip().splitlines()
    assert failed.startswith(
        f"failed  {group}  {event_type}  {item.id}  RuntimeError: queue {group} does not exist"
    )
    assert summary == "failed 1"
    assert [entry["event_id"] for entry in listed(env, group)] == [str(item.id)]
    assert listed(env, group)[0]["failed_at"] is None


def test_an_unknown_event_id_moves_nothing_and_exits_1(tmp_path, group, event_type, env):
    item = envelope(event_type, 1)
    dead_letter(tmp_path, group, event_type, item)
    missing = str(uuid.uuid4())

    result = invoke(env, "replay", "--group", group, "--event-id", missing)

    assert result.exit_code == 1
    assert result.stdout.strip().splitlines()[-1] == "not found 1"
    assert [entry["event_id"] for entry in listed(env, group)] == [str(item.id)]
