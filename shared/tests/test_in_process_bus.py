"""The embedded bus keeps the same promises as RabbitMQ: exactly-once effects, retries, dead letters
with the reason, and no event lost while nothing consumed (the outbox holds it)."""

import asyncio

from asgi_correlation_id import correlation_id
from sqlalchemy import select

from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox, OutboxRelay


def in_process_bus() -> InProcessBus:
    return InProcessBus(max_attempts=3, retry_delay=0.01)


async def test_an_event_published_once_is_handled_once_even_when_delivered_twice(
    make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged.event_type))
    await bus.start()
    envelope = make_envelope(number=7)

    await bus.publish(envelope)
    await bus.publish(envelope)

    assert await service.effect_numbers() == [7]
    assert await service.count(service.tables.inbox, event_id=envelope.id) == 1


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered_with_the_reason(
    make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    calls = []

    async def broken(_session, _data, envelope):
        calls.append(envelope.id)
        raise ValueError("printer on fire")

    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged.event_type, broken))
    await bus.start()
    envelope = make_envelope()

    await bus.publish(envelope)

    assert calls == [envelope.id] * bus.max_attempts
    dead_letters = service.tables.dead_letters
    async with service.db.sessionmaker() as session:
        dead = (await session.execute(select(dead_letters))).one()
    assert (dead.consumer, dead.event_id, dead.attempts) == ("group", envelope.id, bus.max_attempts)
    assert dead.reason == "ValueError: printer on fire"
    assert Envelope.model_validate_json(dead.envelope) == envelope
    assert await service.count(service.tables.inbox) == 0


async def test_a_handler_that_fails_once_then_succeeds_is_handled_after_a_retry(
    make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    attempts = []

    async def flaky(session, data, envelope):
        attempts.append(envelope.id)
        if len(attempts) == 1:
            raise ConnectionError("database hiccup")
        await service.record_effect(session, data, envelope)

    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged.event_type, flaky))
    await bus.start()

    await bus.publish(make_envelope(number=3))

    assert await service.effect_numbers() == [3]
    assert len(attempts) == 2
    assert await service.count(service.tables.dead_letters) == 0


async def test_an_event_recorded_while_nothing_consumed_is_delivered_when_the_relay_runs(
    make_service, pinged
):
    service = await make_service("service")
    outbox = Outbox(service.tables.outbox, "service")
    token = correlation_id.set("req-1")
    try:
        async with service.db.sessionmaker() as session, session.begin():
            recorded = await outbox.record(session, pinged(number=5))
    finally:
        correlation_id.reset(token)
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged.event_type))
    await bus.start()

    assert await OutboxRelay(service.db, service.tables.outbox, bus).publish_pending() == 1

    assert await service.effect_numbers() == [5]
    [received] = service.seen
    assert (received.id, received.correlation_id) == (recorded.id, "req-1")
    async with service.db.sessionmaker() as session:
        assert await session.scalar(select(service.tables.outbox.c.published_at)) is not None


async def test_a_failing_listener_does_not_stop_the_others(pinged, make_envelope):
    received = []

    async def broken(_data, _envelope):
        raise RuntimeError("cache broken")

    async def remember(data, _envelope):
        received.append(data.number)

    bus = in_process_bus()
    bus.add_listener(Listener("broken", {pinged.event_type: broken}))
    bus.add_listener(Listener("cache", {pinged.event_type: remember}))
    await bus.start()

    await bus.publish(make_envelope(number=4))

    assert received == [4]


async def test_the_relay_publishes_beside_an_open_write_transaction_and_marks_once_it_ends(
    make_service, pinged, eventually
):
    """On SQLite the relay reads its rows without the single writer connection, so a request that holds
    the writer does not hold up publishing; only marking the rows sent waits for the writer."""
    service, consumer = await make_service("service"), await make_service("consumer")
    async with service.db.session() as session:
        await Outbox(service.tables.outbox, "service").record(session, pinged(number=7))
    bus = in_process_bus()
    bus.add_consumer(consumer.consumer("group", pinged.event_type))
    await bus.start()
    relay = OutboxRelay(service.db, service.tables.outbox, bus)

    async with service.db.sessionmaker() as writer, writer.begin():
        await writer.execute(select(1))  # BEGIN IMMEDIATE: this transaction holds the writer
        publishing = asyncio.create_task(relay.publish_pending())
        await eventually(lambda: len(consumer.seen) == 1, within=5)
        assert not publishing.done()
    assert await asyncio.wait_for(publishing, timeout=5) == 1
