"""The production API: the producer's MIS lists what to make, claims it, reports each step (per order or
per item, with tracking), and refuses an item it cannot make. Operators and API keys only."""

import uuid

import pytest

from .conftest import moves, status_events

PROBLEM = "application/problem+json"


async def report(client, headers, order_id, **body):
    return await client.post(f"/v1/orders/{order_id}/status", json=body, headers=headers)


async def test_an_order_goes_from_routed_through_production_to_delivered(app, client, operator, routed_order):
    order = await routed_order()
    listed = (await client.get("/v1/production/orders", headers=operator)).json()["items"]
    assert [o["id"] for o in listed] == [order["id"]]
    assert listed[0]["items"][0]["item"]["product_uid"] == "flyer_a5"
    assert listed[0]["shipping_address"]["city"] == "Berlin"

    claimed = await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)
    assert (claimed.status_code, claimed.json()["status"]) == (200, "accepted")
    for step in ("in_production", "printed"):
        response = await report(client, operator, order["id"], status=step)
        assert (response.status_code, response.json()["status"]) == (200, step), response.text
    shipped = await report(
        client,
        operator,
        order["id"],
        status="shipped",
        tracking={"number": "1Z999", "url": "https://track.example/1Z999", "company": "UPS"},
        message="left the building",
    )
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["tracking"][0]["number"] == "1Z999"
    assert (await report(client, operator, order["id"], status="delivered")).json()["status"] == "delivered"

    read = (await client.get(f"/v1/orders/{order['id']}", headers=operator)).json()
    assert [status for status, _ in moves(read)] == [
        "routed", "accepted", "in_production", "printed", "shipped", "delivered",
    ]  # fmt: skip
    assert all(actor.startswith("operator") for status, actor in moves(read) if status != "routed")
    assert read["tracking"][0]["company"] == "UPS" and read["line_items"][0]["status"] == "delivered"
    versions = [e.aggregate_version for e in await status_events(app)]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


async def test_a_move_backwards_or_a_second_claim_is_refused_with_409_naming_the_allowed_moves(
    client, operator, routed_order
):
    order = await routed_order()
    await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)
    again = await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)
    await report(client, operator, order["id"], status="shipped")

    late = await report(client, operator, order["id"], status="printed")  # a late report of an earlier step

    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith("status-move-not-allowed")
    assert late.json()["allowed"] == ["delivered", "in_transit", "returned"]
    assert (await client.get(f"/v1/orders/{order['id']}", headers=operator)).json()["status"] == "shipped"


async def test_items_move_one_by_one_and_the_order_stands_where_its_least_advanced_item_stands(
    client, operator, routed_order
):
    order = await routed_order(lines=2)
    await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)
    await report(client, operator, order["id"], status="printed")

    first = await report(
        client, operator, order["id"], status="shipped", items=[0], tracking={"number": "A1"}
    )
    assert first.json()["status"] == "printed"
    assert [item["status"] for item in first.json()["items"]] == ["shipped", "printed"]
    second = await report(
        client, operator, order["id"], status="shipped", items=[1], tracking={"number": "B2"}
    )
    assert second.json()["status"] == "shipped"
    assert [(t["number"], t["positions"]) for t in second.json()["tracking"]] == [("A1", [0]), ("B2", [1])]


