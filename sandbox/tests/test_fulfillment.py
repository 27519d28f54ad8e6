"""fulfillmentCreate as an app sees it: fulfillment order line items shipped with tracking, remaining
quantities and statuses that follow, the user errors of the documented mistakes, the scope it needs, the
webhooks it fires and the failures a shop can be set to."""

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from printbridge_sandbox.shopify.testing import REDIRECT, SHOP, Receiver, Sandbox

WRITE_SCOPES = "read_orders,read_products,write_merchant_managed_fulfillment_orders"
FULFILL = """mutation($fulfillment: FulfillmentInput!, $message: String) {
  fulfillmentCreate(fulfillment: $fulfillment, message: $message) {
    fulfillment { id name status totalQuantity createdAt trackingInfo { number url company }
      fulfillmentLineItems(first: 10) { nodes { quantity lineItem { id } } } }
    userErrors { field message }
  }
}"""
ORDER = """query($id: ID!) { order(id: $id) {
  displayFulfillmentStatus
  fulfillments { id status trackingInfo { number url company } }
  lineItems(first: 10) { nodes { id } }
  fulfillmentOrders(first: 5) { nodes { id status supportedActions { action }
    lineItems(first: 10) { nodes { id remainingQuantity totalQuantity lineItem { id } } } } }
} }"""
TRACKING = {"number": "00340434123456789012", "url": "https://www.dhl.de/track?n=0034", "company": "DHL"}


def order_view(sandbox: Sandbox, token: str, order_gid: str) -> dict[str, Any]:
    return dict(sandbox.data(token, ORDER, {"id": order_gid})["order"])


def placed(sandbox: Sandbox, token: str, quantities: tuple[int, ...] = (2,)) -> dict[str, Any]:
    """An order with one line per quantity; its GraphQL view."""
    lines = [
        {"sku": f"POSTER-{n}", "title": "Poster", "quantity": quantity, "price": "24.95"}
        for n, quantity in enumerate(quantities)
    ]
    order = sandbox.place_order(line_items=lines)
    return {"rest": order, **order_view(sandbox, token, order["admin_graphql_api_id"])}


