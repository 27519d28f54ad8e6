"""Items shipped with tracking make orders ask connectors to tell the shop (`shop_fulfillment.requested`),
in the transaction of the move: once per parcel (order and tracking number), with the shipped items'
shop line ids and quantities, for test orders too (connectors checks them without sending)."""

import uuid

from orders.fulfilment.service import request_id_for

from .conftest import fulfilment_requests, history

TRACKING = {
    "number": "1Z999AA10123456784",
    "url": "https://track.example/1Z999AA10123456784",
    "company": "UPS",
}


async def test_an_order_shipped_with_tracking_asks_the_shop_once_with_its_lines_and_tracking(
    app, client, operator, claimed_order, report, store_id, customer_id
):
    order = await claimed_order()

    await report(order["id"], "shipped", tracking=TRACKING)

    [request] = await fulfilment_requests(app)
    assert request.request_id == request_id_for(uuid.UUID(order["id"]), TRACKING["number"])
    assert (request.order_id, request.store_id, request.customer_id) == (
        uuid.UUID(order["id"]), store_id, customer_id,
    )  # fmt: skip
    assert (request.platform, request.external_order_id, request.external_order_number) == (
        "shopify", "5001", "#1042",
    )  # fmt: skip
    assert [(line.external_id, line.quantity) for line in request.lines] == [("11", 250)]
    assert request.tracking.model_dump() == TRACKING
    assert request.notify_customer and not request.test
    read = (await client.get(f"/v1/orders/{order['id']}", headers=operator)).json()
    assert read["shop_fulfillment"]["status"] == "requested"
    assert [p["tracking_number"] for p in read["shop_fulfillment"]["parcels"]] == [TRACKING["number"]]
    assert history(read, "shop_fulfillment_requested") == [
        f"the shop is asked to record the shipment of items 0 with tracking {TRACKING['number']}"
    ]


async def test_the_same_parcel_reported_again_makes_no_second_request(app, claimed_order, report):
    order = await claimed_order()
    await report(order["id"], "shipped", tracking=TRACKING)

    await report(order["id"], "in_transit", tracking=TRACKING)
    assert len(await fulfilment_requests(app)) == 1

    await report(order["id"], "delivered")
    assert len(await fulfilment_requests(app)) == 1


async def test_tracking_added_to_an_order_already_shipped_asks_the_shop_then(app, claimed_order, report):
    order = await claimed_order()
    await report(order["id"], "shipped")
    assert await fulfilment_requests(app) == []

    await report(order["id"], "in_transit", tracking={"number": "JJD000390007"})

    [request] = await fulfilment_requests(app)
    assert request.tracking.number == "JJD000390007" and request.tracking.url is None


async def test_items_shipped_one_by_one_ask_for_their_own_lines_each(app, claimed_order, report):
    order = await claimed_order(lines=2)

    await report(order["id"], "shipped", items=[1], tracking={"number": "B2"})
    await report(order["id"], "shipped", items=[0], tracking={"number": "A1"})

    first, second = await fulfilment_requests(app)
    assert (first.tracking.number, [line.external_id for line in first.lines]) == ("B2", ["12"])
    assert (second.tracking.number, [line.external_id for line in second.lines]) == ("A1", ["11"])
    assert first.request_id != second.request_id


async def test_a_move_refused_asks_nothing(client, operator, app, claimed_order):
    order = await claimed_order(printed=False)
    await client.post(f"/v1/orders/{order['id']}/status", json={"status": "delivered"}, headers=operator)

    late = await client.post(
        f"/v1/orders/{order['id']}/status", json={"status": "shipped", "tracking": TRACKING}, headers=operator
    )

    assert late.status_code == 409, late.text
    assert await fulfilment_requests(app) == []


async def test_a_shop_test_order_asks_the_shop_at_once_with_test_true_since_it_is_never_shipped(
    app, client, operator, deliver, catalog_product, mapping, flyer_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)

    await deliver(flyer_order(test=True, external_id="5002"))

    [request] = await fulfilment_requests(app)
    assert (request.test, request.probe, request.external_order_id) == (True, False, "5002")
    assert request.tracking.number == "TEST-#1042"  # the shop's order number
    listed = (await client.get("/v1/orders", params={"external_id": "5002"}, headers=operator)).json()
    order_id = listed["items"][0]["id"]
    claimed = await client.post(f"/v1/production/orders/{order_id}/claim", headers=operator)
    assert claimed.status_code == 409
    read = (await client.get(f"/v1/orders/{order_id}", headers=operator)).json()
    assert (
        "a test order: checked against the shop, not sent" in history(read, "shop_fulfillment_requested")[0]
    )


async def test_an_item_that_failed_before_the_order_shipped_is_not_in_the_request(app, claimed_order, report):
    order = await claimed_order(lines=2)
    await report(order["id"], "failed", items=[1])

    await report(order["id"], "shipped", tracking=TRACKING)

    [request] = await fulfilment_requests(app)
    assert [line.external_id for line in request.lines] == ["11"]