async def test_production_refuses_an_item_and_the_order_waits_on_hold_until_released(
    client, operator, routed_order, user_headers
):
    order = await routed_order()
    await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)

    rejected = await client.post(
        f"/v1/production/orders/{order['id']}/reject",
        json={"items": [0], "message": "the paper is out of stock for weeks"},
        headers=operator,
    )

    assert rejected.json()["status"] == "on_hold"
    seen = (await client.get(f"/v1/orders/{order['id']}", headers=user_headers("viewer"))).json()
    [reason] = seen["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("cannot_produce", 0)
    assert "out of stock" in reason["message"]
    released = await client.post(f"/v1/orders/{order['id']}/release", headers=user_headers("order_manager"))
    assert (released.status_code, released.json()["status"]) == (200, "routed"), released.text


async def test_the_list_filters_by_status_and_line_and_pages(client, operator, routed_order):
    first, second, third = [await routed_order(str(5001 + n)) for n in range(3)]
    await client.post(f"/v1/production/orders/{second['id']}/claim", headers=operator)

    accepted = await client.get("/v1/production/orders", params={"status": "accepted"}, headers=operator)
    assert [o["id"] for o in accepted.json()["items"]] == [second["id"]]
    other_line = await client.get(
        "/v1/production/orders", params={"line": str(uuid.uuid4())}, headers=operator
    )
    assert other_line.json()["items"] == []
    page = await client.get("/v1/production/orders", params={"limit": 2}, headers=operator)
    rest = await client.get(
        "/v1/production/orders", params={"limit": 2, "cursor": page.json()["next_cursor"]}, headers=operator
    )
    seen = [o["id"] for o in page.json()["items"] + rest.json()["items"]]
    assert (
        sorted(seen) == sorted([first["id"], second["id"], third["id"]])
        and rest.json()["next_cursor"] is None
    )


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"status": "routed"}, ["body", "status"]),
        ({"status": "accepted"}, ["body", "status"]),
        ({"status": "teleported"}, ["body", "status"]),
        ({"status": "printed", "items": [0, 0]}, ["body", "items"]),
        ({"status": "printed", "items": [7]}, ["body", "items", "0"]),
        ({"status": "printed", "tracking": {"number": "1Z"}}, ["body", "tracking"]),
        ({"status": "shipped", "tracking": {"number": ""}}, ["body", "tracking", "number"]),
        (
            {"status": "shipped", "tracking": {"number": "1Z", "url": "javascript:alert(1)"}},
            ["body", "tracking", "url"],
        ),
        ({"status": "printed", "colour": "red"}, ["body", "colour"]),
    ],
)
async def test_bad_status_reports_are_refused_with_422_naming_the_field(
    client, operator, routed_order, body, loc
):
    order = await routed_order()
    await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)

    response = await report(client, operator, order["id"], **body)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert [str(part) for part in response.json()["errors"][0]["loc"]] == loc


async def test_customer_users_may_not_use_the_production_api(client, routed_order, user_headers):
    order = await routed_order()
    for role in ("admin", "order_manager", "viewer", "store_manager"):
        headers = user_headers(role)
        for method, path, body in [
            ("GET", "/v1/production/orders", None),
            ("GET", f"/v1/production/orders/{order['id']}", None),
            ("POST", f"/v1/production/orders/{order['id']}/claim", None),
            ("POST", f"/v1/production/orders/{order['id']}/reject", {"items": [0], "message": "no"}),
            ("POST", f"/v1/orders/{order['id']}/status", {"status": "printed"}),
        ]:
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (role, path, response.text)
    assert (await client.get("/v1/production/orders")).status_code == 401


async def test_an_unknown_order_is_404(client, operator):
    unknown = uuid.uuid4()
    assert (await client.post(f"/v1/production/orders/{unknown}/claim", headers=operator)).status_code == 404
    assert (await report(client, operator, unknown, status="printed")).status_code == 404
    assert (await client.get(f"/v1/production/orders/{unknown}", headers=operator)).status_code == 404


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"status": "lost"}, ["query", "status"]),
        ({"line": "large-format"}, ["query", "line"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 201}, ["query", "limit"]),
    ],
)
async def test_a_bad_production_list_query_is_422_naming_the_parameter(client, operator, params, loc):
    response = await client.get("/v1/production/orders", params=params, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert response.json()["errors"][0]["loc"] == loc


async def test_a_cursor_the_production_list_did_not_issue_is_refused(client, operator):
    response = await client.get(
        "/v1/production/orders", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=operator
    )

    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("invalid-cursor")


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"message": "no paper"}, ["body", "items"]),
        ({"items": [], "message": "no paper"}, ["body", "items"]),
        ({"items": [0, 0], "message": "no paper"}, ["body", "items"]),
        ({"items": [0], "message": ""}, ["body", "message"]),
        ({"items": [0]}, ["body", "message"]),
    ],
)
async def test_a_bad_refusal_is_422_naming_the_field(client, operator, routed_order, body, loc):
    order = await routed_order()

    response = await client.post(f"/v1/production/orders/{order['id']}/reject", json=body, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert response.json()["errors"][0]["loc"] == loc
