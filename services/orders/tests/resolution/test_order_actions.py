"""A person's actions on an order before production: hold, release, cancel and correct the address —
operators and a customer's admin and order manager; a viewer reads only, a store manager sees no orders."""

import uuid

import pytest

from .conftest import moves

PROBLEM = "application/problem+json"
ADDRESS = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "address1": "Elm Street 2",
    "city": "Hamburg",
    "zip": "20095",
    "country_code": "DE",
}


async def test_an_order_manager_holds_and_releases_an_order(client, routed_order, user_headers):
    order = await routed_order()
    manager = user_headers("order_manager")

    held = await client.post(
        f"/v1/orders/{order['id']}/hold", json={"reason": "waiting for approval"}, headers=manager
    )

    assert held.status_code == 200, held.text
    assert held.json()["status"] == "on_hold" and held.json()["production_line_id"] is None
    [reason] = held.json()["hold_reasons"]
    assert reason["code"] == "held_by_user" and "waiting for approval" in reason["message"]
    released = await client.post(f"/v1/orders/{order['id']}/release", headers=manager)
    assert (released.json()["status"], released.json()["hold_reasons"]) == ("routed", [])
    held_by, released_by = [actor for _, actor in moves(released.json())][-2:]
    assert held_by == released_by and held_by.startswith("user ")


async def test_releasing_an_order_that_still_cannot_be_produced_keeps_it_on_hold(
    client, deliver, catalog_product, flyer_order, read_order, user_headers
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(flyer_order())
    order = await read_order()

    released = await client.post(f"/v1/orders/{order['id']}/release", headers=user_headers("admin"))

    assert released.status_code == 200
    assert [r["code"] for r in released.json()["hold_reasons"]] == ["unmapped_item"]


async def test_releasing_an_order_that_is_not_on_hold_is_409(client, routed_order, operator):
    order = await routed_order()
    response = await client.post(f"/v1/orders/{order['id']}/release", headers=operator)
    assert (response.status_code, response.json()["type"].split("/")[-1]) == (409, "order-not-on-hold")


async def test_a_corrected_address_releases_an_address_hold(
    client, deliver, catalog_product, mapping, flyer_order, read_order, user_headers
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)
    await deliver(flyer_order(shipping_address={"first_name": "Grace", "country_code": "DE"}))
    order = await read_order()
    assert [r["code"] for r in order["hold_reasons"]] == ["address_invalid"]

    corrected = await client.patch(
        f"/v1/orders/{order['id']}", json={"shipping_address": ADDRESS}, headers=user_headers("admin")
    )

    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["status"], corrected.json()["shipping_address"]["city"]) == ("routed", "Hamburg")
    assert "address_corrected" in [entry["kind"] for entry in corrected.json()["history"]]


async def test_an_order_is_cancelled_before_production_but_not_after(
    client, operator, routed_order, user_headers
):
    first, second = await routed_order("5001"), await routed_order("5002")
    manager = user_headers("order_manager")

    cancelled = await client.post(
        f"/v1/orders/{first['id']}/cancel", json={"reason": "ordered twice"}, headers=manager
    )
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "ordered twice")

    await client.post(f"/v1/production/orders/{second['id']}/claim", headers=operator)
    for path, body in [("cancel", {"reason": "too late"}), ("hold", {"reason": "wait"})]:
        refused = await client.post(f"/v1/orders/{second['id']}/{path}", json=body, headers=manager)
        assert (refused.status_code, refused.json()["type"].split("/")[-1]) == (409, "order-in-production")
    refused = await client.patch(
        f"/v1/orders/{second['id']}", json={"shipping_address": ADDRESS}, headers=manager
    )
    assert refused.status_code == 409


async def test_a_shop_cancellation_after_production_took_the_order_is_flagged_not_applied(
    client, operator, deliver, routed_order, flyer_order, read_order
):
    order = await routed_order()
    await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)

    await deliver(flyer_order("cancelled", updated_minutes=5, cancel_reason="customer"))

    flagged = await read_order()
    assert flagged["status"] == "accepted" and flagged["cancel_requested_at"] is not None
    production = (await client.get(f"/v1/production/orders/{order['id']}", headers=operator)).json()
    assert production["cancel_requested_at"] is not None


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("hold", {}, ["body", "reason"]),
        ("hold", {"reason": "   "}, ["body", "reason"]),
        ("hold", {"reason": "x" * 201}, ["body", "reason"]),
        ("cancel", {"reason": 5}, ["body", "reason"]),
        ("cancel", {"reason": "ok", "refund": True}, ["body", "refund"]),
    ],
)
async def test_bad_action_bodies_are_422_naming_the_field(client, routed_order, operator, path, body, loc):
    order = await routed_order()
    response = await client.post(f"/v1/orders/{order['id']}/{path}", json=body, headers=operator)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert response.json()["errors"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("address", "loc"),
    [
        ({**ADDRESS, "country_code": "XX"}, ["body", "shipping_address", "country_code"]),
        ({**ADDRESS, "zip": None}, ["body", "shipping_address", "zip"]),
        (
            {key: value for key, value in ADDRESS.items() if key != "city"},
            ["body", "shipping_address", "city"],
        ),
    ],
)
async def test_a_bad_address_correction_is_422_naming_the_field(client, routed_order, operator, address, loc):
    order = await routed_order()
    response = await client.patch(
        f"/v1/orders/{order['id']}", json={"shipping_address": address}, headers=operator
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == loc


async def test_who_may_not_act_on_an_order(client, routed_order, user_headers, customer_id):
    order = await routed_order()
    actions = [
        ("POST", "hold", {"reason": "wait"}),
        ("POST", "release", None),
        ("POST", "cancel", {"reason": "no"}),
        ("PATCH", "", {"shipping_address": ADDRESS}),
        ("POST", "files/recheck", None),
    ]
    for method, path, body in actions:
        url = f"/v1/orders/{order['id']}/{path}".rstrip("/")
        for role in ("viewer", "store_manager"):
            response = await client.request(method, url, json=body, headers=user_headers(role))
            assert response.status_code == 403, (role, url, response.text)
        other = await client.request(method, url, json=body, headers=user_headers("admin", of=uuid.uuid4()))
        assert other.status_code == 404, (url, other.text)
        assert (await client.request(method, url, json=body)).status_code == 401
    missing = await client.post(
        f"/v1/orders/{uuid.uuid4()}/hold", json={"reason": "x"}, headers=user_headers()
    )
    assert missing.status_code == 404
