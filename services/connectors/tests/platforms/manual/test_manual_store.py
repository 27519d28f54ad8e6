"""Manual stores: created through POST /v1/stores with a name and nothing else, connected at once, never
polled, disconnected like any store."""

import json
import uuid

import pytest
from sqlalchemy import select

from connectors.models import Store, jobs, messaging
from connectors.store.jobs import ReconcileAll
from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import bearer, recorded_events

from ...conftest import unscheduled_job_kinds


def user(auth, customer_id, role="admin"):
    return bearer(auth.customer_user_token(customer_id=customer_id, role=role))


async def create(client, headers, **fields):
    return await client.post(
        "/v1/stores", json={"platform": "manual", "name": "Direct orders", **fields}, headers=headers
    )


async def events(app, event_type):
    return [e.data for e in await recorded_events(app.state.db, messaging.outbox) if e.type == event_type]


async def test_an_operator_creates_a_manual_store_for_a_customer_connected_at_once(
    app, client, operator, known_customer
):
    customer = await known_customer()

    answer = await create(client, operator, customer_id=str(customer))

    assert answer.status_code == 201, answer.text
    body = answer.json()
    store = body["store"]
    assert (store["platform"], store["name"], store["status"], store["customer_id"]) == (
        "manual",
        "Direct orders",
        "connected",
        str(customer),
    )
    assert (store["shop"], store["problems"], body["authorize_url"]) == (store["id"], [], None)
    assert store["connected_at"] is not None
    connected = await events(app, "store.connected")
    assert [(e["store_id"], e["platform"], e["status"]) for e in connected] == [
        (store["id"], "manual", "connected")
    ]
    async with app.state.db.session() as session:
        assert (await session.get(Store, uuid.UUID(store["id"]))).credentials is None
    assert await unscheduled_job_kinds(app) == []  # nothing to poll


async def test_a_customers_admin_creates_manual_stores_for_its_own_customer_listed_like_any_store(
    client, auth, known_customer
):
    customer = await known_customer()
    headers = user(auth, customer)

    first = await create(client, headers, name="Direct orders")
    second = await create(client, headers, name="Spreadsheet orders")

    assert (first.status_code, second.status_code) == (201, 201)
    listed = (await client.get("/v1/stores?platform=manual", headers=headers)).json()["items"]
    assert [s["name"] for s in listed] == ["Direct orders", "Spreadsheet orders"]
    assert first.json()["store"]["shop"] != second.json()["store"]["shop"]


@pytest.mark.parametrize("role", ["viewer", "store_manager", "order_manager"])
async def test_only_a_customers_admin_and_operators_create_manual_stores(client, auth, known_customer, role):
    customer = await known_customer()

    answer = await create(client, user(auth, customer, role))

    assert answer.status_code == 403
    assert (await create(client, {})).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"shop": "acme"}, "shop"),
    ],
)
async def test_a_manual_store_needs_a_name_and_takes_nothing_else(
    client, auth, known_customer, change, field
):
    customer = await known_customer()
    body = {"platform": "manual", "name": "Direct orders", **change}
    body = {key: value for key, value in body.items() if value is not None}

    answer = await client.post("/v1/stores", json=body, headers=user(auth, customer))

    assert answer.status_code == 422, answer.text
    assert [e["loc"][-1] for e in answer.json()["errors"]] == [field]


async def test_manual_stores_are_left_out_of_the_reconcile_schedule_and_refuse_a_reconcile_or_reconnect(
    app, client, operator, known_customer, make_store
):
    customer = await known_customer()
    manual = (await create(client, operator, customer_id=str(customer))).json()["store"]
    shop = await make_store(customer, platform=Platform.shopify)

    async with app.state.db.session() as session:
        await ReconcileAll().prepare(session, None)  # type: ignore[arg-type]  # the job is not read
    async with app.state.db.session() as session:
        polled = await session.scalars(
            select(jobs.jobs.c.payload).where(jobs.jobs.c.kind == "store.reconcile")
        )
        assert [json.loads(payload)["store_id"] for payload in polled] == [str(shop.id)]

    refused = await client.post(f"/v1/stores/{manual['id']}/reconcile", headers=operator)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/nothing-to-reconcile")
    not_again = await client.post(f"/v1/stores/{manual['id']}/reconnect", headers=operator)
    assert (not_again.status_code, not_again.json()["type"]) == (
        409,
        "https://printbridge.dev/problems/reconnect-not-supported",
    )
    assert "manual store has no shop" in not_again.json()["detail"]


async def test_disconnecting_a_manual_store_keeps_it_and_publishes_the_news(
    app, client, auth, known_customer
):
    customer = await known_customer()
    headers = user(auth, customer)
    store = (await create(client, headers)).json()["store"]

    answer = await client.delete(f"/v1/stores/{store['id']}", headers=headers)

    assert answer.status_code == 204
    shown = (await client.get(f"/v1/stores/{store['id']}", headers=headers)).json()
    assert (shown["status"], shown["disconnected_at"] is not None) == ("disconnected", True)
    assert [e["store_id"] for e in await events(app, "store.disconnected")] == [store["id"]]
    assert await unscheduled_job_kinds(app) == []  # no webhooks to remove
