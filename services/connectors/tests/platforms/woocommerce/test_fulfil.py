"""Fulfilment back to WooCommerce against the sandbox: a shipped request sets the order `completed` and
adds a customer note with the carrier, the tracking number and its link (WooCommerce mails it to the
buyer), answered `shop_fulfillment.succeeded`; the same request twice adds no second note; a read-only
key and a shop that stays down are answered `shop_fulfillment.failed` with the fix; a test order is
checked, not sent; a probe (Printbridge's own test order, which the shop does not have) reads orders
once and writes to order 0 to prove the key may write, reading and changing no order."""

import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from printbridge_shared.events.contracts import ShopFulfillmentRequested
from printbridge_shared.testing import eventually

from ...fulfilment.answers import answer, ask
from .conftest import Connected, Sandbox, outbox_events, store_row

pytestmark = pytest.mark.postgres_only

TRACKING = {
    "number": "00340434123456789012",
    "url": "https://www.dhl.de/t/00340434123456789012",
    "company": "DHL",
}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two attempts, a short pause between them (read by the app's settings when it is made)."""
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_ATTEMPTS", "2")
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_RETRY_BASE_S", "0.05")


def requested(
    store: Connected, customer_id: uuid.UUID, order: dict[str, Any], **changes: Any
) -> ShopFulfillmentRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "store_id": uuid.UUID(store.store_id),
        "customer_id": customer_id,
        "platform": "woocommerce",
        "external_order_id": str(order["id"]),
        "external_order_number": str(order.get("number") or order["id"]),
        "lines": [
            {"external_id": str(line["id"]), "quantity": line["quantity"]} for line in order["line_items"]
        ],
        "tracking": TRACKING,
        "requested_at": dt.datetime.now(dt.UTC),
    }
    return ShopFulfillmentRequested.model_validate(values | changes)


async def order_notes(sandbox: Sandbox, store: Connected, order: dict[str, Any]) -> dict[str, Any]:
    """`{status, notes}` of the order as the shop has it."""
    answer = await sandbox.control.get(f"/sites/{store.shop.slug}/orders/{order['id']}/notes")
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def customer_notes(seen: dict[str, Any]) -> list[str]:
    return [note["note"] for note in seen["notes"] if note["customer_note"]]


