"""`shop_product.publish_requested` from the bus, for requests that never reach a shop: a store that is
unknown, another customer's, disconnected or not connected, or on a platform that cannot create products,
and a request id already used for another store, are each answered with `shop_product.publish_failed`
saying why; no job is left behind."""

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from connectors.models import ShopProductPublication, jobs, messaging
from printbridge_shared.events.contracts import (
    Platform,
    ShopProductDraftVariant,
    ShopProductPublishRequested,
    StoreStatus,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually


def requested(store_id: uuid.UUID, customer_id: uuid.UUID, **changes: Any) -> ShopProductPublishRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "store_id": store_id,
        "customer_id": customer_id,
        "title": "Flyer",
        "variants": (ShopProductDraftVariant(sku="FL", price=Decimal("9.00")),),
    }
    return ShopProductPublishRequested(**(values | changes))


async def deliver(bus: Any, data: ShopProductPublishRequested) -> None:
    await bus.publish(
        Envelope(
            type=data.event_type,
            version=1,
            occurred_at=dt.datetime.now(dt.UTC),
            source="mapping",
            customer_id=data.customer_id,
            data=data.model_dump(mode="json"),
        )
    )


async def failure(app: FastAPI, request_id: uuid.UUID) -> dict[str, Any]:
    """The publish_failed answer to the request, once it is recorded (and its envelope's customer)."""
    found: list[dict[str, Any]] = []

    async def answered() -> bool:
        table = messaging.outbox
        async with app.state.db.session() as session:
            rows = await session.scalars(
                select(table.c.envelope).where(table.c.event_type == "shop_product.publish_failed")
            )
            for row in rows:
                envelope = json.loads(row)
                if envelope["data"]["request_id"] == str(request_id):
                    found.append(envelope)
        return bool(found)

    await eventually(answered)
    return found[0]


async def open_publish_jobs(app: FastAPI) -> int:
    async with app.state.db.session() as session:
        kinds = await session.scalars(select(jobs.jobs.c.kind).where(jobs.jobs.c.kind == "products.publish"))
        return len(kinds.all())


async def no_publish_jobs(app: FastAPI) -> bool:
    return await open_publish_jobs(app) == 0


async def test_a_disconnected_store_is_answered_publish_failed(app, client, bus, make_store, known_customer):
    customer_id = await known_customer()
    store = await make_store(customer_id, status=StoreStatus.disconnected)
    data = requested(store.id, customer_id)

    await deliver(bus, data)
    envelope = await failure(app, data.request_id)

    assert envelope["customer_id"] == str(customer_id)
    assert envelope["data"]["store_id"] == str(store.id)
    assert envelope["data"]["reason"].startswith("The store is disconnected")
    assert envelope["data"]["failed_at"]
    # The answer is committed by the job's `prepare`; the job itself ends in the transaction after it.
    await eventually(lambda: no_publish_jobs(app))


async def test_a_store_with_a_problem_is_answered_with_its_status(
    app, client, bus, make_store, known_customer
):
    customer_id = await known_customer()
    store = await make_store(customer_id, status=StoreStatus.auth_error)
    data = requested(store.id, customer_id)

    await deliver(bus, data)

    reason = (await failure(app, data.request_id))["data"]["reason"]
    assert reason.startswith("The store is not connected (its status is auth_error)")
    assert f"GET /v1/stores/{store.id}" in reason


async def test_an_unknown_store_or_another_customers_is_answered_alike(
    app, client, bus, make_store, known_customer
):
    owner, other = await known_customer(), await known_customer()
    store = await make_store(owner)
    unknown = requested(uuid.uuid4(), owner)
    foreign = requested(store.id, other)

    await deliver(bus, unknown)
    await deliver(bus, foreign)

    assert (await failure(app, unknown.request_id))["data"]["reason"] == (
        f"There is no store {unknown.store_id} for this customer."
    )
    assert (await failure(app, foreign.request_id))["data"]["reason"] == (
        f"There is no store {store.id} for this customer."
    )


async def test_a_platform_that_cannot_create_products_is_answered_publish_failed(
    app, client, bus, make_store, known_customer
):
    customer_id = await known_customer()
    store = await make_store(customer_id, platform=Platform.manual, shop_key=f"manual:{uuid.uuid4()}")
    data = requested(store.id, customer_id)

    await deliver(bus, data)

    reason = (await failure(app, data.request_id))["data"]["reason"]
    assert reason.startswith("Printbridge cannot create products in manual shops")


async def test_a_request_id_used_for_another_store_is_refused(app, client, bus, make_store, known_customer):
    customer_id = await known_customer()
    first = await make_store(customer_id, name="First")
    second = await make_store(customer_id, name="Second")
    data = requested(second.id, customer_id)
    async with app.state.db.session() as session:
        session.add(
            ShopProductPublication(
                request_id=data.request_id,
                store_id=first.id,
                external_id="1001",
                published_at=dt.datetime.now(dt.UTC),
            )
        )

    await deliver(bus, data)

    reason = (await failure(app, data.request_id))["data"]["reason"]
    assert reason == f"The request id {data.request_id} was used for another store."
