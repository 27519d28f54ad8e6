"""Fulfilment back to Etsy against the sandbox: a shipped request becomes createReceiptShipment (form
fields, the carrier as Etsy names it or `other`), the receipt shipped with the tracking code and the
buyer notified, answered `shop_fulfillment.succeeded`; the same request twice ships once; a grant
without `transactions_w` and a shop that stays down are answered `shop_fulfillment.failed` with the fix;
a test order is checked, not sent; a probe (Printbridge's own test order, which the shop does not have)
checks the grant and reads the shop, no receipt."""

import datetime as dt
import uuid
from typing import Any

import pytest

from printbridge_shared.events.contracts import ShopFulfillmentRequested
from printbridge_shared.testing import eventually

from ...fulfilment.answers import answer, ask
from . import test_with_sandbox
from .test_with_sandbox import World

pytestmark = pytest.mark.postgres_only

sandbox_url = test_with_sandbox.sandbox_url
world = test_with_sandbox.world

TRACKING = {
    "number": "9400111899223197428490",
    "url": "https://tools.usps.com/t/9400111899223197428490",
    "company": "USPS",
}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_ATTEMPTS", "2")
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_RETRY_BASE_S", "0.05")


def requested(
    world: World, store_id: str, receipt: dict[str, Any], **changes: Any
) -> ShopFulfillmentRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "store_id": uuid.UUID(store_id),
        "customer_id": world.customer_id,
        "platform": "etsy",
        "external_order_id": str(receipt["receipt_id"]),
        "external_order_number": str(receipt["receipt_id"]),
        "lines": [
            {"external_id": str(t["transaction_id"]), "quantity": t["quantity"]}
            for t in receipt["transactions"]
        ],
        "tracking": TRACKING,
        "requested_at": dt.datetime.now(dt.UTC),
    }
    return ShopFulfillmentRequested.model_validate(values | changes)


async def shipments(world: World, receipt: dict[str, Any]) -> dict[str, Any]:
    return dict(
        await world.control("GET", f"/shops/{world.shop_id}/receipts/{receipt['receipt_id']}/shipments")
    )


async def test_a_shipped_receipt_gets_a_shipment_with_the_tracking_code_and_the_buyer_is_told(world):
    store_id = await world.connected()
    receipt = await world.place()
    data = requested(world, store_id, receipt)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "succeeded", event
    seen = await shipments(world, receipt)
    assert seen["is_shipped"] is True
    [shipment] = seen["shipments"]
    assert (shipment["tracking_code"], shipment["carrier_name"], shipment["send_bcc"]) == (
        TRACKING["number"], "usps", False,
    )  # fmt: skip
    assert shipment["notified"]  # when Etsy told the buyer
    assert event["external_fulfillment_ids"] == [str(shipment["receipt_shipping_id"])]


async def test_a_carrier_etsy_does_not_list_is_sent_as_other(world):
    store_id = await world.connected()
    receipt = await world.place()
    data = requested(world, store_id, receipt, tracking={"number": "JJD000390007", "company": "Hermes"})

    await ask(world.db, data)
    assert (await answer(world.db, data.request_id))[0] == "succeeded"

    [shipment] = (await shipments(world, receipt))["shipments"]
    assert (shipment["carrier_name"], shipment["tracking_code"]) == ("other", "JJD000390007")


async def test_the_same_request_twice_ships_once(world):
    store_id = await world.connected()
    receipt = await world.place()
    data = requested(world, store_id, receipt)
    await ask(world.db, data)
    await answer(world.db, data.request_id)

    await ask(world.db, data)
    kind, again = await answer(world.db, data.request_id, count=2)

    assert kind == "succeeded", again
    assert len((await shipments(world, receipt))["shipments"]) == 1


async def test_a_shop_that_stays_down_is_tried_again_then_answered_failed(world):
    store_id = await world.connected()
    receipt = await world.place()
    await world.control("PUT", "/misbehaviour", json={"fail_next_calls": 1000, "fail_status": 503})
    data = requested(world, store_id, receipt)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert "could not be reached for 2 attempts" in event["reason"]
    await world.control("PUT", "/misbehaviour", json={"fail_next_calls": 0})
    assert (await shipments(world, receipt))["shipments"] == []


