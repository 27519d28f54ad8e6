"""Webhook deliveries as a receiving app sees them: signed raw bytes, the documented headers, retries,
removal of failing subscriptions, and the misbehaviour tests ask for."""

import base64
import hashlib
import hmac
import json

from printbridge_sandbox.shopify.testing import SHOP, Receiver, Sandbox


def verifies(body: bytes, header: str, secret: str) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, header)


def test_order_created_is_delivered_signed_over_the_raw_bytes_with_the_documented_headers(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)

    placed = sandbox.place_order()
    [request] = receiver.wait_for(1)

    headers = request.headers
    assert verifies(request.body, headers["x-shopify-hmac-sha256"], sandbox.client_secret)
    assert not verifies(request.body + b" ", headers["x-shopify-hmac-sha256"], sandbox.client_secret)
    assert headers["x-shopify-topic"] == "orders/create"
    assert headers["x-shopify-shop-domain"] == SHOP
    assert headers["x-shopify-api-version"] == "2025-10"
    assert headers["x-shopify-webhook-id"] and headers["x-shopify-event-id"]
    assert headers["x-shopify-triggered-at"].endswith("Z")
    order = json.loads(request.body)
    assert order["id"] == placed["id"] and order["id"] > 2**53  # a 64-bit id, as Shopify's are
    assert order["admin_graphql_api_id"] == f"gid://shopify/Order/{placed['id']}"
    assert order["line_items"][0]["properties"] == [
        {"name": "_artwork_url", "value": "https://cdn.example.com/a.pdf"}
    ]
    assert order["shipping_address"]["country_code"] == "DE" and order["updated_at"]


def test_every_subscription_gets_its_own_delivery_with_one_event_id(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_UPDATED", receiver.url)
    sandbox.subscribe(token, "ORDERS_UPDATED", receiver.url + "?second")
    order = sandbox.place_order()

    sandbox.control("PATCH", f"/shops/{SHOP}/orders/{order['id']}", json={"note": "changed"})
    first, second = receiver.wait_for(2)

    assert first.headers["x-shopify-event-id"] == second.headers["x-shopify-event-id"]
    assert first.headers["x-shopify-webhook-id"] != second.headers["x-shopify-webhook-id"]
    assert json.loads(first.body)["note"] == "changed"


def test_cancelling_sends_orders_cancelled(sandbox: Sandbox, receiver: Receiver) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CANCELLED", receiver.url)
    order = sandbox.place_order()

    sandbox.control("POST", f"/shops/{SHOP}/orders/{order['id']}/cancel", json={"reason": "customer"})
    [request] = receiver.wait_for(1)

    body = json.loads(request.body)
    assert request.headers["x-shopify-topic"] == "orders/cancelled"
    assert body["cancelled_at"] and body["cancel_reason"] == "customer"


def test_failed_deliveries_are_retried_until_a_2xx(sandbox: Sandbox, receiver: Receiver) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)
    receiver.answers = [500, 503]

    sandbox.place_order()
    first, second, third = receiver.wait_for(3)

    assert first.body == second.body == third.body
    assert len({r.headers["x-shopify-webhook-id"] for r in (first, second, third)}) == 1
    [delivery] = sandbox.deliveries(1)
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]


def test_a_subscription_whose_deliveries_keep_failing_is_deleted(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)
    receiver.answers = [500] * 9

    sandbox.place_order()
    receiver.wait_for(9)
    [delivery] = sandbox.deliveries(1)

    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 9  # 1 + 8 retries
    assert sandbox.control("GET", f"/shops/{SHOP}/webhook_subscriptions") == []


def test_duplicates_on_demand_repeat_the_event_under_a_new_webhook_id(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"webhook_duplicate": True})

    sandbox.place_order()
    first, second = receiver.wait_for(2)

    assert first.headers["x-shopify-event-id"] == second.headers["x-shopify-event-id"]
    assert first.headers["x-shopify-webhook-id"] != second.headers["x-shopify-webhook-id"]
    assert first.body == second.body


def test_hold_back_delivers_an_earlier_change_after_a_later_one(sandbox: Sandbox, receiver: Receiver) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"webhook_hold_back": 1})

    early = sandbox.place_order()
    late = sandbox.place_order()
    first, second = receiver.wait_for(2)

    assert [json.loads(first.body)["id"], json.loads(second.body)["id"]] == [late["id"], early["id"]]


def test_dropped_deliveries_never_arrive_but_are_listed(sandbox: Sandbox, receiver: Receiver) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"webhook_drop": 1})

    sandbox.place_order()
    kept = sandbox.place_order()
    [request] = receiver.wait_for(1)

    assert json.loads(request.body)["id"] == kept["id"]
    statuses = sorted(d["status"] for d in sandbox.deliveries(2))
    assert statuses == ["delivered", "dropped"]


def test_uninstall_revokes_the_token_and_sends_app_uninstalled(sandbox: Sandbox, receiver: Receiver) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "APP_UNINSTALLED", receiver.url)

    sandbox.control("POST", f"/shops/{SHOP}/actions/uninstall")
    [request] = receiver.wait_for(1)

    assert request.headers["x-shopify-topic"] == "app/uninstalled"
    assert json.loads(request.body)["myshopify_domain"] == SHOP
    assert sandbox.graphql(token, "{ shop { id } }").status_code == 401
    assert sandbox.control("GET", f"/shops/{SHOP}/webhook_subscriptions") == []


def test_product_changes_are_delivered(sandbox: Sandbox, receiver: Receiver) -> None:
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "PRODUCTS_UPDATE", receiver.url)
    sandbox.subscribe(token, "PRODUCTS_DELETE", receiver.url)
    product = sandbox.control("POST", f"/shops/{SHOP}/products", json={"title": "Poster"})

    sandbox.control("PATCH", f"/shops/{SHOP}/products/{product['id']}", json={"status": "DRAFT"})
    sandbox.control("DELETE", f"/shops/{SHOP}/products/{product['id']}")
    updated, deleted = receiver.wait_for(2)

    assert json.loads(updated.body)["status"] == "draft"
    assert json.loads(deleted.body) == {"id": product["id"]}


def test_an_answer_slower_than_the_timeout_counts_as_failed_and_is_retried(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.control("PATCH", "/settings", json={"webhook_timeout_seconds": 0.2})
    token = sandbox.install()["access_token"]
    sandbox.subscribe(token, "ORDERS_CREATE", receiver.url)
    receiver.delays = [1.0]

    sandbox.place_order()
    receiver.wait_for(2)
    [delivery] = sandbox.deliveries(1)

    first, second = delivery["attempts"]
    assert first["status_code"] is None and "timeout" in first["error"]
    assert second["status_code"] == 200 and delivery["status"] == "delivered"