def fulfill(sandbox: Sandbox, token: str, groups: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    variables = {"fulfillment": {"lineItemsByFulfillmentOrder": groups, **extra}}
    return dict(sandbox.data(token, FULFILL, variables)["fulfillmentCreate"])


def fo_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    return list(order["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"])


def test_fulfilling_everything_with_tracking_closes_the_fulfillment_order_and_fulfils_the_order(
    sandbox: Sandbox,
) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token)
    fo = order["fulfillmentOrders"]["nodes"][0]
    [line] = fo_lines(order)
    assert fo["status"] == "OPEN" and fo["supportedActions"] == [{"action": "CREATE_FULFILLMENT"}]

    result = fulfill(
        sandbox,
        token,
        [{"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [{"id": line["id"], "quantity": 2}]}],
        trackingInfo=TRACKING,
        notifyCustomer=True,
    )

    assert result["userErrors"] == []
    made = result["fulfillment"]
    assert made["id"].startswith("gid://shopify/Fulfillment/") and made["status"] == "SUCCESS"
    assert made["name"] == f"{order['rest']['name']}.1" and made["totalQuantity"] == 2
    assert made["trackingInfo"] == [TRACKING] and made["createdAt"].endswith("Z")
    assert made["fulfillmentLineItems"]["nodes"] == [
        {"quantity": 2, "lineItem": {"id": line["lineItem"]["id"]}}
    ]
    after = order_view(sandbox, token, order["rest"]["admin_graphql_api_id"])
    assert after["displayFulfillmentStatus"] == "FULFILLED"
    assert after["fulfillments"] == [{"id": made["id"], "status": "SUCCESS", "trackingInfo": [TRACKING]}]
    closed = after["fulfillmentOrders"]["nodes"][0]
    assert closed["status"] == "CLOSED" and closed["supportedActions"] == []
    assert fo_lines(after)[0]["remainingQuantity"] == 0 and fo_lines(after)[0]["totalQuantity"] == 2
    [recorded] = sandbox.control("GET", f"/shops/{SHOP}/orders/{order['rest']['id']}/fulfillments")
    assert recorded["tracking_number"] == TRACKING["number"] and recorded["tracking_company"] == "DHL"
    assert recorded["notify_customer"] is True and recorded["status"] == "success"
    rest = sandbox.control("GET", f"/shops/{SHOP}/orders/{order['rest']['id']}")
    assert rest["fulfillment_status"] == "fulfilled" and rest["line_items"][0]["fulfillable_quantity"] == 0


def test_a_partial_fulfillment_leaves_the_rest_open_until_a_second_one_ships_it(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token, (3, 1))
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    first, second = fo_lines(order)

    fulfill(
        sandbox,
        token,
        [{"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": [{"id": first["id"], "quantity": 2}]}],
        trackingInfo={"number": "PARCEL-1", "company": "DPD"},
    )

    middle = order_view(sandbox, token, order["rest"]["admin_graphql_api_id"])
    assert middle["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert middle["fulfillmentOrders"]["nodes"][0]["status"] == "IN_PROGRESS"
    assert [line["remainingQuantity"] for line in fo_lines(middle)] == [1, 1]

    rest = fulfill(sandbox, token, [{"fulfillmentOrderId": fo_id}], trackingInfo={"number": "PARCEL-2"})

    assert rest["userErrors"] == [] and rest["fulfillment"]["totalQuantity"] == 2
    assert rest["fulfillment"]["name"].endswith(".2")
    assert rest["fulfillment"]["trackingInfo"] == [{"number": "PARCEL-2", "url": None, "company": None}]
    last = order_view(sandbox, token, order["rest"]["admin_graphql_api_id"])
    assert last["displayFulfillmentStatus"] == "FULFILLED"
    assert last["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert [f["trackingInfo"][0]["number"] for f in last["fulfillments"]] == ["PARCEL-1", "PARCEL-2"]
    assert second["remainingQuantity"] == 1  # as read before the fulfillments


def test_an_order_line_item_id_instead_of_the_fulfillment_order_line_item_id_is_a_user_error(
    sandbox: Sandbox,
) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token)
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    order_line_id = order["lineItems"]["nodes"][0]["id"]

    result = fulfill(
        sandbox,
        token,
        [{"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": [{"id": order_line_id, "quantity": 1}]}],
    )

    assert result["fulfillment"] is None
    [error] = result["userErrors"]
    assert error["field"] == [
        "fulfillment",
        "lineItemsByFulfillmentOrder",
        "0",
        "fulfillmentOrderLineItems",
        "0",
        "id",
    ]
    assert "LineItem id" in error["message"] and "fulfillmentOrder.lineItems.id" in error["message"]
    after = order_view(sandbox, token, order["rest"]["admin_graphql_api_id"])
    assert after["displayFulfillmentStatus"] == "UNFULFILLED" and after["fulfillments"] == []
    assert fo_lines(after)[0]["remainingQuantity"] == 2


def test_more_than_remains_or_nothing_at_all_is_refused_and_changes_nothing(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token)
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    [line] = fo_lines(order)

    for quantity in (3, 0, -1):
        result = fulfill(
            sandbox,
            token,
            [
                {
                    "fulfillmentOrderId": fo_id,
                    "fulfillmentOrderLineItems": [{"id": line["id"], "quantity": quantity}],
                }
            ],
        )
        assert result["fulfillment"] is None
        assert result["userErrors"] == [
            {
                "field": [
                    "fulfillment",
                    "lineItemsByFulfillmentOrder",
                    "0",
                    "fulfillmentOrderLineItems",
                    "0",
                    "quantity",
                ],
                "message": "Invalid fulfillment order line item quantity requested.",
            }
        ]
    twice = [{"id": line["id"], "quantity": 2}, {"id": line["id"], "quantity": 1}]
    doubled = fulfill(sandbox, token, [{"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": twice}])
    assert doubled["userErrors"][0]["field"][-2:] == ["1", "quantity"]
    empty = fulfill(sandbox, token, [])
    assert empty["userErrors"][0]["field"] == ["fulfillment", "lineItemsByFulfillmentOrder"]
    assert (
        fo_lines(order_view(sandbox, token, order["rest"]["admin_graphql_api_id"]))[0]["remainingQuantity"]
        == 2
    )


def test_a_closed_fulfillment_order_cannot_be_fulfilled_again(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token)
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    assert fulfill(sandbox, token, [{"fulfillmentOrderId": fo_id}])["userErrors"] == []

    again = fulfill(sandbox, token, [{"fulfillmentOrderId": fo_id}])

    [error] = again["userErrors"]
    assert error["field"] == ["fulfillment", "lineItemsByFulfillmentOrder", "0", "fulfillmentOrderId"]
    assert "unfulfillable status= closed" in error["message"]
    cancelled = placed(sandbox, token)
    sandbox.control("POST", f"/shops/{SHOP}/orders/{cancelled['rest']['id']}/cancel")
    refused = fulfill(
        sandbox, token, [{"fulfillmentOrderId": cancelled["fulfillmentOrders"]["nodes"][0]["id"]}]
    )
    assert "unfulfillable status= closed" in refused["userErrors"][0]["message"]


def test_another_shops_or_an_unknown_fulfillment_order_does_not_exist(sandbox: Sandbox) -> None:
    other = "other.myshopify.com"
    sandbox.control("POST", "/shops", json={"domain": other})
    other_token = install_on(sandbox, other)
    other_order = sandbox.control(
        "POST", f"/shops/{other}/orders", json={"line_items": [{"title": "Mug", "price": "9.00"}]}
    )
    other_fo = sandbox.http.post(
        f"/shops/{other}/admin/api/2025-10/graphql.json",
        json={"query": ORDER, "variables": {"id": other_order["admin_graphql_api_id"]}},
        headers={"X-Shopify-Access-Token": other_token},
    ).json()["data"]["order"]["fulfillmentOrders"]["nodes"][0]["id"]
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]

    for fo_id in (other_fo, "gid://shopify/FulfillmentOrder/1", "not-a-gid"):
        result = fulfill(sandbox, token, [{"fulfillmentOrderId": fo_id}])
        assert result["fulfillment"] is None
        assert result["userErrors"] == [
            {
                "field": ["fulfillment", "lineItemsByFulfillmentOrder", "0", "fulfillmentOrderId"],
                "message": f"Fulfillment order {fo_id} does not exist.",
            }
        ]


def test_fulfillment_orders_of_two_orders_or_a_bad_tracking_url_are_refused(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    first, second = placed(sandbox, token), placed(sandbox, token)
    groups = [{"fulfillmentOrderId": o["fulfillmentOrders"]["nodes"][0]["id"]} for o in (first, second)]

    mixed = fulfill(sandbox, token, groups)
    bad_url = fulfill(sandbox, token, groups[:1], trackingInfo={"number": "1", "url": "dhl.de/track"})

    assert mixed["userErrors"][0]["field"][:3] == ["fulfillment", "lineItemsByFulfillmentOrder", "1"]
    assert bad_url["userErrors"] == [
        {"field": ["fulfillment", "trackingInfo", "url"], "message": "Tracking url is invalid."}
    ]
    assert order_view(sandbox, token, first["rest"]["admin_graphql_api_id"])["fulfillments"] == []


def test_without_the_write_fulfillment_orders_scope_it_is_access_denied(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]  # read_merchant_managed_fulfillment_orders only
    order = placed(sandbox, token)

    response = sandbox.graphql(
        token,
        FULFILL,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": order["fulfillmentOrders"]["nodes"][0]["id"]}
                ]
            }
        },
    )

    body = response.json()
    assert response.status_code == 200 and body["data"]["fulfillmentCreate"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "ACCESS_DENIED" and error["path"] == ["fulfillmentCreate"]
    assert "write_merchant_managed_fulfillment_orders" in error["message"]
    assert order_view(sandbox, token, order["rest"]["admin_graphql_api_id"])["fulfillments"] == []


def test_fulfilling_fires_orders_fulfilled_then_orders_updated_with_the_fulfillments(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    for topic in ("ORDERS_PARTIALLY_FULFILLED", "ORDERS_FULFILLED", "ORDERS_UPDATED"):
        sandbox.subscribe(token, topic, receiver.url)
    order = placed(sandbox, token)
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    [line] = fo_lines(order)

    fulfill(
        sandbox,
        token,
        [{"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": [{"id": line["id"], "quantity": 1}]}],
        trackingInfo=TRACKING,
    )
    fulfill(sandbox, token, [{"fulfillmentOrderId": fo_id}])
    requests = receiver.wait_for(4)

    emitted = [d["topic"] for d in sandbox.deliveries(4)]  # in the order the changes fired them
    assert emitted == ["orders/partially_fulfilled", "orders/updated", "orders/fulfilled", "orders/updated"]
    assert sorted(request.headers["x-shopify-topic"] for request in requests) == sorted(emitted)
    fulfilled = [r for r in requests if r.headers["x-shopify-topic"] == "orders/fulfilled"]
    final = json.loads(fulfilled[0].body)
    assert final["fulfillment_status"] == "fulfilled"
    assert [f["tracking_number"] for f in final["fulfillments"]] == [TRACKING["number"], None]
    assert final["fulfillments"][0]["line_items"] == [
        {
            "id": order["rest"]["line_items"][0]["id"],
            "admin_graphql_api_id": line["lineItem"]["id"],
            "sku": "POSTER-0",
            "title": "Poster",
            "quantity": 1,
        }
    ]


def test_a_failing_shop_answers_503_without_fulfilling(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token)
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"api_fail_count": 1, "api_fail_status": 503})
    variables = {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}}

    failed = sandbox.graphql(token, FULFILL, variables)

    assert failed.status_code == 503
    assert sandbox.control("GET", f"/shops/{SHOP}/orders/{order['rest']['id']}/fulfillments") == []
    assert sandbox.data(token, FULFILL, variables)["fulfillmentCreate"]["userErrors"] == []


