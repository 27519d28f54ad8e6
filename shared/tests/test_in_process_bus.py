"""The embedded bus keeps the same promises as RabbitMQ: exactly-once effects, retries on the same
schedule (without holding up the publisher's relay), dead letters with the reason, and no event lost
while nothing consumed (the outbox holds it)."""

import asyncio
import datetime as dt
import random

from asgi_correlation_id import correlation_id
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from printbridge_shared.db import utcnow
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.consumer import Listener, UnprocessableEvent
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox, OutboxRelay
from printbridge_shared.events.retry import RetryPolicy

RETRY = RetryPolicy(max_attempts=3, base_s=60.0)


def in_process_bus(**options) -> InProcessBus:
    return InProcessBus(retry=RETRY, **options)


class Publisher:
    """A service that records events in its outbox and the relay that hands them to the bus."""

    def __init__(self, service, bus):
        self.service = service
        self.outbox = Outbox(service.tables.outbox, "publisher")
        self.relay = OutboxRelay(service.db, service.tables.outbox, bus)

    async def record(self, data):
        async with self.service.db.sessionmaker() as session, session.begin():
            return await self.outbox.record(session, data)

    async def rows(self):
        async with self.service.db.sessionmaker() as session:
            table = self.service.tables.outbox
            return (await session.execute(select(table).order_by(table.c.seq))).all()

    async def let_retries_fall_due(self):
        """Moves every waiting row's next attempt into the past instead of waiting for it."""
        table = self.service.tables.outbox
        async with self.service.db.sessionmaker() as session, session.begin():
            await session.execute(
                update(table)
                .where(table.c.next_attempt_at.is_not(None))
                .values(next_attempt_at=utcnow() - dt.timedelta(seconds=1))
            )


async def dead_letters(service):
    async with service.db.sessionmaker() as session:
        return (await session.execute(select(service.tables.dead_letters))).all()


async def test_an_event_published_once_is_handled_once_even_when_delivered_twice(
    make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged))
    await bus.start()
    envelope = make_envelope(number=7)

    await bus.publish(envelope)
    await bus.publish(envelope)

    assert await service.effect_numbers() == [7]
    assert await service.count(service.tables.inbox, event_id=envelope.id) == 1


async def test_a_failing_consumer_does_not_hold_up_the_relay_and_its_event_waits_for_its_retry(
    make_service, pinged
):
    service = await make_service("service")

    async def fails_on_one(context, data):
        if data.number == 1:
            raise ConnectionError("database hiccup")
        await service.record_effect(context, data)

    bus = in_process_bus(rng=random.Random(3))
    bus.add_consumer(service.consumer("group", pinged, fails_on_one))
    await bus.start()
    publisher = Publisher(service, bus)
    await publisher.record(pinged(number=1))
    await publisher.record(pinged(number=2))
    before = utcnow()

    assert await publisher.relay.publish_pending() == 2

    assert await service.effect_numbers() == [2]
    failed, sent = await publisher.rows()
    assert sent.published_at is not None
    assert failed.published_at is None
    assert failed.attempts == 1
    expected_wait = RETRY.delay(1, random.Random(3))
    waited = (failed.next_attempt_at - before).total_seconds()
    assert expected_wait <= waited <= expected_wait + 5
    assert "ConnectionError: database hiccup" in failed.last_error
    assert await publisher.relay.publish_pending() == 0, "not due yet: the relay passes it over"


async def test_a_failed_event_is_delivered_again_when_due_and_handled_once(make_service, pinged):
    service = await make_service("service")
    attempts = []

    async def flaky(context, data):
        attempts.append(context.envelope.id)
        if len(attempts) == 1:
            raise ConnectionError("database hiccup")
        await service.record_effect(context, data)

    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged, flaky))
    await bus.start()
    publisher = Publisher(service, bus)
    await publisher.record(pinged(number=3))
    await publisher.relay.publish_pending()

    await publisher.let_retries_fall_due()
    assert await publisher.relay.publish_pending() == 1

    assert await service.effect_numbers() == [3]
    assert len(attempts) == 2
    [row] = await publisher.rows()
    assert row.published_at is not None
    assert await dead_letters(service) == []


async def test_a_consumer_that_handled_the_event_skips_it_when_another_ones_retry_brings_it_back(
    make_service, pinged
):
    steady, flaky_service = await make_service("steady"), await make_service("flaky")
    failures = []

    async def fails_once(context, data):
        if not failures:
            failures.append(1)
            raise ConnectionError("database hiccup")
        await flaky_service.record_effect(context, data)

    bus = in_process_bus()
    bus.add_consumer(steady.consumer("steady", pinged))
    bus.add_consumer(flaky_service.consumer("flaky", pinged, fails_once))
    await bus.start()
    publisher = Publisher(steady, bus)
    await publisher.record(pinged(number=4))
    await publisher.relay.publish_pending()
    await publisher.let_retries_fall_due()

    await publisher.relay.publish_pending()

    assert await steady.effect_numbers() == [4]
    assert await flaky_service.effect_numbers() == [4]


