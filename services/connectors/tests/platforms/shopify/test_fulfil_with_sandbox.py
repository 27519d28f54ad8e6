"""Fulfilment back to Shopify against the sandbox: a shipped request becomes one fulfillment per
fulfillment order, naming the FULFILLMENT-ORDER line item ids (never the order's line item ids, which
Shopify refuses), with the tracking and the customer notified, answered `shop_fulfillment.succeeded`;
a request never ships twice (sent again, its answer lost); a missing write scope and a shop that stays
down are answered `shop_fulfillment.failed` with the fix; a test order is checked, not sent; a probe
(Printbridge's own test order, which the shop does not have) asks only for the app's access scopes."""

import datetime as dt
import uuid
from typing import Any

import pytest

from printbridge_sandbox.shopify.testing import order_body
from printbridge_shared.events.contracts import ShopFulfillmentRequested

from ...fulfilment.answers import answer, ask
from . import test_with_sandbox
from .test_with_sandbox import SHOP, World

pytestmark = pytest.mark.postgres_only

sandbox_url = test_with_sandbox.sandbox_url
world = test_with_sandbox.world

TRACKING = {
    "number": "00340434123456789012",
    "url": "https://www.dhl.de/t/00340434123456789012",
    "company": "DHL",
}
WRITE_SCOPE = "write_merchant_managed_fulfillment_orders"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two attempts, a short pause between them (read by the app's settings when `world` makes it)."""
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_ATTEMPTS", "2")
    monkeypatch.setenv("PRINTBRIDGE_FULFILMENT_RETRY_BASE_S", "0.05")


async def shop_order(world: World, lines: int = 1) -> dict[str, Any]:
    body = order_body()
    if lines == 2:
        body["line_items"].append(
            {**body["line_items"][0], "sku": "FLYER-A5", "title": "Flyer", "quantity": 100}
        )
    return dict(await world.control("POST", f"/shops/{SHOP}/orders", json=body))


def requested(world: World, store_id: str, order: dict[str, Any], **changes: Any) -> ShopFulfillmentRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "store_id": uuid.UUID(store_id),
        "customer_id": world.customer_id,
        "platform": "shopify",
        "external_order_id": str(order["id"]),
        "external_order_number": order["name"],
        "lines": [
            {"external_id": str(line["id"]), "quantity": line["quantity"]} for line in order["line_items"]
        ],
        "tracking": TRACKING,
        "requested_at": dt.datetime.now(dt.UTC),
    }
    return ShopFulfillmentRequested.model_validate(values | changes)


async def fulfillments(world: World, order: dict[str, Any]) -> list[dict[str, Any]]:
    return list(await world.control("GET", f"/shops/{SHOP}/orders/{order['id']}/fulfillments"))


async def test_a_shipped_order_is_fulfilled_through_its_fulfillment_orders_with_the_tracking(world):
    store_id = await world.connected()
    order = await shop_order(world)
    data = requested(world, store_id, order)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "succeeded", event
    [made] = await fulfillments(world, order)
    assert (made["tracking_number"], made["tracking_company"], made["tracking_url"]) == (
        TRACKING["number"], "DHL", TRACKING["url"],
    )  # fmt: skip
    assert made["notify_customer"] is True
    assert [(line["id"], line["quantity"]) for line in made["line_items"]] == [
        (order["line_items"][0]["id"], 2)
    ]
    assert event["external_fulfillment_ids"] == [made["admin_graphql_api_id"]]
    assert (event["tracking_number"], event["dry_run"], event["order_id"]) == (
        TRACKING["number"], False, str(data.order_id),
    )  # fmt: skip
    # Made on the order's fulfillment order: the sandbox refuses the order's line item ids as Shopify does.
    assert len(made["fulfillment_order_ids"]) == 1


async def test_the_same_request_twice_ships_once_and_is_answered_again(world):
    store_id = await world.connected()
    order = await shop_order(world)
    data = requested(world, store_id, order)
    await ask(world.db, data)
    await answer(world.db, data.request_id)

    await ask(world.db, data)
    kind, again = await answer(world.db, data.request_id, count=2)

    assert kind == "succeeded", again
    [made] = await fulfillments(world, order)
    assert again["external_fulfillment_ids"] == [made["admin_graphql_api_id"]]


async def test_an_answer_lost_after_shopify_made_the_fulfillment_makes_no_second_one(world):
    store_id = await world.connected()
    order = await shop_order(world)
    await world.misbehave(api_lose_mutation_answers=1)
    data = requested(world, store_id, order)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "succeeded", event
    [made] = await fulfillments(world, order)
    assert event["external_fulfillment_ids"] == [made["admin_graphql_api_id"]]


async def test_items_shipped_in_two_parcels_make_two_fulfillments_of_their_own_lines(world):
    store_id = await world.connected()
    order = await shop_order(world, lines=2)
    first_line, second_line = order["line_items"]
    first = requested(world, store_id, order, lines=[{"external_id": str(first_line["id"]), "quantity": 2}])
    second = requested(
        world,
        store_id,
        order,
        lines=[{"external_id": str(second_line["id"]), "quantity": 100}],
        tracking={"number": "1Z999AA10123456784", "company": "UPS"},
    )

    await ask(world.db, first)
    assert (await answer(world.db, first.request_id))[0] == "succeeded"
    await ask(world.db, second)
    assert (await answer(world.db, second.request_id))[0] == "succeeded"

    made = await fulfillments(world, order)
    assert [(f["tracking_number"], [line["id"] for line in f["line_items"]]) for f in made] == [
        (TRACKING["number"], [first_line["id"]]),
        ("1Z999AA10123456784", [second_line["id"]]),
    ]


