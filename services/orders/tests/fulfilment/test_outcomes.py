"""Connectors' answers to a fulfilment request land in the order's history and in its `shop_fulfillment`
(requested, succeeded, failed with the platform's words and the fix); a failure never moves the order's
status nor holds up production; a late, older answer does not undo a newer one."""

import datetime as dt
import uuid
from typing import Any

import pytest

from printbridge_shared.events.consumer import UnprocessableEvent
from printbridge_shared.events.contracts import ShopFulfillmentFailed, ShopFulfillmentSucceeded

from .conftest import fulfilment_requests, history

AT = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def shipped(app, claimed_order, report):
    """An order shipped with tracking 1Z1 and the request orders made for it."""

    async def ship() -> tuple[dict[str, Any], Any]:
        order = await claimed_order()
        await report(order["id"], "shipped", tracking={"number": "1Z1", "company": "UPS"})
        [request] = await fulfilment_requests(app)
        return order, request

    return ship


def succeeded(request: Any, **fields: Any) -> ShopFulfillmentSucceeded:
    values: dict[str, Any] = {
        **request.model_dump(include={"request_id", "order_id", "store_id", "customer_id", "platform"}),
        "external_fulfillment_ids": ["gid://shopify/Fulfillment/255858046"],
        "tracking_number": request.tracking.number,
        "succeeded_at": AT,
    }
    return ShopFulfillmentSucceeded.model_validate({**values, **fields})


def failed(request: Any, **fields: Any) -> ShopFulfillmentFailed:
    values: dict[str, Any] = {
        **request.model_dump(include={"request_id", "order_id", "store_id", "customer_id", "platform"}),
        "tracking_number": request.tracking.number,
        "reason": "Shopify refused the fulfillment: Access denied for fulfillmentCreate.",
        "fix": "Reconnect the store (POST /v1/stores/{id}/reconnect) and grant the fulfillment access.",
        "failed_at": AT,
    }
    return ShopFulfillmentFailed.model_validate({**values, **fields})


async def read(client, headers, order_id: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/orders/{order_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_shops_record_of_the_shipment_shows_on_the_order_and_in_its_history(
    client, operator, user_headers, deliver, shipped
):
    order, request = await shipped()

    assert await deliver(succeeded(request))

    seen = await read(client, user_headers("viewer"), order["id"])
    summary = seen["shop_fulfillment"]
    assert (summary["status"], summary["reason"], summary["at"]) == (
        "succeeded",
        None,
        "2026-11-30T12:00:00Z",
    )
    [parcel] = summary["parcels"]
    assert parcel["external_fulfillment_ids"] == ["gid://shopify/Fulfillment/255858046"]
    assert parcel["dry_run"] is False
    assert history(seen, "shop_fulfillment_succeeded") == [
        "the shop recorded the shipment with tracking 1Z1 (gid://shopify/Fulfillment/255858046)"
    ]
    assert seen["status"] == "shipped"


async def test_a_test_orders_dry_run_says_it_was_not_sent(client, operator, deliver, shipped):
    order, request = await shipped()

    await deliver(succeeded(request, external_fulfillment_ids=[], dry_run=True))

    seen = await read(client, operator, order["id"])
    assert seen["shop_fulfillment"]["parcels"][0]["dry_run"] is True
    assert "(a test order: not sent)" in history(seen, "shop_fulfillment_succeeded")[0]


async def test_a_refusal_shows_the_reason_and_fix_and_production_goes_on(
    client, operator, deliver, shipped, report
):
    order, request = await shipped()

    await deliver(failed(request))

    seen = await read(client, operator, order["id"])
    assert seen["status"] == "shipped"
    summary = seen["shop_fulfillment"]
    assert summary["status"] == "failed"
    assert summary["reason"].startswith("Shopify refused the fulfillment")
    assert summary["fix"].startswith("Reconnect the store")
    [detail] = history(seen, "shop_fulfillment_failed")
    assert "Access denied" in detail and "Fix: Reconnect the store" in detail
    assert (await report(order["id"], "delivered"))["status"] == "delivered"


async def test_a_late_older_answer_does_not_undo_a_newer_one(client, operator, deliver, shipped):
    order, request = await shipped()
    await deliver(succeeded(request, succeeded_at=AT + dt.timedelta(minutes=5)))

    await deliver(failed(request, failed_at=AT))

    seen = await read(client, operator, order["id"])
    assert seen["shop_fulfillment"]["status"] == "succeeded"
    assert history(seen, "shop_fulfillment_failed") == []


async def test_a_failure_then_a_success_of_the_same_request_ends_succeeded(
    client, operator, deliver, shipped
):
    order, request = await shipped()
    await deliver(failed(request, failed_at=AT))

    await deliver(succeeded(request, succeeded_at=AT + dt.timedelta(hours=1)))

    seen = await read(client, operator, order["id"])
    assert (seen["shop_fulfillment"]["status"], seen["shop_fulfillment"]["reason"]) == ("succeeded", None)
    assert [e["kind"] for e in seen["history"]][-2:] == [
        "shop_fulfillment_failed",
        "shop_fulfillment_succeeded",
    ]


async def test_one_parcel_failing_makes_the_order_failed_while_another_succeeded(
    app, client, operator, deliver, claimed_order, report
):
    order = await claimed_order(lines=2)
    await report(order["id"], "shipped", items=[0], tracking={"number": "A1"})
    await report(order["id"], "shipped", items=[1], tracking={"number": "B2"})
    first, second = await fulfilment_requests(app)

    await deliver(succeeded(first))
    await deliver(failed(second))

    summary = (await read(client, operator, order["id"]))["shop_fulfillment"]
    assert summary["status"] == "failed"
    assert [(p["tracking_number"], p["status"]) for p in summary["parcels"]] == [
        ("A1", "succeeded"), ("B2", "failed"),
    ]  # fmt: skip


async def test_an_order_never_shipped_with_tracking_has_no_shop_fulfillment(client, operator, claimed_order):
    order = await claimed_order()

    assert (await read(client, operator, order["id"]))["shop_fulfillment"] is None


async def test_an_answer_for_an_order_orders_does_not_hold_is_refused_as_unprocessable(deliver, shipped):
    _, request = await shipped()

    with pytest.raises(UnprocessableEvent):
        await deliver(succeeded(request, order_id=uuid.uuid4()))
    with pytest.raises(UnprocessableEvent):
        await deliver(failed(request, store_id=uuid.uuid4()))


async def test_another_customers_admin_cannot_see_the_order_or_its_shop_fulfillment(
    client, deliver, shipped, user_headers
):
    order, request = await shipped()
    await deliver(succeeded(request))

    stranger = await client.get(f"/v1/orders/{order['id']}", headers=user_headers("admin", of=uuid.uuid4()))

    assert stranger.status_code == 404


async def test_a_parcel_reported_again_after_a_failure_is_asked_again_with_the_same_request_id(
    app, client, operator, deliver, shipped, report
):
    order, request = await shipped()
    await deliver(failed(request))

    await report(order["id"], "in_transit", tracking={"number": "1Z1", "company": "UPS"})

    first, again = await fulfilment_requests(app)
    assert again.request_id == first.request_id
    summary = (await read(client, operator, order["id"]))["shop_fulfillment"]
    assert summary["status"] == "requested" and len(summary["parcels"]) == 1
