"""Two replicas handling two versions of one order at the same moment: one order, the newer version
kept, both noted. On PostgreSQL the first transaction is held open until the second one is seen waiting
for it, so the race happens every time rather than by chance."""

import asyncio
import datetime as dt
import random

import pytest
from sqlalchemy import text

from orders.messaging.topology import CONSUMER_GROUP
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually


def envelope_of(data) -> Envelope:
    return Envelope(
        type=data.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="connectors",
        customer_id=data.customer_id,
        data=data.model_dump(mode="json"),
    )


async def the_order(client, operator) -> dict:
    [summary] = (await client.get("/v1/orders", headers=operator)).json()["items"]
    return (await client.get(f"/v1/orders/{summary['id']}", headers=operator)).json()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("existing", [False, True], ids=["new order", "order held"])
@pytest.mark.parametrize(("first", "second"), [(5, 10), (10, 5)], ids=["newer waits", "older waits"])
async def test_two_versions_handled_at_once_keep_one_order_with_the_newer_version(
    app, client, operator, bus, deliver, shop_order, existing, first, second
):
    if existing:
        await deliver(shop_order("received"))
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)
    first_holds = asyncio.Event()

    async def second_is_waiting() -> bool:
        async with app.state.db.engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        return bool(waiting)

    async def hold_until_the_second_waits(_session) -> None:
        first_holds.set()
        await eventually(second_is_waiting)

    versions = {
        minutes: shop_order("updated", updated_minutes=minutes, note=f"v{minutes}")
        for minutes in (first, second)
    }
    one = asyncio.create_task(
        consumer.handle(envelope_of(versions[first]), in_transaction=hold_until_the_second_waits)
    )
    await first_holds.wait()
    other = asyncio.create_task(consumer.handle(envelope_of(versions[second])))
    assert await asyncio.gather(one, other) == [True, True]

    order = await the_order(client, operator)
    assert order["note"] == "v10"
    assert order["source_updated_at"] == "2026-11-30T09:10:00Z"
    kinds = [entry["kind"] for entry in order["history"] if entry["status"] is None]
    expected_second = "updated" if second > first else "ignored_stale"
    assert kinds == (["received"] if existing else []) + [
        "updated" if existing else "received",
        expected_second,
    ]


async def test_many_versions_at_once_in_any_order_leave_the_newest(client, operator, bus, shop_order):
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)
    minutes = list(range(8))
    random.Random(7).shuffle(minutes)
    versions = [shop_order("updated", updated_minutes=m, note=f"v{m}") for m in minutes]

    handled = await asyncio.gather(*(consumer.handle(envelope_of(version)) for version in versions))

    order = await the_order(client, operator)
    assert handled == [True] * 8
    assert order["note"] == "v7"
    assert len([entry for entry in order["history"] if entry["status"] is None]) == 8
    assert len((await client.get("/v1/orders", headers=operator)).json()["items"]) == 1
