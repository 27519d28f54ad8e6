"""Test orders: a customer verifies its store's integration. The test order goes the whole way a real
one goes except production, and its report names each step passed, failed (with the fix) or pending."""

import uuid

import pytest

from orders.models import messaging
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import (
    Platform,
    ShopFulfillmentFailed,
    ShopFulfillmentRequested,
    ShopFulfillmentSucceeded,
    StoreStatus,
)
from printbridge_shared.testing import eventually, recorded_events

PROBLEM = "application/problem+json"


@pytest.fixture
async def shop_store(deliver, store_connected, store_id) -> uuid.UUID:
    await deliver(store_connected())
    return store_id


@pytest.fixture
async def mapped_store(deliver, shop_store, catalog_product, mapping) -> uuid.UUID:
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)
    return shop_store


def by_name(run: dict) -> dict[str, dict]:
    return {step["name"]: step for step in run["steps"]}


async def test_a_well_set_up_store_passes_every_step_and_production_sees_but_cannot_claim_it(
    client, user_headers, operator, mapped_store
):
    placed = await client.post(f"/v1/stores/{mapped_store}/test-order", headers=user_headers("admin"))

    assert placed.status_code == 202, placed.text
    run = placed.json()
    assert placed.headers["location"] == f"/v1/test-orders/{run['id']}"
    read = (await client.get(f"/v1/test-orders/{run['id']}", headers=user_headers("viewer"))).json()
    assert {s["name"]: s["status"] for s in read["steps"] if s["status"] != "passed"} == {
        "shop_update": "pending"
    }, read
    assert [step["name"] for step in read["steps"]] == [
        "received", "mapped", "files_ok", "routed", "production_api", "postback_delivered",
        "storefronts", "shop_update",
    ]  # fmt: skip
    assert "flyer_a5" in by_name(read)["mapped"]["detail"]
    listed = (await client.get("/v1/production/orders", headers=operator)).json()["items"]
    assert [(o["id"], o["test"]) for o in listed] == [(read["order_id"], True)]
    claim = await client.post(f"/v1/production/orders/{read['order_id']}/claim", headers=operator)
    assert (claim.status_code, claim.headers["content-type"]) == (409, PROBLEM)
    assert claim.json()["type"].endswith("test-order-not-claimable")
    moved = await client.post(
        f"/v1/orders/{read['order_id']}/status", json={"status": "in_production"}, headers=operator
    )
    assert moved.status_code == 409
    order = (await client.get(f"/v1/orders/{read['order_id']}", headers=user_headers("viewer"))).json()
    assert (order["test"], order["status"]) == (True, "routed")


async def test_a_store_without_a_mapping_fails_at_the_mapped_step_with_the_fix_and_later_steps_wait(
    client, user_headers, shop_store
):
    run = (await client.post(f"/v1/stores/{shop_store}/test-order", headers=user_headers())).json()

    steps = by_name(run)
    assert run["status"] == "failed"
    assert steps["received"]["status"] == "passed"
    assert steps["mapped"]["status"] == "failed"
    assert steps["mapped"]["fix"]
    assert steps["routed"] == {
        "name": "routed", "status": "pending", "detail": "Waits for the step mapped.", "fix": None,
    }  # fmt: skip


async def test_naming_an_unmapped_variant_tests_that_variant(client, user_headers, mapped_store):
    run = (
        await client.post(
            f"/v1/stores/{mapped_store}/test-order",
            json={"external_variant_id": "999", "quantity": 3},
            headers=user_headers("order_manager"),
        )
    ).json()

    assert by_name(run)["mapped"]["status"] == "failed"
    assert by_name(run)["mapped"]["detail"] == (
        "Item 0: 'Test item (variant 999)' is not mapped to a product of the catalog"
    )


async def test_a_mapped_print_file_that_fails_its_check_fails_the_files_step_with_the_fix(
    client, user_headers, deliver, shop_store, catalog_product, mapping
):
    small = {"url": "https://files.brand.example/front.pdf", "status": "failed", "problem": "file_too_small",
             "message": "the file is 100 x 140 mm", "fix": "upload a file of 154 x 216 mm",
             "checked_at": "2026-11-30T10:00:00Z"}  # fmt: skip
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(files={"front": small}), aggregate_version=1)

    run = (await client.post(f"/v1/stores/{shop_store}/test-order", headers=user_headers())).json()

    steps = by_name(run)
    assert (steps["mapped"]["status"], steps["files_ok"]["status"]) == ("passed", "failed"), run
    assert "100 x 140 mm" in steps["files_ok"]["detail"]
    assert steps["files_ok"]["fix"].startswith("upload a file of 154 x 216 mm")
    assert steps["routed"]["detail"] == "Waits for the step files_ok."


