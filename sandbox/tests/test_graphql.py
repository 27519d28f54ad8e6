"""The GraphQL Admin API as a client sees it: documented shapes, paging, search, scopes, cost, throttling."""

from typing import Any

from printbridge_sandbox.shopify.testing import SHOP, Sandbox

ORDER_PAGE = """query($after: String, $query: String) {
  orders(first: 2, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges { cursor node { id name updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def all_orders(sandbox: Sandbox, token: str, query: str | None = None) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = sandbox.data(token, ORDER_PAGE, {"after": after, "query": query})["orders"]
        seen.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


def test_shop_and_access_scopes(sandbox: Sandbox) -> None:
    token = sandbox.install(scope="read_orders,read_products")["access_token"]

    data = sandbox.data(
        token,
        """{ shop { id name myshopifyDomain currencyCode email }
             currentAppInstallation { accessScopes { handle } } }""",
    )

    assert data["shop"]["myshopifyDomain"] == SHOP and data["shop"]["name"] == "Acme Prints"
    assert data["shop"]["id"].startswith("gid://shopify/Shop/") and data["shop"]["currencyCode"] == "EUR"
    assert [s["handle"] for s in data["currentAppInstallation"]["accessScopes"]] == [
        "read_orders",
        "read_products",
    ]


def test_paging_returns_every_order_exactly_once(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    placed = {sandbox.place_order()["admin_graphql_api_id"] for _ in range(7)}

    seen = all_orders(sandbox, token)

    assert len(seen) == 7 and {order["id"] for order in seen} == placed


def test_updated_at_filter_finds_orders_changed_since(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    old = sandbox.place_order(created_at="2025-01-01T10:00:00+00:00")
    sandbox.place_order(created_at="2025-03-01T10:00:00+00:00")

    created_before = all_orders(sandbox, token, "created_at:<'2025-02-01T00:00:00Z'")
    created_since = all_orders(sandbox, token, "created_at:>=2025-02-01")
    assert [o["id"] for o in created_before] == [old["admin_graphql_api_id"]]
    assert len(created_since) == 1

    newest = max(o["updatedAt"] for o in all_orders(sandbox, token))
    assert all_orders(sandbox, token, f"updated_at:>'{newest}'") == []
    assert len(all_orders(sandbox, token, f"updated_at:>='{newest}'")) >= 1


def test_order_carries_the_webhook_payload_fields_in_their_graphql_names(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    placed = sandbox.place_order(note="matt bitte", total_tax="9.98")

    data = sandbox.data(
        token,
        """query($id: ID!) { order(id: $id) {
             id name createdAt updatedAt cancelledAt email currencyCode test note displayFinancialStatus
             totalPriceSet { shopMoney { amount currencyCode } }
             subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
             totalShippingPriceSet { shopMoney { amount } }
             lineItems(first: 10) { edges { node { id sku title variantTitle quantity
               originalUnitPriceSet { shopMoney { amount } } variant { id } product { id }
               customAttributes { key value } } } }
             shippingAddress { firstName lastName address1 city zip countryCodeV2 }
             fulfillmentOrders(first: 5) { edges { node { id status
               lineItems(first: 10) { edges { node { id remainingQuantity lineItem { id } } } } } } }
           } }""",
        {"id": placed["admin_graphql_api_id"]},
    )["order"]

    assert data["name"] == placed["name"] and data["email"] == "anna@example.com"
    assert data["totalPriceSet"]["shopMoney"] == {"amount": "64.88", "currencyCode": "EUR"}
    assert data["subtotalPriceSet"]["shopMoney"]["amount"] == "49.90"
    assert data["totalShippingPriceSet"]["shopMoney"]["amount"] == "5.00"
    assert data["displayFinancialStatus"] == "PAID" and data["cancelledAt"] is None
    line = data["lineItems"]["edges"][0]["node"]
    assert line["id"] == placed["line_items"][0]["admin_graphql_api_id"]
    assert line["customAttributes"] == [{"key": "_artwork_url", "value": "https://cdn.example.com/a.pdf"}]
    assert data["shippingAddress"]["countryCodeV2"] == "DE"
    fo = data["fulfillmentOrders"]["edges"][0]["node"]
    assert fo["status"] == "OPEN" and fo["id"].startswith("gid://shopify/FulfillmentOrder/")
    fo_line = fo["lineItems"]["edges"][0]["node"]
    assert fo_line["remainingQuantity"] == 2 and fo_line["lineItem"]["id"] == line["id"]
    assert fo_line["id"] != line["id"]


def test_products_with_variants_and_status(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.control(
        "POST",
        f"/shops/{SHOP}/products",
        json={"title": "Poster", "variants": [{"title": "A3", "sku": "P-A3", "price": "19.95"}]},
    )
    sandbox.control("POST", f"/shops/{SHOP}/products", json={"title": "Old", "status": "ARCHIVED"})

    data = sandbox.data(
        token,
        """{ products(first: 10, query: "status:active") { edges { node { id title status
             variants(first: 5) { edges { node { id sku title price } } } } } } }""",
    )

    [product] = [edge["node"] for edge in data["products"]["edges"]]
    assert product["title"] == "Poster" and product["status"] == "ACTIVE"
    [variant] = [edge["node"] for edge in product["variants"]["edges"]]
    assert variant["id"].startswith("gid://shopify/ProductVariant/")
    assert (variant["sku"], variant["price"]) == ("P-A3", "19.95")


def test_a_field_needing_a_missing_scope_is_access_denied(sandbox: Sandbox) -> None:
    token = sandbox.install(scope="read_products")["access_token"]

    response = sandbox.graphql(token, "{ orders(first: 5) { edges { node { id } } } }")

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert "read_orders" in error["message"] and error["path"] == ["orders"]


def test_removed_scopes_take_effect_on_the_next_call(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.control("POST", f"/shops/{SHOP}/actions/remove_scopes", json={"scopes": ["read_orders"]})

    response = sandbox.graphql(token, "{ orders(first: 1) { nodes { id } } }")

    assert response.json()["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def test_every_response_reports_its_calculated_cost(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.place_order()

    body = sandbox.graphql(token, "{ orders(first: 10) { edges { node { id name } } } }").json()

    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 12  # a connection: 2 + 10 nodes of 1
    assert cost["actualQueryCost"] == 3  # one order came back
    assert cost["throttleStatus"]["maximumAvailable"] == 1000
    assert cost["throttleStatus"]["restoreRate"] == 50
    assert cost["throttleStatus"]["currentlyAvailable"] >= 997


def test_over_budget_is_throttled_as_documented(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.data(token, "{ shop { id } }")  # the bucket exists from the first call on
    sandbox.control("POST", f"/shops/{SHOP}/actions/throttle")

    response = sandbox.graphql(token, "{ orders(first: 100) { edges { node { id } } } }")

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    assert "data" not in body
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["requestedQueryCost"] == 102


def test_a_query_above_the_single_query_limit_is_refused(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]

    body = sandbox.graphql(
        token, "{ orders(first: 250) { edges { node { lineItems(first: 250) { nodes { id } } } } } }"
    ).json()

    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_failures_on_demand_answer_429_with_retry_after_then_recover(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.control(
        "PUT",
        f"/shops/{SHOP}/misbehaviour",
        json={"api_fail_count": 2, "api_fail_status": 429, "api_fail_retry_after": 2},
    )

    first = sandbox.graphql(token, "{ shop { id } }")
    second = sandbox.graphql(token, "{ shop { id } }")
    third = sandbox.graphql(token, "{ shop { id } }")

    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["retry-after"] == "2.0"


def test_unknown_token_gets_401_and_the_call_is_recorded_without_a_client(sandbox: Sandbox) -> None:
    response = sandbox.graphql("shpat_not-a-token", "{ shop { id } }")

    assert response.status_code == 401
    [call] = sandbox.control("GET", f"/shops/{SHOP}/calls")
    assert call["has_access_token"] is True and call["client_id"] is None and call["status"] == 401


def test_the_call_log_names_the_top_level_fields_each_graphql_call_asked_for(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    placed = sandbox.place_order()

    sandbox.data(token, "query Scopes { currentAppInstallation { accessScopes { handle } } }")
    sandbox.data(
        token,
        "query Order($id: ID!) { found: order(id: $id) { id } ... { shop { name } } }",
        {"id": placed["admin_graphql_api_id"]},
    )
    sandbox.graphql(token, "query A { shop { id } } query B { shop { name } }")

    calls = sandbox.control("GET", f"/shops/{SHOP}/calls")
    graphql_calls = [call for call in calls if call["path"].endswith("/graphql.json")]
    assert [call["fields"] for call in graphql_calls] == [
        ["currentAppInstallation"],
        ["order", "shop"],
        [],  # two operations and no operationName: Shopify runs none
    ]


def test_graphql_syntax_errors_come_back_as_errors(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]

    body = sandbox.graphql(token, "{ shop { nope } }").json()

    assert "nope" in body["errors"][0]["message"]


def test_webhook_subscriptions_create_list_delete(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]

    created = sandbox.data(
        token,
        """mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE,
             webhookSubscription: { uri: "https://app.example/hooks", format: JSON }) {
             webhookSubscription { id topic uri
               endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
             userErrors { field message } } }""",
    )["webhookSubscriptionCreate"]
    sub = created["webhookSubscription"]
    assert created["userErrors"] == [] and sub["topic"] == "ORDERS_CREATE"
    assert sub["endpoint"] == {
        "__typename": "WebhookHttpEndpoint",
        "callbackUrl": "https://app.example/hooks",
    }

    listed = sandbox.data(
        token, "{ webhookSubscriptions(first: 10) { nodes { id uri } pageInfo { hasNextPage } } }"
    )
    assert listed["webhookSubscriptions"]["nodes"] == [{"id": sub["id"], "uri": "https://app.example/hooks"}]

    delete = """mutation($id: ID!) { webhookSubscriptionDelete(id: $id) {
                  deletedWebhookSubscriptionId userErrors { field message } } }"""
    deleted = sandbox.data(token, delete, {"id": sub["id"]})["webhookSubscriptionDelete"]
    assert deleted == {"deletedWebhookSubscriptionId": sub["id"], "userErrors": []}
    again = sandbox.data(token, delete, {"id": sub["id"]})["webhookSubscriptionDelete"]
    assert again["deletedWebhookSubscriptionId"] is None and again["userErrors"][0]["field"] == ["id"]


def test_subscribing_to_orders_without_read_orders_is_a_user_error(sandbox: Sandbox) -> None:
    token = sandbox.install(scope="read_products")["access_token"]

    result = sandbox.data(
        token,
        """mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE,
             webhookSubscription: { callbackUrl: "https://app.example/hooks" }) {
             webhookSubscription { id } userErrors { field message } } }""",
    )["webhookSubscriptionCreate"]

    assert result["webhookSubscription"] is None and result["userErrors"][0]["field"] == ["topic"]


def test_an_older_api_version_falls_forward(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]

    response = sandbox.graphql(token, "{ shop { id } }", version="2023-04")

    assert response.status_code == 200 and response.headers["x-shopify-api-version"] == "2025-07"


def test_slow_answers_on_demand_delay_the_api(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"api_delay_seconds": 0.3})

    response = sandbox.graphql(token, "{ shop { id } }")

    assert response.status_code == 200 and response.elapsed.total_seconds() >= 0.3


def test_a_cursor_from_another_sort_order_is_an_error_not_a_crash(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.place_order()
    sandbox.place_order()
    cursor = sandbox.data(token, "{ orders(first: 1, sortKey: ID) { pageInfo { endCursor } } }")["orders"][
        "pageInfo"
    ]

    body = sandbox.graphql(
        token,
        "query($after: String) { orders(first: 1, after: $after, sortKey: UPDATED_AT) { nodes { id } } }",
        {"after": cursor["endCursor"]},
    ).json()

    assert body["errors"][0]["message"] == "Invalid cursor for current pagination."
    garbage = sandbox.graphql(token, '{ orders(first: 1, after: "%%%") { nodes { id } } }').json()
    assert garbage["errors"][0]["message"] == "Invalid cursor for current pagination."
