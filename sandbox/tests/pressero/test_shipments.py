"""Shipments pushed to Pressero as the public integrator does (`POST /api/V2/Orders/Shipments`) and read
back per item; paths in any letter case; what a malformed body, an unknown order or item, a denied item,
no token and a failing host get."""

from typing import Any

import httpx

from .conftest import CONTROL, Account

SHIPMENTS = "/api/V2/Orders/Shipments"


async def place(http: httpx.AsyncClient, domain: str, **spec: Any) -> dict[str, Any]:
    answer = await http.post(f"{CONTROL}/sites/{domain}/orders", json=spec)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def shipment(order: dict[str, Any], *items: dict[str, Any], **info: Any) -> dict[str, Any]:
    return {
        "OrderId": order["order"]["OrderId"],
        "SiteShippingMethodName": "UPS Ground",
        "ShipmentInfo": {
            "ShipDate": "2026-11-30T14:05:00Z",
            "Tracking": "1Z999AA10123456784",
            "Cost": 12.5,
            "Items": [{"OrderItemId": item["OrderItemId"]} for item in items],
            **info,
        },
    }


async def recorded(http: httpx.AsyncClient, number: int) -> list[dict[str, Any]]:
    answer = await http.get(f"{CONTROL}/orders/{number}/shipments")
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_a_shipment_of_two_items_is_read_back_per_item(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain, items=[{}, {"product_name": "Flyer A5"}, {}])
    number = order["order"]["OrderNumber"]
    first, second, third = order["items"]

    answer = await http.post(SHIPMENTS, json=shipment(order, first, second), headers=token)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["Code"] == 200 and set(body["Data"]) == {"ShipmentId"}
    shipment_id = body["Data"]["ShipmentId"]
    for item in (first, second):
        listed = await http.get(
            f"/api/v2/orders/{number}/item/{item['OrderItemNumber']}/Shipments", headers=token
        )
        assert listed.status_code == 200
        assert listed.json() == [
            {
                "ShipmentId": shipment_id,
                "OrderId": order["order"]["OrderId"],
                "OrderItemId": item["OrderItemId"],
                "ShipDate": "2026-11-30T14:05:00Z",
                "ShipMethod": "UPS Ground",
                "ShipTracking": "1Z999AA10123456784",
                "ShipCost": 12.5,
            }
        ]
    unshipped = await http.get(
        f"/api/v2/orders/{number}/item/{third['OrderItemNumber']}/Shipments", headers=token
    )
    assert unshipped.status_code == 200 and unshipped.json() == []
    rows = await recorded(http, number)
    assert [(r["OrderItemNumber"], r["ShipmentId"]) for r in rows] == [(1, shipment_id), (2, shipment_id)]


async def test_paths_and_body_names_match_in_any_letter_case(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain)
    [item] = order["items"]
    number = order["order"]["OrderNumber"]
    lowered = {
        "orderid": order["order"]["OrderId"].upper(),
        "shipmentinfo": {
            "shipdate": "2026-11-30T09:00:00+01:00",
            "tracking": "T-1",
            "items": [{"orderitemid": item["OrderItemId"]}],
        },
    }

    pushed = await http.post("/api/v2/orders/shipments", json=lowered, headers=token)
    listed = await http.get(f"/API/V2/ORDERS/{number}/ITEM/1/shipments", headers=token)
    details = await http.get(f"/api/V2/Orders/{number}/details", headers=token)

    assert pushed.status_code == 200, pushed.text
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["ShipDate"] == "2026-11-30T08:00:00Z" and row["ShipCost"] == 0
    assert row["ShipMethod"] == "" and row["ShipTracking"] == "T-1"
    assert details.status_code == 200 and details.json()["OrderNumber"] == number
    calls = (await http.get(f"{CONTROL}/subscribers/{account.subscriber_id}/calls")).json()
    assert [c["path"] for c in calls[-3:]] == [
        "/api/v2/orders/shipments",
        f"/API/V2/ORDERS/{number}/ITEM/1/shipments",
        f"/api/V2/Orders/{number}/details",
    ]


async def test_each_parcel_is_its_own_shipment(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain)
    [item] = order["items"]

    first = await http.post(SHIPMENTS, json=shipment(order, item, Tracking="PARCEL-1"), headers=token)
    second = await http.post(SHIPMENTS, json=shipment(order, item, Tracking="PARCEL-2"), headers=token)

    assert first.json()["Data"]["ShipmentId"] != second.json()["Data"]["ShipmentId"]
    listed = await http.get(f"/api/v2/orders/{order['order']['OrderNumber']}/item/1/Shipments", headers=token)
    assert [row["ShipTracking"] for row in listed.json()] == ["PARCEL-1", "PARCEL-2"]