async def test_a_manual_store_tests_the_customers_template_and_has_no_shop_to_update(
    client, user_headers, deliver, store_connected, store_id, catalog_product, template
):
    await deliver(store_connected(platform=Platform.manual, name="Direct"))
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(template(), aggregate_version=1)

    run = (await client.post(f"/v1/stores/{store_id}/test-order", headers=user_headers())).json()

    assert run["status"] == "passed", run
    assert by_name(run)["shop_update"]["detail"].startswith("A manual store has no shop")


async def test_a_shop_order_flagged_as_test_gets_a_run_of_its_own(
    client, user_headers, mapped_store, deliver, shop_order
):
    line = {"external_id": "11", "external_product_id": "7513594", "external_variant_id": "34505432",
            "sku": None, "title": "Flyer", "quantity": 1, "unit_price": "1.00"}  # fmt: skip
    address = {"first_name": "Ada", "last_name": "L", "address1": "Main 1", "city": "Berlin", "zip": "10115",
               "country_code": "DE"}  # fmt: skip
    await deliver(shop_order(test=True, line_items=[line], shipping_address=address))
    await deliver(shop_order(external_id="real-1", line_items=[line], shipping_address=address))

    runs = (await client.get("/v1/test-orders", headers=user_headers("viewer"))).json()["items"]

    assert [(run["origin"], run["requested_by"]) for run in runs] == [("shop", "the shop (shopify)")]
    assert by_name(runs[0])["routed"]["status"] == "passed"


async def test_bad_input_is_refused_naming_the_field(
    client, user_headers, mapped_store, deliver, store_connected
):
    url = f"/v1/stores/{mapped_store}/test-order"
    for body, field in (
        ({"quantity": 0}, "quantity"),
        ({"sku": "FLYER"}, "sku"),  # a shop's store orders a variant, not a customer SKU
        ({"colour": "red"}, "colour"),
        ({"shipping_address": {"city": "Berlin"}}, "shipping_address"),
    ):
        response = await client.post(url, json=body, headers=user_headers())
        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), body
        assert field in str(response.json()["errors"]), response.json()
    await deliver(store_connected(status=StoreStatus.disconnected, updated_at="2026-11-30T12:00:00Z"))
    gone = await client.post(url, headers=user_headers())
    assert (gone.status_code, gone.json()["type"].split("/")[-1]) == (409, "store-disconnected")


async def test_who_may_place_and_read_test_orders(client, user_headers, operator, mapped_store, auth):
    url = f"/v1/stores/{mapped_store}/test-order"
    for role in ("viewer", "store_manager"):
        headers = (
            user_headers(role, store_ids=[str(mapped_store)])
            if role == "store_manager"
            else user_headers(role)
        )
        assert (await client.post(url, headers=headers)).status_code == 403, role
    other = uuid.uuid4()
    assert (await client.post(url, headers=user_headers("admin", of=other))).status_code == 404
    assert (await client.post(f"/v1/stores/{uuid.uuid4()}/test-order", headers=operator)).status_code == 404
    assert (await client.post(url)).status_code == 401

    run = (await client.post(url, headers=operator)).json()
    assert run["requested_by"].startswith("operator")
    assert (
        await client.get(f"/v1/test-orders/{run['id']}", headers=user_headers("admin", of=other))
    ).status_code == 404
    assert (await client.get("/v1/test-orders", headers=user_headers("admin", of=other))).json()[
        "items"
    ] == []
    assert (await client.get(f"/v1/test-orders/{uuid.uuid4()}", headers=operator)).status_code == 404
    assert (
        await client.get(f"/v1/test-orders/{run['id']}", headers=user_headers("store_manager", store_ids=[]))
    ).status_code == 403
    bad_cursor = await client.get("/v1/test-orders", params={"cursor": "nope"}, headers=operator)
    assert bad_cursor.status_code == 422