async def test_a_test_order_is_checked_not_sent(world):
    store_id = await world.connected()
    receipt = await world.place()
    data = requested(world, store_id, receipt, test=True)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert (kind, event["dry_run"]) == ("succeeded", True), event
    assert (await shipments(world, receipt))["shipments"] == []


@pytest.mark.parametrize("test_order", [False, True])
async def test_a_grant_without_transactions_w_is_answered_failed_with_the_reconnect_fix(
    world, monkeypatch, test_order
):
    monkeypatch.setattr(
        world.app.state.platforms.settings, "etsy_scopes", "transactions_r listings_r shops_r"
    )
    store_id = await world.connected()
    receipt = await world.place()
    data = requested(world, store_id, receipt, test=test_order)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert "/reconnect" in event["fix"]
    assert (await shipments(world, receipt))["shipments"] == []


def probe(world: World, store_id: str) -> ShopFulfillmentRequested:
    """What orders asks for Printbridge's own test order: a receipt the shop does not have."""
    return ShopFulfillmentRequested.model_validate(
        {
            "request_id": uuid.uuid4(),
            "order_id": uuid.uuid4(),
            "store_id": uuid.UUID(store_id),
            "customer_id": world.customer_id,
            "platform": "etsy",
            "external_order_id": f"printbridge-test-{uuid.uuid4()}",
            "external_order_number": "TEST-1001",
            "lines": [{"external_id": "1", "quantity": 1}],
            "tracking": {"number": "TEST-TEST-1001"},
            "test": True,
            "probe": True,
            "requested_at": dt.datetime.now(dt.UTC),
        }
    )


async def last_call(world: World) -> int:
    return max((call["number"] for call in await world.control("GET", "/calls")), default=0)


async def calls_after(world: World, number: int) -> list[tuple[str, str, int]]:
    return [
        (call["method"], call["path"], call["status"])
        for call in await world.control("GET", "/calls", params={"since": number})
    ]


async def test_a_probe_of_a_well_connected_store_succeeds_dry_run_reading_the_shop_and_no_receipt(world):
    store_id = await world.connected()
    receipt = await world.place()

    async def taken_in() -> bool:  # the notice's fetch of the receipt is over
        events = await world.events("shop_order.received")
        return any(event["external_id"] == str(receipt["receipt_id"]) for event in events)

    await eventually(taken_in, within=20)
    before = await last_call(world)
    data = probe(world, store_id)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert (kind, event["dry_run"], event["external_fulfillment_ids"]) == ("succeeded", True, []), event
    calls = await calls_after(world, before)
    assert ("GET", f"/v3/application/shops/{world.shop_id}", 200) in calls
    assert not [call for call in calls if "/receipts" in call[1]], calls
    assert (await shipments(world, receipt))["shipments"] == []


async def test_a_probe_of_a_grant_without_transactions_w_fails_with_the_reconnect_fix_calling_nothing(
    world, monkeypatch
):
    monkeypatch.setattr(
        world.app.state.platforms.settings, "etsy_scopes", "transactions_r listings_r shops_r"
    )
    store_id = await world.connected()
    before = await last_call(world)
    data = probe(world, store_id)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert "transactions_w" in event["reason"]
    assert f"/v1/stores/{store_id}/reconnect" in event["fix"]
    assert f"POST /v1/stores/{store_id}/test-order" in event["fix"]
    assert not [call for call in await calls_after(world, before) if "/shops/" in call[1]]
    assert (await world.store(store_id))["status"] == "permission_missing"


async def test_a_probe_of_a_revoked_grant_fails_with_the_reconnect_fix(world):
    store_id = await world.connected()
    await world.control("POST", f"/sellers/{world.user_id}/change_password")
    data = probe(world, store_id)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert event["reason"].startswith("Etsy no longer accepts Printbridge's access to this shop"), event
    assert f"/v1/stores/{store_id}/reconnect" in event["fix"]
    store = await world.store(store_id)
    assert (store["status"], [p["code"] for p in store["problems"]]) == ("auth_error", ["token_revoked"])
