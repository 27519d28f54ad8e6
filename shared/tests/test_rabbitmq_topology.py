"""Topology before traffic, on the real broker: every consumer group's queues exist before any event is
published (declared by `printbridge migrate` and by whichever service starts first), so an event
published before its consumer ever ran waits for it; an event a group binds that still reaches no queue
stays in the outbox."""

import pytest
from sqlalchemy import select

from printbridge_shared.events import rabbitmq
from printbridge_shared.events.outbox import Outbox, OutboxRelay
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.events.topology import ConsumerGroup, UnroutableEvent
from printbridge_shared.testing import AMQP_TEST_URL

from .conftest import RETRY

pytestmark = pytest.mark.rabbitmq


def table(group: str, event_type: str) -> tuple[ConsumerGroup, ...]:
    return (ConsumerGroup(group, service="consumer", event_types=frozenset({event_type})),)


async def test_an_event_published_before_its_consumer_ever_started_is_handled_once_it_starts(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")
    groups = table(rabbit.group(), pinged.event_type)
    publisher = rabbit.bus(groups=groups)
    await publisher.start()

    await publisher.publish(make_envelope(number=1))
    consuming = rabbit.bus(groups=groups)
    consuming.add_consumer(service.consumer(groups[0].name, pinged))
    await consuming.start()

    async def handled() -> bool:
        return await service.effect_numbers() == [1]

    await eventually(handled)


async def test_the_declared_topology_keeps_events_for_a_group_no_service_has_started(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")
    groups = table(rabbit.group(), pinged.event_type)
    await rabbitmq.declare_topology(AMQP_TEST_URL, retry=RETRY, groups=groups)
    publisher = rabbit.bus()  # knows no group: what matters is what the broker holds
    await publisher.start()

    await publisher.publish(make_envelope(number=2))
    consuming = rabbit.bus(groups=groups)
    consuming.add_consumer(service.consumer(groups[0].name, pinged))
    await consuming.start()

    async def handled() -> bool:
        return await service.effect_numbers() == [2]

    await eventually(handled)
    for queue in (groups[0].name, rabbitmq.retry_queue(groups[0].name, 1), f"{groups[0].name}.dead"):
        channel = await rabbit.connection.channel()
        await channel.declare_queue(queue, passive=True)
        await channel.close()


async def test_an_unroutable_event_of_a_bound_type_stays_unsent_and_goes_out_once_the_queue_is_back(
    rabbit, make_service, pinged
):
    producer = await make_service("producer")
    groups = table(rabbit.group(), pinged.event_type)
    bus = rabbit.bus(groups=groups)
    await bus.start()
    channel = await rabbit.connection.channel()
    await channel.queue_delete(groups[0].name)
    await channel.close()
    async with producer.db.sessionmaker() as session, session.begin():
        await Outbox(producer.tables.outbox, "producer").record(session, pinged(number=1))
    relay = OutboxRelay(producer.db, producer.tables.outbox, bus)

    with pytest.raises(UnroutableEvent):
        await relay.publish_pending()

    async with producer.db.sessionmaker() as session:
        row = (await session.execute(select(producer.tables.outbox))).one()
    assert row.published_at is None
    assert row.attempts == 1
    assert groups[0].name in row.last_error
    await rabbitmq.declare_topology(AMQP_TEST_URL, retry=RETRY, groups=groups)
    assert await relay.publish_pending() == 1
    async with producer.db.sessionmaker() as session:
        assert await session.scalar(select(producer.tables.outbox.c.published_at)) is not None


async def test_the_bus_counts_the_dead_letters_waiting_in_a_groups_dead_letter_queue(
    rabbit, make_service, pinged, make_envelope, eventually
):
    service = await make_service("consumer")

    async def broken(_context, _data):
        raise ValueError("printer on fire")

    group = rabbit.group()
    bus = rabbit.bus(retry=RetryPolicy(max_attempts=1))
    bus.add_consumer(service.consumer(group, pinged, broken))
    await bus.start()
    assert await bus.parked([group]) == {group: 0}

    await bus.publish(make_envelope())

    async def one_parked() -> bool:
        return await bus.parked([group]) == {group: 1}

    await eventually(one_parked)
    assert await bus.parked(["no-such-group"]) == {}
    assert bus.is_ready()