async def test_a_line_beyond_the_first_page_of_fulfillment_order_line_items_is_found(world):
    store_id = await world.connected()
    body = order_body()
    template = body["line_items"][0]
    body["line_items"] = [
        {**template, "sku": f"CARD-{n}", "title": f"Card {n}", "quantity": 1} for n in range(55)
    ]
    order = dict(await world.control("POST", f"/shops/{SHOP}/orders", json=body))
    last = order["line_items"][-1]
    data = requested(world, store_id, order, lines=[{"external_id": str(last["id"]), "quantity": 1}])

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "succeeded", event
    [made] = await fulfillments(world, order)
    assert [line["id"] for line in made["line_items"]] == [last["id"]]


async def test_a_missing_write_scope_is_answered_failed_with_the_reconnect_fix_and_shown_on_the_store(world):
    store_id = await world.connected()
    order = await shop_order(world)
    await world.act("remove_scopes", scopes=[WRITE_SCOPE])
    data = requested(world, store_id, order)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert "/reconnect" in event["fix"] and store_id in event["fix"]
    assert await fulfillments(world, order) == []
    store = await world.status_becomes(store_id, "permission_missing")
    assert [problem["code"] for problem in store["problems"]] == ["scope_missing"]


async def test_a_shop_down_for_a_moment_is_tried_again_and_ships_once(world):
    store_id = await world.connected()
    order = await shop_order(world)
    await world.misbehave(api_fail_count=4)
    data = requested(world, store_id, order)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "succeeded", event
    assert len(await fulfillments(world, order)) == 1


async def test_a_shop_that_stays_down_is_tried_again_then_answered_failed(world):
    store_id = await world.connected()
    order = await shop_order(world)
    await world.misbehave(api_fail_count=50)
    data = requested(world, store_id, order)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert "could not be reached for 2 attempts" in event["reason"]
    await world.misbehave(api_fail_count=0)
    assert await fulfillments(world, order) == []


async def test_a_test_order_is_checked_not_sent(world):
    store_id = await world.connected()
    order = await shop_order(world)
    data = requested(world, store_id, order, test=True)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert (kind, event["dry_run"], event["external_fulfillment_ids"]) == ("succeeded", True, [])
    assert await fulfillments(world, order) == []


async def test_a_test_order_without_the_write_scope_fails_with_the_fix(world):
    store_id = await world.connected()
    order = await shop_order(world)
    await world.act("remove_scopes", scopes=[WRITE_SCOPE])
    data = requested(world, store_id, order, test=True)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert WRITE_SCOPE in event["reason"] and "/reconnect" in event["fix"]


def probe(world: World, store_id: str) -> ShopFulfillmentRequested:
    """What orders asks for Printbridge's own test order: an order the shop does not have."""
    return ShopFulfillmentRequested.model_validate(
        {
            "request_id": uuid.uuid4(),
            "order_id": uuid.uuid4(),
            "store_id": uuid.UUID(store_id),
            "customer_id": world.customer_id,
            "platform": "shopify",
            "external_order_id": f"printbridge-test-{uuid.uuid4()}",
            "external_order_number": "TEST-1001",
            "lines": [{"external_id": "1", "quantity": 1}],
            "tracking": {"number": "TEST-TEST-1001"},
            "test": True,
            "probe": True,
            "requested_at": dt.datetime.now(dt.UTC),
        }
    )


ORDER_FIELDS = {"order", "orders", "fulfillmentOrder", "fulfillmentCreate"}


async def test_a_probe_of_a_well_connected_store_succeeds_dry_run_asking_only_for_the_access_scopes(world):
    store_id = await world.connected()
    order = await shop_order(world)
    before = len(await world.calls())
    data = probe(world, store_id)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert (kind, event["dry_run"], event["external_fulfillment_ids"]) == ("succeeded", True, []), event
    asked = [call["fields"] for call in await world.calls(since=before)]
    assert ["currentAppInstallation"] in asked
    assert not ORDER_FIELDS & {field for fields in asked for field in fields}, asked
    assert await fulfillments(world, order) == []


async def test_a_probe_without_the_write_scope_fails_with_the_reconnect_fix_and_shows_on_the_store(world):
    store_id = await world.connected()
    await world.act("remove_scopes", scopes=[WRITE_SCOPE])
    before = len(await world.calls())
    data = probe(world, store_id)

    await ask(world.db, data)
    kind, event = await answer(world.db, data.request_id)

    assert kind == "failed", event
    assert WRITE_SCOPE in event["reason"]
    assert f"/v1/stores/{store_id}/reconnect" in event["fix"]
    assert f"POST /v1/stores/{store_id}/test-order" in event["fix"]
    asked = [call["fields"] for call in await world.calls(since=before)]
    assert not ORDER_FIELDS & {field for fields in asked for field in fields}, asked
    store = await world.status_becomes(store_id, "permission_missing")
    assert [problem["code"] for problem in store["problems"]] == ["scope_missing"]
