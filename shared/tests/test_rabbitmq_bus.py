"""The RabbitMQ event bus against the real broker: at-least-once delivery, exactly-once effects."""

import random

import aio_pika
import pytest
import structlog
from asgi_correlation_id import correlation_id
from sqlalchemy import select

from printbridge_shared.events import rabbitmq
from printbridge_shared.events.consumer import Consumer, Listener, UnprocessableEvent
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox, OutboxRelay
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AMQP_TEST_URL

pytestmark = pytest.mark.rabbitmq


async def test_an_event_published_once_is_handled_once_even_when_delivered_twice(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")
    group = rabbit.group()
    bus = rabbit.bus()
    bus.add_consumer(service.consumer(group, pinged))
    await bus.start()
    envelope = make_envelope(number=7)

    await bus.publish(envelope)
    await bus.publish(envelope)
    await bus.publish(make_envelope(number=8))

    async def both_handled() -> bool:
        return await service.effect_numbers() == [7, 8]

    await eventually(both_handled)
    assert await service.count(service.tables.inbox, event_id=envelope.id) == 1
    assert await service.count(service.effects, event_id=envelope.id) == 1


async def test_published_messages_carry_the_envelope_and_the_request_id(rabbit, pinged, make_envelope):
    channel = await rabbit.connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(rabbitmq.EXCHANGE, routing_key=pinged.event_type)
    bus = rabbit.bus()
    await bus.start()
    envelope = make_envelope(number=1, correlation_id="req-9")

    await bus.publish(envelope)

    message = await queue.get(timeout=5)
    assert Envelope.model_validate_json(message.body) == envelope
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.content_type == "application/json"
    assert message.message_id == str(envelope.id)
    assert message.type == pinged.event_type
    assert message.correlation_id == "req-9"
    assert message.headers["x-request-id"] == "req-9"


async def test_an_event_nobody_subscribes_to_is_published_without_error(rabbit, make_envelope, monkeypatch):
    captured = structlog.testing.CapturingLogger()
    monkeypatch.setattr(rabbitmq, "log", captured)
    bus = rabbit.bus()
    await bus.start()

    await bus.publish(make_envelope())

    assert [call.args[0] for call in captured.calls] == ["event_bus_started", "event_without_consumer_group"]


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered_with_the_reason(
    rabbit, make_service, pinged, make_envelope, raising_handler
):
    service = await make_service("consumer")
    broken = raising_handler(ValueError("printer on fire"))

    group = rabbit.group()
    bus = rabbit.bus()
    bus.add_consumer(service.consumer(group, pinged, broken))
    await bus.start()
    envelope = make_envelope(correlation_id="req-2")

    await bus.publish(envelope)

    [dead] = await rabbit.dead_letters(group, count=1)
    assert Envelope.model_validate_json(dead.body) == envelope
    assert dead.headers["x-failure-reason"] == "ValueError: printer on fire"
    assert dead.headers["x-attempts"] == bus.retry.max_attempts
    assert dead.headers["x-consumer"] == group
    assert dead.headers["x-request-id"] == "req-2"
    assert dead.message_id == str(envelope.id)
    assert broken.calls == [envelope.id] * bus.retry.max_attempts
    assert await service.count(service.tables.inbox) == 0


async def test_a_handler_that_fails_once_then_succeeds_is_handled_after_a_retry(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")
    attempts = []

    async def flaky(context, data):
        attempts.append(context.envelope.id)
        if len(attempts) == 1:
            raise ConnectionError("database hiccup")
        await service.record_effect(context, data)

    group = rabbit.group()
    bus = rabbit.bus()
    bus.add_consumer(service.consumer(group, pinged, flaky))
    await bus.start()

    await bus.publish(make_envelope(number=3))

    async def handled() -> bool:
        return await service.effect_numbers() == [3]

    await eventually(handled)
    assert len(attempts) == 2


async def test_a_failed_event_waits_in_its_attempts_retry_queue_for_the_policys_jittered_delay(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")

    async def broken(_context, _data):
        raise ConnectionError("database hiccup")

    policy = RetryPolicy(max_attempts=3, base_s=60.0)
    group = rabbit.group()
    bus = rabbit.bus(retry=policy, rng=random.Random(5))
    bus.add_consumer(service.consumer(group, pinged, broken))
    await bus.start()

    await bus.publish(make_envelope())

    channel = await rabbit.connection.channel()
    waiting = await channel.declare_queue(rabbitmq.retry_queue(group, 1), passive=True)
    messages = []

    async def parked() -> bool:
        message = await waiting.get(no_ack=True, fail=False)
        if message is not None:
            messages.append(message)
        return bool(messages)

    await eventually(parked)
    [message] = messages
    assert message.expiration == pytest.approx(policy.delay(1, random.Random(5)), abs=0.001)
    assert message.headers["x-attempt"] == 2
    await channel.close()


async def test_a_handlers_permanent_error_goes_to_the_dead_letters_at_once_without_retries(
    rabbit, make_service, pinged, make_envelope, raising_handler
):
    service = await make_service("consumer")
    refuses = raising_handler(UnprocessableEvent("no such customer, ever"))

    group = rabbit.group()
    bus = rabbit.bus()
    bus.add_consumer(service.consumer(group, pinged, refuses))
    await bus.start()
    envelope = make_envelope()

    await bus.publish(envelope)

    [dead] = await rabbit.dead_letters(group, count=1)
    assert dead.headers["x-failure-reason"] == "UnprocessableEvent: no such customer, ever"
    assert dead.headers["x-attempts"] == 1
    assert refuses.calls == [envelope.id]


async def test_an_event_whose_data_fails_its_contract_goes_to_the_dead_letters_at_once(
    rabbit, make_service, pinged, make_envelope
):
    service = await make_service("consumer")
    group = rabbit.group()
    bus = rabbit.bus()
    bus.add_consumer(service.consumer(group, pinged))
    await bus.start()

    await bus.publish(make_envelope().model_copy(update={"data": {"number": "not a number"}}))

    [dead] = await rabbit.dead_letters(group, count=1)
    assert str(dead.headers["x-failure-reason"]).startswith("ValidationError:")
    assert dead.headers["x-attempts"] == 1
    assert await service.effect_numbers() == []


async def test_an_envelope_that_does_not_parse_goes_straight_to_the_dead_letter_queue(
    rabbit, make_service, pinged
):
    service = await make_service("consumer")
    group = rabbit.group()
    bus = rabbit.bus()
    bus.add_consumer(service.consumer(group, pinged))
    await bus.start()

    await rabbit.send_to_queue(group, b"{not json")

    [dead] = await rabbit.dead_letters(group, count=1)
    assert dead.body == b"{not json"
    assert str(dead.headers["x-failure-reason"]).startswith("unparseable envelope:")
    assert dead.headers["x-attempts"] == 1


async def test_a_consumer_that_was_down_catches_up_on_restart(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")
    group = rabbit.group()
    first = rabbit.bus()
    first.add_consumer(service.consumer(group, pinged))
    await first.start()
    await first.stop()
    publisher = rabbit.bus()
    await publisher.start()

    for number in (1, 2, 3):
        await publisher.publish(make_envelope(number=number))
    assert await service.effect_numbers() == []
    restarted = rabbit.bus()
    restarted.add_consumer(service.consumer(group, pinged))
    await restarted.start()

    async def caught_up() -> bool:
        return await service.effect_numbers() == [1, 2, 3]

    await eventually(caught_up)


async def test_replicas_of_a_consumer_group_share_the_work_and_handle_each_event_once(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")
    group = rabbit.group()
    replicas = [rabbit.bus(), rabbit.bus()]
    for replica in replicas:
        replica.add_consumer(service.consumer(group, pinged))
        await replica.start()

    for number in range(20):
        await replicas[number % 2].publish(make_envelope(number=number))

    async def all_handled() -> bool:
        return await service.effect_numbers() == list(range(20))

    await eventually(all_handled)


async def test_the_outbox_relay_publishes_over_rabbitmq_end_to_end(rabbit, make_service, pinged, eventually):
    producer = await make_service("producer")
    consumer = await make_service("consumer")
    group = rabbit.group()
    consuming_bus = rabbit.bus()
    consuming_bus.add_consumer(consumer.consumer(group, pinged))
    await consuming_bus.start()
    publishing_bus = rabbit.bus()
    await publishing_bus.start()
    outbox = Outbox(producer.tables.outbox, "producer")

    token = correlation_id.set("req-1")
    try:
        async with producer.db.sessionmaker() as session, session.begin():
            recorded = await outbox.record(session, pinged(number=5))
    finally:
        correlation_id.reset(token)
    assert await OutboxRelay(producer.db, producer.tables.outbox, publishing_bus).publish_pending() == 1

    async def handled() -> bool:
        return await consumer.effect_numbers() == [5]

    await eventually(handled)
    [received] = consumer.seen
    assert received.id == recorded.id
    assert received.correlation_id == "req-1"
    async with producer.db.sessionmaker() as session:
        published_at = await session.scalar(select(producer.tables.outbox.c.published_at))
    assert published_at is not None


async def test_the_outbox_relay_keeps_the_row_when_the_bus_is_down(make_service, pinged):
    producer = await make_service("producer")
    outbox = Outbox(producer.tables.outbox, "producer")
    async with producer.db.sessionmaker() as session, session.begin():
        await outbox.record(session, pinged(number=1))
    never_started = rabbitmq.RabbitMQBus(AMQP_TEST_URL)

    with pytest.raises(RuntimeError):
        await OutboxRelay(producer.db, producer.tables.outbox, never_started).publish_pending()

    async with producer.db.sessionmaker() as session:
        row = (await session.execute(select(producer.tables.outbox))).one()
    assert row.published_at is None
    assert row.attempts == 1


async def test_a_listener_on_every_bus_instance_receives_a_broadcast_event(
    rabbit, pinged, make_envelope, eventually
):
    received: dict[str, list[int]] = {"one": [], "two": []}

    def listener(name: str) -> Listener:
        async def remember(data, _envelope):
            received[name].append(data.number)

        return Listener(f"cache-{name}", {pinged.event_type: remember})

    for name in received:
        bus = rabbit.bus()
        bus.add_listener(listener(name))
        await bus.start()

    await rabbit.buses[0].publish(make_envelope(number=4))

    async def both_received() -> bool:
        return received == {"one": [4], "two": [4]}

    await eventually(both_received)


async def test_a_failing_listener_is_logged_and_the_next_event_still_arrives(
    rabbit, pinged, make_envelope, eventually
):
    received = []

    async def fragile(data, _envelope):
        if data.number == 1:
            raise RuntimeError("cache broken")
        received.append(data.number)

    bus = rabbit.bus()
    bus.add_listener(Listener("cache", {pinged.event_type: fragile}))
    await bus.start()

    await bus.publish(make_envelope(number=1))
    await bus.publish(make_envelope(number=2))

    async def second_arrived() -> bool:
        return received == [2]

    await eventually(second_arrived)


async def test_after_a_lost_connection_listeners_catch_up_and_hear_events_again(
    rabbit, pinged, make_envelope, eventually
):
    """A broadcast queue dies with its connection, so what was published meanwhile is missed: the
    listener's catch_up runs once the robust connection is back (storefront-auth's revocations)."""
    received, caught_up = [], []

    async def remember(data, _envelope):
        received.append(data.number)

    async def catch_up():
        caught_up.append(True)

    bus = rabbit.bus()
    bus.add_listener(Listener("cache", {pinged.event_type: remember}, catch_up=catch_up))
    await bus.start()
    connection = bus._connection
    assert connection is not None
    await connection.transport.connection.close(ConnectionResetError("network failure in the test"))

    async def reconnected() -> bool:
        return caught_up == [True] and bus.is_ready()

    await eventually(reconnected, within=20)
    await rabbit.buses[0].publish(make_envelope(number=7))

    async def heard() -> bool:
        return received == [7]

    await eventually(heard)


async def test_the_bus_is_ready_once_started_and_start_is_idempotent(rabbit):
    bus = rabbit.bus()
    assert not bus.is_ready()
    await bus.start()
    await bus.start()
    assert bus.is_ready()
    await bus.stop()
    assert not bus.is_ready()


async def test_starting_against_an_unreachable_broker_fails_with_a_clear_error_without_the_password():
    bus = rabbitmq.RabbitMQBus("amqp://guest:s3cret-pw@127.0.0.1:1/", connect_timeout=1)

    with pytest.raises(RuntimeError) as failure:
        await bus.start()

    assert "127.0.0.1:1" in str(failure.value)
    assert "s3cret-pw" not in str(failure.value)
    assert not bus.is_ready()


async def test_events_that_arrive_together_are_handled_once_each_in_shared_transactions(
    rabbit, make_service, pinged, make_envelope, eventually, monkeypatch
):
    service = await make_service("consumer")
    batches: list[int] = []
    handle_batch = Consumer.handle_batch

    async def counting(self, envelopes):
        batches.append(len(envelopes))
        await handle_batch(self, envelopes)

    monkeypatch.setattr(Consumer, "handle_batch", counting)
    group = rabbit.group()
    publisher = rabbit.bus()
    await publisher.start()
    consumer = rabbit.bus()
    consumer.add_consumer(service.consumer(group, pinged))
    await consumer.start()
    await consumer.stop()  # the queue exists; let the events pile up, then consume them all at once
    duplicate = make_envelope(number=0)
    await publisher.publish_batch([duplicate, duplicate, *(make_envelope(number=n) for n in range(1, 40))])
    restarted = rabbit.bus()
    restarted.add_consumer(service.consumer(group, pinged))
    await restarted.start()

    async def all_handled() -> bool:
        return await service.effect_numbers() == list(range(40))

    await eventually(all_handled)
    assert await service.count(service.tables.inbox) == 40
    assert max(batches) > 1, "deliveries that waited together share a transaction"


async def test_one_failing_event_in_a_batch_does_not_hold_up_the_others(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")

    async def fails_on_seven(context, data):
        if data.number == 7:
            raise ValueError("seven is unlucky")
        await service.record_effect(context, data)

    group = rabbit.group()
    publisher = rabbit.bus()
    await publisher.start()
    first = rabbit.bus()
    first.add_consumer(service.consumer(group, pinged, fails_on_seven))
    await first.start()
    await first.stop()
    await publisher.publish_batch([make_envelope(number=n) for n in range(20)])
    restarted = rabbit.bus()
    restarted.add_consumer(service.consumer(group, pinged, fails_on_seven))
    await restarted.start()

    async def others_handled() -> bool:
        return await service.effect_numbers() == [n for n in range(20) if n != 7]

    await eventually(others_handled)
    [dead] = await rabbit.dead_letters(group, count=1)
    assert dead.headers["x-failure-reason"] == "ValueError: seven is unlucky"