async def test_a_shipped_order_is_completed_with_a_customer_note_naming_the_tracking(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    order = await sandbox.place_order(store.shop.slug)
    data = requested(store, customer_id, order)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "succeeded", event
    seen = await order_notes(sandbox, store, order)
    assert seen["status"] == "completed"
    [note] = customer_notes(seen)
    assert "DHL" in note and TRACKING["number"] in note and TRACKING["url"] in note
    assert [str(n["id"]) for n in seen["notes"] if n["customer_note"]] == event["external_fulfillment_ids"]


async def test_the_same_request_twice_adds_no_second_note(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    order = await sandbox.place_order(store.shop.slug)
    data = requested(store, customer_id, order)
    await ask(app.state.db, data)
    await answer(app.state.db, data.request_id)

    await ask(app.state.db, data)
    kind, again = await answer(app.state.db, data.request_id, count=2)

    assert kind == "succeeded", again
    assert len(customer_notes(await order_notes(sandbox, store, order))) == 1


async def test_a_read_only_key_is_answered_failed_and_reported_on_the_store(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    order = await sandbox.place_order(store.shop.slug)
    changed = await sandbox.control.patch(
        f"/sites/{store.shop.slug}/keys/{store.shop.key_id}", json={"permissions": "read"}
    )
    assert changed.status_code == 200, changed.text
    data = requested(store, customer_id, order)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert event["reason"].startswith("WooCommerce refuses to let the store's key update orders")
    assert "Read/Write" in event["fix"]
    assert (await store_row(app, store.store_id)).status == "permission_missing"
    seen = await order_notes(sandbox, store, order)
    assert seen["status"] != "completed" and customer_notes(seen) == []


async def test_a_shop_that_stays_down_is_tried_again_then_answered_failed(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.misbehave(store.shop.slug, fail_next_calls=1000, fail_status=503)
    data = requested(store, customer_id, order)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert "could not be reached for 2 attempts" in event["reason"]


async def test_a_test_order_is_checked_not_sent_and_a_read_only_key_fails_it(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    order = await sandbox.place_order(store.shop.slug)
    data = requested(store, customer_id, order, test=True)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert (kind, event["dry_run"]) == ("succeeded", True), event
    seen = await order_notes(sandbox, store, order)
    assert seen["status"] != "completed" and customer_notes(seen) == []

    await sandbox.control.patch(
        f"/sites/{store.shop.slug}/keys/{store.shop.key_id}", json={"permissions": "read"}
    )
    again = requested(store, customer_id, order, test=True)
    await ask(app.state.db, again)
    kind, event = await answer(app.state.db, again.request_id)
    assert kind == "failed" and "Read/Write" in event["fix"], event


def probe(store: Connected, customer_id: uuid.UUID) -> ShopFulfillmentRequested:
    """What orders asks for Printbridge's own test order: an order the shop does not have."""
    return ShopFulfillmentRequested.model_validate(
        {
            "request_id": uuid.uuid4(),
            "order_id": uuid.uuid4(),
            "store_id": uuid.UUID(store.store_id),
            "customer_id": customer_id,
            "platform": "woocommerce",
            "external_order_id": f"printbridge-test-{uuid.uuid4()}",
            "external_order_number": "TEST-1001",
            "lines": [{"external_id": "1", "quantity": 1}],
            "tracking": {"number": "TEST-TEST-1001"},
            "test": True,
            "probe": True,
            "requested_at": dt.datetime.now(dt.UTC),
        }
    )


async def order_calls_after(
    sandbox: Sandbox, store: Connected, number: int
) -> list[tuple[str, str, str, int]]:
    """The shop's calls to its orders routes numbered after `number`: (method, route under wc/v3, query,
    status). The product sync that follows connecting may still be calling the products routes."""
    calls = [
        (call["method"], call["path"].split("/wp-json/wc/v3/")[-1], call["query"], call["status"])
        for call in await sandbox.calls(store.shop.slug)
        if call["number"] > number
    ]
    return [call for call in calls if call[1].startswith("orders")]


async def taken_in(app: FastAPI, order: dict[str, Any]) -> None:
    """Waits for the order's webhook to be taken in (after which nothing reads the order by itself)."""

    async def received() -> bool:
        events = await outbox_events(app, "shop_order.received")
        return any(event["external_id"] == str(order["id"]) for event in events)

    await eventually(received, within=20)


async def last_call(sandbox: Sandbox, store: Connected) -> int:
    return max((call["number"] for call in await sandbox.calls(store.shop.slug)), default=0)


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_a_probe_of_a_well_connected_store_succeeds_dry_run_and_reads_or_changes_no_order(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID, scheme: str
) -> None:
    store = await connected(scheme=scheme)
    order = await sandbox.place_order(store.shop.slug)
    await taken_in(app, order)
    before = await last_call(sandbox, store)
    data = probe(store, customer_id)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert (kind, event["dry_run"], event["external_fulfillment_ids"]) == ("succeeded", True, []), event
    calls = await order_calls_after(sandbox, store, before)
    assert [(method, route, status) for method, route, _query, status in calls] == [
        ("GET", "orders", 200),
        ("PUT", "orders/0", 400),  # woocommerce_rest_shop_order_invalid_id: the key may write
    ]
    assert "per_page=1" in calls[0][2]
    seen = await order_notes(sandbox, store, order)
    assert seen["status"] == order["status"] and seen["notes"] == []
    assert (await store_row(app, store.store_id)).status == "connected"


async def test_a_probe_with_a_read_only_key_fails_with_the_read_write_fix_and_shows_on_the_store(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    await sandbox.control.patch(
        f"/sites/{store.shop.slug}/keys/{store.shop.key_id}", json={"permissions": "read"}
    )
    before = await last_call(sandbox, store)
    data = probe(store, customer_id)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert event["reason"].startswith("WooCommerce refuses to let the store's key update orders"), event
    assert "Read/Write" in event["fix"]
    assert f"POST /v1/stores/{store.store_id}/test-order" in event["fix"]
    calls = await order_calls_after(sandbox, store, before)
    assert [(method, route, status) for method, route, _query, status in calls] == [
        ("GET", "orders", 200),
        ("PUT", "orders/0", 401),
    ]
    store_now = await store_row(app, store.store_id)
    assert store_now.status == "permission_missing"


async def test_a_probe_with_a_revoked_key_fails_with_the_new_key_fix(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="https")

    async def products_synced() -> bool:
        return (await store_row(app, store.store_id)).products_synced_until is not None

    await eventually(products_synced)  # so that the probe is the first to meet the revoked key
    revoked = await sandbox.control.delete(f"/sites/{store.shop.slug}/keys/{store.shop.key_id}")
    assert revoked.status_code == 204, revoked.text
    data = probe(store, customer_id)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert kind == "failed", event
    assert event["reason"].startswith("WooCommerce refuses the store's REST API key (401)"), event
    assert "create a new key" in event["fix"]
    assert (await store_row(app, store.store_id)).status == "auth_error"


async def test_a_test_order_of_the_shop_is_checked_without_writing_it(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    order = await sandbox.place_order(store.shop.slug)
    await taken_in(app, order)
    before = await last_call(sandbox, store)
    data = requested(store, customer_id, order, test=True)

    await ask(app.state.db, data)
    kind, event = await answer(app.state.db, data.request_id)

    assert (kind, event["dry_run"]) == ("succeeded", True), event
    calls = await order_calls_after(sandbox, store, before)
    assert [(method, route, status) for method, route, _query, status in calls] == [
        ("GET", f"orders/{order['id']}", 200),
        ("PUT", "orders/0", 400),
    ]
    assert (await order_notes(sandbox, store, order))["notes"] == []