def test_a_lost_answer_has_fulfilled_once_and_the_retry_is_refused(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE_SCOPES)["access_token"]
    order = placed(sandbox, token)
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"api_lose_mutation_answers": 1})
    variables = {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}}

    lost = sandbox.graphql(token, FULFILL, variables)
    retried = sandbox.data(token, FULFILL, variables)["fulfillmentCreate"]

    assert lost.status_code == 504
    assert "unfulfillable status= closed" in retried["userErrors"][0]["message"]
    assert len(sandbox.control("GET", f"/shops/{SHOP}/orders/{order['rest']['id']}/fulfillments")) == 1


def test_the_control_api_answers_404_for_an_unknown_order(sandbox: Sandbox) -> None:
    response = sandbox.http.get(f"/_sandbox/shopify/shops/{SHOP}/orders/1/fulfillments")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def install_on(sandbox: Sandbox, shop: str) -> str:
    """Installs the sandbox's app on another shop than the default one; its access token."""
    authorized = sandbox.http.get(
        f"/shops/{shop}/admin/oauth/authorize",
        params={"client_id": sandbox.client_id, "scope": WRITE_SCOPES, "redirect_uri": REDIRECT},
    )
    code = dict(parse_qsl(urlsplit(authorized.headers["location"]).query))["code"]
    issued = sandbox.http.post(
        f"/shops/{shop}/admin/oauth/access_token",
        json={"client_id": sandbox.client_id, "client_secret": sandbox.client_secret, "code": code},
    )
    return str(issued.json()["access_token"])
