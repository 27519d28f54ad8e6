"""Late shop-order events change nothing and a cancellation stays, however they travel: through the
embedded bus and through a real RabbitMQ queue, to the orders service's own handlers and database."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from orders.messaging.handlers import SUBSCRIPTIONS
from orders.models import messaging
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.testing import rabbitmq_delivery

Send = Callable[[Envelope], Awaitable[None]]


def envelope_of(data) -> Envelope:
    return Envelope(
        type=data.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="connectors",
        customer_id=data.customer_id,
        data=data.model_dump(mode="json"),
    )


@pytest.fixture(params=["in_process", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
async def send(request, app, client, bus) -> AsyncIterator[Send]:
    """Hands an event to the orders handlers through one bus and waits until it is handled."""
    if request.param == "in_process":
        yield bus.publish
        return
    group = f"test-orders-{uuid.uuid4().hex[:12]}"
    outbox = Outbox(messaging.outbox, "orders")
    async with rabbitmq_delivery(
        Consumer(group, app.state.db, messaging, SUBSCRIPTIONS, outbox=outbox)
    ) as deliver:
        yield deliver


async def the_order(client, operator) -> dict:
    [summary] = (await client.get("/v1/orders", headers=operator)).json()["items"]
    return (await client.get(f"/v1/orders/{summary['id']}", headers=operator)).json()


async def test_an_older_version_after_the_newer_one_changes_nothing(client, operator, send, shop_order):
    await send(envelope_of(shop_order("updated", updated_minutes=10, note="newer")))
    await send(envelope_of(shop_order("received", note="older")))

    order = await the_order(client, operator)
    assert order["note"] == "newer"
    assert [entry["kind"] for entry in order["history"] if entry["status"] is None] == [
        "received",
        "ignored_stale",
    ]


async def test_a_later_update_keeps_the_cancellation(client, operator, send, shop_order):
    await send(envelope_of(shop_order("received")))
    await send(envelope_of(shop_order("cancelled", updated_minutes=5, cancel_reason="inventory")))
    await send(envelope_of(shop_order("updated", updated_minutes=9)))

    order = await the_order(client, operator)
    assert (order["status"], order["cancel_reason"]) == ("cancelled", "inventory")
    assert [entry["kind"] for entry in order["history"] if entry["status"] is None] == [
        "received",
        "cancelled",
        "updated",
    ]