async def test_a_consumer_that_keeps_failing_is_dead_lettered_with_the_reason_after_the_last_attempt(
    make_service, pinged, raising_handler
):
    service = await make_service("consumer")
    broken = raising_handler(ValueError("printer on fire"))
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged, broken))
    await bus.start()
    publisher = Publisher(service, bus)
    recorded = await publisher.record(pinged(number=5))

    for _attempt in range(RETRY.max_attempts):
        await publisher.relay.publish_pending()
        await publisher.let_retries_fall_due()

    assert broken.calls == [recorded.id] * RETRY.max_attempts
    [dead] = await dead_letters(service)
    assert (dead.consumer, dead.event_id, dead.attempts) == ("group", recorded.id, RETRY.max_attempts)
    assert dead.reason == "ValueError: printer on fire"
    assert Envelope.model_validate_json(dead.envelope) == recorded
    assert await service.count(service.tables.inbox) == 0
    [row] = await publisher.rows()
    assert row.published_at is not None, "parked in the dead letters: the outbox row is done"


async def test_a_handlers_permanent_error_dead_letters_the_event_at_once_without_retries(
    make_service, pinged, raising_handler
):
    service = await make_service("consumer")
    refuses = raising_handler(UnprocessableEvent("the customer does not exist and never will"))
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged, refuses))
    await bus.start()
    publisher = Publisher(service, bus)
    recorded = await publisher.record(pinged(number=6))

    await publisher.relay.publish_pending()

    assert refuses.calls == [recorded.id]
    [dead] = await dead_letters(service)
    assert dead.attempts == 1
    assert dead.reason == "UnprocessableEvent: the customer does not exist and never will"
    [row] = await publisher.rows()
    assert row.published_at is not None


async def test_an_event_whose_data_fails_its_contract_is_dead_lettered_at_once(
    make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged))
    await bus.start()
    envelope = make_envelope().model_copy(update={"data": {"number": "not a number"}})

    await bus.publish(envelope)

    [dead] = await dead_letters(service)
    assert dead.attempts == 1
    assert dead.reason.startswith("ValidationError:")
    assert "number" in dead.reason
    assert await service.effect_numbers() == []


async def test_an_event_of_a_contract_version_the_consumer_does_not_read_is_dead_lettered_at_once(
    make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    bus = in_process_bus()
    bus.add_consumer(service.consumer("group", pinged))
    await bus.start()

    await bus.publish(make_envelope().model_copy(update={"version": 2}))

    [dead] = await dead_letters(service)
    assert dead.attempts == 1
    assert dead.reason.startswith("UnknownEventContract:")


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
    bus.add_consumer(service.consumer("group", pinged))
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


async def test_a_step_that_fails_in_a_savepoint_keeps_the_batchs_other_events_and_inbox_rows(
    make_service, pinged, make_envelope
):
    """What services do instead of `session.rollback()`: the failed step's savepoint is rolled back, the
    unit of work (the batch's other effects and inbox rows) stays."""
    service = await make_service("consumer")

    async def duplicate_step_on_two(context, data):
        await service.record_effect(context, data)
        if data.number == 2:
            try:
                async with context.session.begin_nested():
                    inbox = service.tables.inbox
                    row = {"consumer": "group", "event_id": context.envelope.id, "event_type": "x"}
                    await context.session.execute(inbox.insert().values(**row, handled_at=utcnow()))
            except IntegrityError:
                pass  # the step lost a race for a unique key; the event's own effect stands

    consumer = service.consumer("group", pinged, duplicate_step_on_two)
    envelopes = [make_envelope(number=n) for n in (1, 2, 3)]

    assert await consumer.handle_batch(envelopes) == 3

    assert await service.effect_numbers() == [1, 2, 3]
    assert await service.count(service.tables.inbox) == 3


async def test_the_running_relay_delivers_a_failed_event_again_once_its_retry_is_due(
    make_service, pinged, eventually
):
    service = await make_service("service")
    attempts = []

    async def flaky(context, data):
        attempts.append(context.envelope.id)
        if len(attempts) == 1:
            raise ConnectionError("database hiccup")
        await service.record_effect(context, data)

    bus = InProcessBus(retry=RetryPolicy(max_attempts=3, base_s=0.05))
    bus.add_consumer(service.consumer("group", pinged, flaky))
    await bus.start()
    publisher = Publisher(service, bus)
    await publisher.record(pinged(number=8))
    relay = asyncio.create_task(publisher.relay.run())
    try:

        async def handled() -> bool:
            return await service.effect_numbers() == [8]

        await eventually(handled, within=5)
    finally:
        publisher.relay.stop()
        await relay
    assert len(attempts) == 2


async def test_the_relay_publishes_beside_an_open_write_transaction_and_marks_once_it_ends(
    make_service, pinged, eventually
):
    """On SQLite the relay reads its rows without the single writer connection, so a request that holds
    the writer does not hold up publishing; only marking the rows sent waits for the writer."""
    service, consumer = await make_service("service"), await make_service("consumer")
    async with service.db.session() as session:
        await Outbox(service.tables.outbox, "service").record(session, pinged(number=7))
    bus = in_process_bus()
    bus.add_consumer(consumer.consumer("group", pinged))
    await bus.start()
    relay = OutboxRelay(service.db, service.tables.outbox, bus)

    async with service.db.sessionmaker() as writer, writer.begin():
        await writer.execute(select(1))  # BEGIN IMMEDIATE: this transaction holds the writer
        publishing = asyncio.create_task(relay.publish_pending())
        await eventually(lambda: len(consumer.seen) == 1, within=5)
        assert not publishing.done()
    assert await asyncio.wait_for(publishing, timeout=5) == 1
