"""Fulfilment back to Pressero against the sandbox (integrator-derived API): a shipped request becomes one
`Orders/Shipments` shipment naming the order's and items' GUIDs (read from the order, since our orders
keep its number) with the tracking, answered `shop_fulfillment.succeeded`; the same request twice ships
once (the items' shipments are read first); a shop that stays down is answered failed; a test order is
checked, not sent; a probe (Printbridge's own test order, which Pressero does not have) only gets a
token."""

import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from printbridge_shared.events.contracts import ShopFulfillmentRequested
from printbridge_shared.testing import eventually

from ...fulfilment.answers import answer, ask
from .conftest import Connected, Sandbox, published, store_row

pytestmark = pytest.mark.postgres_only

TRACKING = {"number": "1Z999AA10123456784", "company": "UPS Ground"}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_ATTEMPTS", "2")
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_RETRY_BASE_S", "0.05")


async def received_order(app: FastAPI, sandbox: Sandbox) -> dict[str, Any]:
    """An order placed in the sandbox and taken in (its `shop_order.received`)."""
    number = await sandbox.place_order()
    found: list[dict[str, Any]] = []

    async def taken_in() -> bool:
        found[:] = (await published(app, number))["received"]
        return bool(found)

    await eventually(taken_in, within=20)
    return found[0]


def requested(
    store: Connected, customer_id: uuid.UUID, order: dict[str, Any], **changes: Any
) -> ShopFulfillmentRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "store_id": uuid.UUID(store.store_id),
        "customer_id": customer_id,
        "platform": "pressero",
        "external_order_id": order["external_id"],
        "external_order_number": order["external_number"],
        "lines": [
            {"external_id": line["external_id"], "quantity": line["quantity"]} for line in order["line_items"]
        ],
        "tracking": TRACKING,
        "requested_at": dt.datetime.now(dt.UTC),
    }
    return ShopFulfillmentRequested.model_validate(values | changes)


async def shipments(sandbox: Sandbox, number: str) -> list[dict[str, Any]]:
    answer = await sandbox.control.get(f"/orders/{number}/shipments")
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_a_shipped_order_gets_one_shipment_of_its_items_with_the_tracking(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    order = await received_order(app, sandbox)
    data = requested(store, customer_id, order)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "succeeded", event
    [row] = await shipments(sandbox, order["external_id"])
    assert (row["ShipTracking"], row["ShipMethod"]) == (TRACKING["number"], "UPS Ground")
    assert row["OrderItemId"].lower() == order["line_items"][0]["external_id"].lower()
    assert event["external_fulfillment_ids"] == [row["ShipmentId"]]


async def test_the_same_request_twice_ships_once(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    order = await received_order(app, sandbox)
    data = requested(store, customer_id, order)
    await ask(app.state.db, data)
    await answer(app.state.db, data.request_id)

    await ask(app.state.db, data)
    kind, again = await answer(app.state.db, data.request_id, count=2)

    assert kind == "succeeded", again
    assert len(await shipments(sandbox, order["external_id"])) == 1


async def test_a_shop_that_stays_down_is_tried_again_then_answered_failed(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    order = await received_order(app, sandbox)
    await sandbox.switches(store.account, fail_5xx=1000)
    data = requested(store, customer_id, order)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert "could not be reached for 2 attempts" in event["reason"]
    await sandbox.switches(store.account, fail_5xx=0)
    assert await shipments(sandbox, order["external_id"]) == []


async def test_an_item_the_order_does_not_have_is_refused_with_the_fix(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    order = await received_order(app, sandbox)
    data = requested(store, customer_id, order, lines=[{"external_id": str(uuid.uuid4()), "quantity": 1}])

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert "has no items" in event["reason"] and "Pressero's admin" in event["fix"]


async def test_a_test_order_is_checked_not_sent(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    order = await received_order(app, sandbox)
    data = requested(store, customer_id, order, test=True)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert (kind, event["dry_run"]) == ("succeeded", True), event
    assert await shipments(sandbox, order["external_id"]) == []


def probe(store: Connected, customer_id: uuid.UUID) -> ShopFulfillmentRequested:
    """What orders asks for Printbridge's own test order: an order Pressero does not have."""
    return ShopFulfillmentRequested.model_validate(
        {
            "request_id": uuid.uuid4(),
            "order_id": uuid.uuid4(),
            "store_id": uuid.UUID(store.store_id),
            "customer_id": customer_id,
            "platform": "pressero",
            "external_order_id": f"printbridge-test-{uuid.uuid4()}",
            "external_order_number": "TEST-1001",
            "lines": [{"external_id": str(uuid.uuid4()), "quantity": 1}],
            "tracking": {"number": "TEST-TEST-1001"},
            "test": True,
            "probe": True,
            "requested_at": dt.datetime.now(dt.UTC),
        }
    )


async def test_a_probe_of_a_well_connected_store_succeeds_dry_run_with_a_token_and_no_order_read(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    before = len(await sandbox.calls(store.account))
    data = probe(store, customer_id)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert (kind, event["dry_run"], event["external_fulfillment_ids"]) == ("succeeded", True, []), event
    calls = [(call["method"], call["path"]) for call in (await sandbox.calls(store.account))[before:]]
    assert ("POST", "/api/token") in calls
    assert not [call for call in calls if "order" in call[1].lower()], calls


async def test_a_probe_whose_credentials_are_refused_fails_with_the_credentials_fix(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected()
    changed = await sandbox.control.put(
        f"/subscribers/{store.account.subscriber_id}/password", json={"password": "changed-in-pressero"}
    )
    assert changed.status_code == 200, changed.text
    data = probe(store, customer_id)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert event["reason"].startswith("Pressero refuses the store's API credentials"), event
    assert f"PUT /v1/stores/{store.store_id}/credentials" in event["fix"]
    assert f"POST /v1/stores/{store.store_id}/test-order" in event["fix"]
    assert (await store_row(app, store.store_id)).status == "auth_error"
