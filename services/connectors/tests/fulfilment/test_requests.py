"""`shop_fulfillment.requested` from the bus, for requests that never reach a shop: a store that is
unknown, another customer's, disconnected or not connected, or a manual store (no shop), are each answered
with `shop_fulfillment.failed` saying why and what to do; no job is left behind. One request id has one
open job however often it is delivered."""

import datetime as dt
import json
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from connectors.fulfilment import service as fulfilment
from connectors.models import jobs, messaging
from printbridge_shared.events.contracts import Platform, ShopFulfillmentRequested, StoreStatus
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually


def requested(store_id: uuid.UUID, customer_id: uuid.UUID, **changes: Any) -> ShopFulfillmentRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "store_id": store_id,
        "customer_id": customer_id,
        "platform": "shopify",
        "external_order_id": "450789469",
        "lines": [{"external_id": "466157049", "quantity": 1}],
        "tracking": {"number": "1Z999AA10123456784", "company": "UPS"},
        "requested_at": dt.datetime.now(dt.UTC),
    }
    return ShopFulfillmentRequested.model_validate(values | changes)


async def deliver(bus: Any, data: ShopFulfillmentRequested) -> None:
    await bus.publish(
        Envelope(
            type=data.event_type,
            version=1,
            occurred_at=dt.datetime.now(dt.UTC),
            source="orders",
            customer_id=data.customer_id,
            data=data.model_dump(mode="json"),
        )
    )


async def failure(app: FastAPI, request_id: uuid.UUID) -> dict[str, Any]:
    """The shop_fulfillment.failed answer to the request once it is recorded (with its envelope)."""
    found: list[dict[str, Any]] = []

    async def answered() -> bool:
        table = messaging.outbox
        async with app.state.db.session() as session:
            rows = await session.scalars(
                select(table.c.envelope).where(table.c.event_type == "shop_fulfillment.failed")
            )
            found.extend(e for e in map(json.loads, rows) if e["data"]["request_id"] == str(request_id))
        return bool(found)

    await eventually(answered)
    return found[0]


async def open_jobs(app: FastAPI) -> list[str]:
    async with app.state.db.session() as session:
        rows = await session.scalars(
            select(jobs.jobs.c.unique_key).where(jobs.jobs.c.kind == fulfilment.SEND_FULFILMENT)
        )
        return [str(key) for key in rows.all()]


async def test_a_disconnected_store_is_answered_failed_with_the_connect_fix(
    app, client, bus, make_store, known_customer
):
    customer_id = await known_customer()
    store = await make_store(customer_id, status=StoreStatus.disconnected)
    data = requested(store.id, customer_id)

    await deliver(bus, data)
    envelope = await failure(app, data.request_id)

    assert envelope["customer_id"] == str(customer_id)
    answer = envelope["data"]
    assert (answer["store_id"], answer["order_id"], answer["platform"]) == (
        str(store.id), str(data.order_id), "shopify",
    )  # fmt: skip
    assert answer["tracking_number"] == "1Z999AA10123456784"
    assert answer["reason"].startswith("The store is disconnected")
    assert answer["fix"].startswith("Connect the shop again")

    async def no_job_left() -> bool:  # the answer is committed before the runner deletes its job
        return await open_jobs(app) == []

    await eventually(no_job_left)


async def test_a_store_with_a_credentials_problem_is_answered_with_its_status_and_where_to_look(
    app, client, bus, make_store, known_customer
):
    customer_id = await known_customer()
    store = await make_store(customer_id, status=StoreStatus.auth_error)
    data = requested(store.id, customer_id)

    await deliver(bus, data)

    answer = (await failure(app, data.request_id))["data"]
    assert answer["reason"] == "The store is not connected (its status is auth_error)."
    assert f"GET /v1/stores/{store.id}" in answer["fix"]


async def test_an_unknown_store_or_another_customers_is_answered_alike(
    app, client, bus, make_store, known_customer
):
    owner, other = await known_customer(), await known_customer()
    store = await make_store(owner)
    unknown, foreign = requested(uuid.uuid4(), owner), requested(store.id, other)

    await deliver(bus, unknown)
    await deliver(bus, foreign)

    assert (await failure(app, unknown.request_id))["data"]["reason"] == (
        f"There is no store {unknown.store_id} for this customer."
    )
    assert (await failure(app, foreign.request_id))["data"]["reason"] == (
        f"There is no store {store.id} for this customer."
    )


async def test_a_manual_store_has_no_shop_to_tell(app, client, bus, make_store, known_customer):
    customer_id = await known_customer()
    store = await make_store(customer_id, platform=Platform.manual, shop_key=f"manual:{uuid.uuid4()}")
    data = requested(store.id, customer_id, platform="manual")

    await deliver(bus, data)

    answer = (await failure(app, data.request_id))["data"]
    assert answer["reason"] == "manual stores have no shop to tell that an order shipped."
    assert answer["fix"].startswith("Nothing to do")


async def test_one_request_delivered_twice_while_open_has_one_job(app, make_store, known_customer):
    customer_id = await known_customer()
    store = await make_store(customer_id)
    data = requested(store.id, customer_id)
    # The app is not started (no `client`): no job runner takes the job, which stays queued.
    async with app.state.db.session() as session:
        await fulfilment.fulfilment_requested(session, data)
        await fulfilment.fulfilment_requested(session, data)

    assert await open_jobs(app) == [f"{fulfilment.SEND_FULFILMENT}:{data.request_id}"]