async def test_a_malformed_shipment_is_refused_with_code_400_and_nothing_recorded(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain)
    [item] = order["items"]
    good = shipment(order, item)
    cases = {
        "not an object": ["x"],
        "OrderId": {**good, "OrderId": "100001"},
        "ShipmentInfo is required": {"OrderId": good["OrderId"]},
        "ShipDate": shipment(order, item, ShipDate="yesterday"),
        "Cost": shipment(order, item, Cost="twelve"),
        "Tracking": shipment(order, item, Tracking=42),
        "Items": shipment(order),
        "named twice": shipment(order, item, item),
    }

    for expected, body in cases.items():
        answer = await http.post(SHIPMENTS, json=body, headers=token)
        assert answer.status_code == 400, expected
        assert answer.json()["Code"] == 400 and answer.json()["Data"] is None
        if expected != "not an object":
            assert expected in answer.json()["Message"], answer.json()
    bad_json = await http.post(SHIPMENTS, content=b"{", headers={**token, "content-type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["Message"] == "The request is invalid."
    assert await recorded(http, order["order"]["OrderNumber"]) == []


async def test_unknown_orders_and_items_and_another_subscribers_order_are_404(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain)
    [item] = order["items"]
    other = (await http.post(f"{CONTROL}/subscribers", json={})).json()
    await http.post(f"{CONTROL}/subscribers/{other['subscriber_id']}/sites", json={"domain": "other.example"})
    theirs = await place(http, "other.example")
    number = order["order"]["OrderNumber"]

    unknown_order = {**shipment(order, item), "OrderId": "00000000-0000-4000-8000-000000000000"}
    unknown_item = shipment(order, {"OrderItemId": theirs["items"][0]["OrderItemId"]})
    answers = [
        await http.post(SHIPMENTS, json=unknown_order, headers=token),
        await http.post(SHIPMENTS, json=unknown_item, headers=token),
        await http.post(SHIPMENTS, json=shipment(theirs, theirs["items"][0]), headers=token),
        await http.get(f"/api/v2/orders/{number}/item/9/Shipments", headers=token),
        await http.get(f"/api/v2/orders/{theirs['order']['OrderNumber']}/item/1/Shipments", headers=token),
    ]

    for answer in answers:
        assert answer.status_code == 404 and answer.json()["Code"] == 404, answer.text
    assert "not found" in answers[0].json()["Message"]
    assert await recorded(http, number) == [] and await recorded(http, theirs["order"]["OrderNumber"]) == []


async def test_a_denied_item_cannot_be_shipped(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain, items=[{"needs_approval": True}])
    await http.post(f"{CONTROL}/orders/{order['order']['OrderNumber']}/items/1/deny")

    answer = await http.post(SHIPMENTS, json=shipment(order, order["items"][0]), headers=token)

    assert answer.status_code == 400 and "denied" in answer.json()["Message"]


async def test_without_a_token_or_with_a_failing_host_nothing_is_recorded(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain)
    body = shipment(order, order["items"][0])
    await http.put(f"{CONTROL}/subscribers/{account.subscriber_id}/switches", json={"fail_5xx": 1})

    anonymous = await http.post(SHIPMENTS, json=body)
    bearer = await http.post(SHIPMENTS, json=body, headers={"Authorization": "Bearer x"})
    failing = await http.post(SHIPMENTS, json=body, headers=token)
    assert await recorded(http, order["order"]["OrderNumber"]) == []
    recovered = await http.post(SHIPMENTS, json=body, headers=token)

    assert anonymous.status_code == 401 and bearer.status_code == 401
    assert anonymous.json()["Message"] == "Authorization has been denied for this request."
    assert failing.status_code == 503 and failing.json()["Code"] == 503
    assert recovered.status_code == 200
    listed = await http.get(f"/api/v2/orders/{order['order']['OrderNumber']}/item/1/Shipments")
    assert listed.status_code == 401


async def test_the_control_api_reads_shipments_of_known_orders_only(http: httpx.AsyncClient) -> None:
    answer = await http.get(f"{CONTROL}/orders/999/shipments")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