async def run_step(client, headers, run_id: str, name: str) -> dict:
    read = (await client.get(f"/v1/test-orders/{run_id}", headers=headers)).json()
    return by_name(read)[name]


async def test_the_postback_step_fails_naming_an_endpoint_that_refuses_the_delivery(
    client, user_headers, mapped_store, receiver, create_endpoint, customer_id
):
    url, inbox = receiver.new()
    inbox.answer = lambda _received: 500
    await create_endpoint(url, customer_id=str(customer_id))

    run = (await client.post(f"/v1/stores/{mapped_store}/test-order", headers=user_headers())).json()

    async def failed() -> bool:
        return (await run_step(client, user_headers(), run["id"], "postback_delivered"))["status"] == "failed"

    await eventually(failed)
    step = await run_step(client, user_headers(), run["id"], "postback_delivered")
    assert step["detail"] == f"Not delivered: {url} answered 500."
    assert "redeliver" in step["fix"]


async def test_the_postback_step_passes_once_the_endpoint_took_the_test_orders_events(
    client, user_headers, mapped_store, receiver, create_endpoint
):
    url, inbox = receiver.new()
    await create_endpoint(url, events=["order.routed"])

    run = (await client.post(f"/v1/stores/{mapped_store}/test-order", headers=user_headers())).json()

    await eventually(lambda: len(inbox.accepted()) == 1)
    delivered = inbox.accepted()[0].payload
    assert (delivered["type"], delivered["data"]["test"]) == ("order.routed", True)

    async def passed() -> bool:
        return (await run_step(client, user_headers(), run["id"], "postback_delivered"))["status"] == "passed"

    await eventually(passed)
    step = await run_step(client, user_headers(), run["id"], "postback_delivered")
    assert step["detail"] == "Delivered to 1 postback endpoint(s), signed."


async def shop_check_of(app) -> ShopFulfillmentRequested:
    [request] = [
        ShopFulfillmentRequested.model_validate(envelope.data)
        for envelope in await recorded_events(app.state.db, messaging.outbox)
        if envelope.type == ShopFulfillmentRequested.event_type
    ]
    return request


async def test_the_shop_is_asked_at_once_and_its_yes_completes_a_passing_run(
    app, client, user_headers, mapped_store, deliver
):
    run = (await client.post(f"/v1/stores/{mapped_store}/test-order", headers=user_headers())).json()
    request = await shop_check_of(app)
    assert (request.test, request.probe, str(request.order_id)) == (True, True, run["order_id"])

    await deliver(
        ShopFulfillmentSucceeded(
            request_id=request.request_id,
            order_id=request.order_id,
            store_id=request.store_id,
            customer_id=request.customer_id,
            platform=request.platform,
            tracking_number=request.tracking.number,
            dry_run=True,
            succeeded_at=utcnow(),
        )
    )

    read = (await client.get(f"/v1/test-orders/{run['id']}", headers=user_headers())).json()
    assert read["status"] == "passed", read
    assert by_name(read)["shop_update"]["detail"] == (
        "The shop would take the shipment with its tracking (checked, not sent)."
    )


async def test_a_shop_that_would_refuse_the_shipment_fails_the_last_step_with_the_fix(
    app, client, user_headers, mapped_store, deliver
):
    run = (await client.post(f"/v1/stores/{mapped_store}/test-order", headers=user_headers())).json()
    request = await shop_check_of(app)

    await deliver(
        ShopFulfillmentFailed(
            request_id=request.request_id,
            order_id=request.order_id,
            store_id=request.store_id,
            customer_id=request.customer_id,
            platform=request.platform,
            tracking_number=request.tracking.number,
            reason="The shop did not grant write_merchant_managed_fulfillment_orders.",
            fix="Reconnect the store (POST /v1/stores/{id}/reconnect) and grant the permission.",
            failed_at=utcnow(),
        )
    )

    read = (await client.get(f"/v1/test-orders/{run['id']}", headers=user_headers())).json()
    assert read["status"] == "failed"
    assert by_name(read)["shop_update"] == {
        "name": "shop_update",
        "status": "failed",
        "detail": "The shop would not take the shipment: The shop did not grant "
        "write_merchant_managed_fulfillment_orders.",
        "fix": "Reconnect the store (POST /v1/stores/{id}/reconnect) and grant the permission.",
    }
