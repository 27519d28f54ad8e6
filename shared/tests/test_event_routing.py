"""The in-process bus routes by the table of consumer groups like RabbitMQ routes by bindings: an event a
group binds is not marked sent while that group's consumer cannot take it; an event no group binds is
marked sent with a log line. And the outbox keeps sent rows only for the retention period."""

import asyncio
import datetime as dt
import uuid

import pytest
from prometheus_client import generate_latest
from sqlalchemy import insert, select
from structlog.testing import capture_logs

from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.outbox import Outbox, OutboxRelay, prune_messaging
from printbridge_shared.events.topology import ConsumerGroup, UnroutableEvent
from printbridge_shared.metrics import ServiceMetrics


async def record(service, data) -> None:
    async with service.db.sessionmaker() as session, session.begin():
        await Outbox(service.tables.outbox, "producer").record(session, data)


async def outbox_rows(service) -> list:
    async with service.db.sessionmaker() as session:
        return list(await session.execute(select(service.tables.outbox)))


async def test_an_event_a_group_binds_stays_unsent_while_that_groups_consumer_is_not_on_the_bus(
    make_service, pinged
):
    service = await make_service("service")
    bus = InProcessBus(groups=(ConsumerGroup("orders", "orders", frozenset({pinged.event_type})),))
    await bus.start()
    await record(service, pinged(number=1))
    metrics = ServiceMetrics("producer")
    relay = OutboxRelay(service.db, service.tables.outbox, bus, metrics=metrics)

    with capture_logs() as logs, pytest.raises(UnroutableEvent):
        await relay.publish_pending()

    [row] = await outbox_rows(service)
    assert (row.published_at, row.attempts) == (None, 1)
    assert "orders" in row.last_error
    assert {
        "event": "event_unroutable",
        "event_type": pinged.event_type,
        "groups": ["orders"],
    }.items() <= next(entry for entry in logs if entry["event"] == "event_unroutable").items()
    exported = generate_latest(metrics.registry).decode()
    assert (
        f'printbridge_events_unroutable_total{{event_type="{pinged.event_type}",service="producer"}} 1.0'
        in exported
    )
    bus.add_consumer(service.consumer("orders", pinged))
    assert await relay.publish_pending() == 1
    assert await service.effect_numbers() == [1]
    [row] = await outbox_rows(service)
    assert row.published_at is not None


async def test_an_event_no_group_binds_is_marked_sent_with_a_log_line(make_service, pinged):
    service = await make_service("service")
    heard = []

    async def remember(data, _envelope):
        heard.append(data.number)

    bus = InProcessBus()
    bus.add_listener(Listener("cache", {pinged.event_type: remember}))
    await bus.start()
    await record(service, pinged(number=2))

    with capture_logs() as logs:
        assert await OutboxRelay(service.db, service.tables.outbox, bus).publish_pending() == 1

    [row] = await outbox_rows(service)
    assert row.published_at is not None
    assert heard == [2]
    assert [entry["event_type"] for entry in logs if entry["event"] == "event_without_consumer_group"] == [
        pinged.event_type
    ]


NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


async def test_pruning_deletes_sent_outbox_rows_and_inbox_rows_older_than_the_retention(make_service):
    service = await make_service("service")
    outbox, inbox = service.tables.outbox, service.tables.inbox
    old, recent = NOW - dt.timedelta(days=15), NOW - dt.timedelta(days=13)

    def outbox_row(seq, created_at, published_at):
        return {
            "seq": seq,
            "event_id": uuid.uuid4(),
            "event_type": "test.kept",
            "envelope": "{}",
            "created_at": created_at,
            "published_at": published_at,
            "attempts": 1,
        }

    def inbox_row(handled_at):
        return {"consumer": "group", "event_id": uuid.uuid4(), "event_type": "t", "handled_at": handled_at}

    async with service.db.sessionmaker() as session, session.begin():
        await session.execute(
            insert(outbox),
            [outbox_row(1, old, old), outbox_row(2, recent, recent), outbox_row(3, old, None)],
        )
        await session.execute(insert(inbox), [inbox_row(old), inbox_row(recent)])

    pruned = await prune_messaging(service.db, service.tables, retention=dt.timedelta(days=14), now=NOW)

    assert pruned == (1, 1)
    assert sorted(row.seq for row in await outbox_rows(service)) == [2, 3]
    async with service.db.sessionmaker() as session:
        assert list(await session.scalars(select(inbox.c.handled_at))) == [recent]


async def test_the_relay_prunes_at_most_once_per_interval_of_its_clock(make_service):
    service = await make_service("service")
    now = [0.0]
    pruned = []

    async def prune():
        pruned.append(now[0])

    relay = OutboxRelay(
        service.db, service.tables.outbox, InProcessBus(), prune=prune, prune_every=3600, clock=lambda: now[0]
    )

    for moment in (0.0, 10.0, 3599.0, 3600.0, 3700.0, 7200.0):
        now[0] = moment
        await relay.prune_when_due()

    assert pruned == [0.0, 3600.0, 7200.0]


async def test_the_running_relay_prunes(make_service):
    service = await make_service("service")
    bus = InProcessBus()
    await bus.start()
    stopped = []

    async def prune_then_stop():
        stopped.append(True)
        relay.stop()

    relay = OutboxRelay(service.db, service.tables.outbox, bus, prune=prune_then_stop)

    await asyncio.wait_for(relay.run(), timeout=5)  # returns only because the prune stopped it
    assert stopped == [True]
