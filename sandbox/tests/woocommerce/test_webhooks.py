"""Webhooks as a receiver sees them on a real socket: the unsigned form-encoded ping, signed JSON
deliveries with WooCommerce's headers, disabling after repeated failures, and misbehaviour."""

import base64
import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qs

import httpx

CONTROL = "/_sandbox/woocommerce"
SECRET = "s3cr3t-for-hooks"


async def subscribe(
    client: httpx.AsyncClient, shop: Any, receiver: Any, topic: str = "order.created", **extra: Any
) -> dict[str, Any]:
    created = await client.post(
        f"{shop.api}/webhooks",
        json={"name": "Printbridge", "topic": topic, "delivery_url": receiver.url, "secret": SECRET, **extra},
        auth=(shop.consumer_key, shop.consumer_secret),
    )
    assert created.status_code == 201, created.text
    return created.json()


async def settle(client: httpx.AsyncClient, shop: Any) -> list[dict[str, Any]]:
    waited = await client.post(f"{CONTROL}/sites/{shop.slug}/deliveries/wait", json={"timeout_s": 5})
    assert waited.status_code == 200, waited.text
    return waited.json()


def signed_by(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def test_creating_an_active_webhook_pings_with_an_unsigned_form_body(
    https: httpx.AsyncClient, shop: Any, receiver: Any
) -> None:
    webhook = await subscribe(https, shop, receiver)

    [ping] = await receiver.wait_for(1)
    assert ping.method == "POST"
    assert ping.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(ping.body.decode()) == {"webhook_id": [str(webhook["id"])]}
    assert not any(name.startswith("x-wc-webhook") for name in ping.headers)
    assert ping.headers["user-agent"].startswith("WooCommerce/")
    assert webhook["status"] == "active"
    assert (webhook["resource"], webhook["event"]) == ("order", "created")
    assert "secret" not in webhook


async def test_a_ping_answered_with_202_leaves_the_webhook_pending(
    https: httpx.AsyncClient, shop: Any, receiver: Any
) -> None:
    receiver.answer_status = 202

    webhook = await subscribe(https, shop, receiver)

    site = (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()
    [state] = [hook for hook in site["webhooks"] if hook["id"] == webhook["id"]]
    assert state["pending_delivery"] is True
    assert webhook["status"] == "active"


async def test_an_order_delivery_is_signed_over_the_raw_bytes_with_wcs_headers(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    webhook = await subscribe(https, shop, receiver)
    placed = await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())

    _, delivery = await receiver.wait_for(2)

    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["x-wc-webhook-signature"] == signed_by(delivery.body, SECRET)
    assert delivery.headers["x-wc-webhook-topic"] == "order.created"
    assert delivery.headers["x-wc-webhook-resource"] == "order"
    assert delivery.headers["x-wc-webhook-event"] == "created"
    assert delivery.headers["x-wc-webhook-id"] == str(webhook["id"])
    assert delivery.headers["x-wc-webhook-source"] == shop.url + "/"
    assert len(delivery.headers["x-wc-webhook-delivery-id"]) == 32
    # PHP's encoding escapes slashes: re-serialising the parsed body gives other bytes, another signature.
    assert b"\\/" in delivery.body
    reserialised = json.dumps(json.loads(delivery.body), separators=(",", ":")).encode()
    assert signed_by(reserialised, SECRET) != delivery.headers["x-wc-webhook-signature"]
    assert json.loads(delivery.body) == placed.json()


async def test_deleting_an_order_delivers_only_its_id(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    placed = await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    await subscribe(https, shop, receiver, topic="order.deleted")

    await https.delete(f"{CONTROL}/sites/{shop.slug}/orders/{placed.json()['id']}")

    _, delivery = await receiver.wait_for(2)
    assert json.loads(delivery.body) == {"id": placed.json()["id"]}
    assert delivery.headers["x-wc-webhook-topic"] == "order.deleted"


async def test_a_webhook_is_disabled_after_consecutive_failed_deliveries(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    webhook = await subscribe(https, shop, receiver)
    receiver.answer_status = 500
    auth = (shop.consumer_key, shop.consumer_secret)

    for _ in range(6):
        await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    await settle(https, shop)
    after_six = await https.get(f"{shop.api}/webhooks/{webhook['id']}", auth=auth)
    await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    await settle(https, shop)
    after_seven = await https.get(f"{shop.api}/webhooks/{webhook['id']}", auth=auth)
    await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    await settle(https, shop)

    assert after_six.json()["status"] == "active"
    assert after_seven.json()["status"] == "disabled"
    assert len(receiver.requests) == 1 + 7  # the ping, seven deliveries, nothing once disabled


async def test_a_successful_delivery_resets_the_failure_count(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    webhook = await subscribe(https, shop, receiver)
    receiver.answer_status = 500
    for _ in range(5):
        await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    await settle(https, shop)
    receiver.answer_status = 200
    await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    await settle(https, shop)

    site = (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()
    [state] = [hook for hook in site["webhooks"] if hook["id"] == webhook["id"]]
    assert (state["status"], state["failure_count"]) == ("active", 0)


async def test_webhooks_are_listed_updated_and_deleted_only_with_force(
    https: httpx.AsyncClient, shop: Any, receiver: Any
) -> None:
    webhook = await subscribe(https, shop, receiver)
    auth = (shop.consumer_key, shop.consumer_secret)
    url = f"{shop.api}/webhooks/{webhook['id']}"

    paused = await https.put(url, json={"status": "paused"}, auth=auth)
    listed = await https.get(f"{shop.api}/webhooks", auth=auth)
    unforced = await https.delete(url, auth=auth)
    forced = await https.delete(url, params={"force": "true"}, auth=auth)
    gone = await https.get(url, auth=auth)

    assert paused.json()["status"] == "paused"
    assert [hook["id"] for hook in listed.json()] == [webhook["id"]]
    assert listed.headers["X-WP-Total"] == "1"
    assert unforced.status_code == 501
    assert unforced.json()["code"] == "woocommerce_rest_trash_not_supported"
    assert forced.status_code == 200
    assert gone.status_code == 404


async def test_an_invalid_topic_or_delivery_url_is_refused(https: httpx.AsyncClient, shop: Any) -> None:
    auth = (shop.consumer_key, shop.consumer_secret)

    bad_topic = await https.post(
        f"{shop.api}/webhooks", json={"topic": "order.shipped", "delivery_url": "https://x.test/"}, auth=auth
    )
    bad_url = await https.post(
        f"{shop.api}/webhooks", json={"topic": "order.created", "delivery_url": "ftp://x.test/"}, auth=auth
    )
    missing = await https.post(f"{shop.api}/webhooks", json={"name": "no topic"}, auth=auth)

    assert bad_topic.json()["code"] == "woocommerce_rest_shop_webhook_invalid_topic"
    assert bad_url.json()["code"] == "woocommerce_rest_shop_webhook_invalid_delivery_url"
    assert missing.status_code == 400
    assert missing.json()["code"] == "rest_missing_callback_param"
    assert missing.json()["data"]["params"] == ["topic", "delivery_url"]


async def test_misbehaving_site_duplicates_drops_and_reorders_deliveries(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    await subscribe(https, shop, receiver)
    misbehave = f"{CONTROL}/sites/{shop.slug}/misbehaviour"
    orders = f"{CONTROL}/sites/{shop.slug}/orders"

    await https.put(misbehave, json={"duplicate_deliveries": 1})
    duplicated = (await https.post(orders, json=an_order())).json()["id"]
    await https.put(misbehave, json={"drop_deliveries": 1})
    dropped = (await https.post(orders, json=an_order())).json()["id"]
    await https.put(misbehave, json={"out_of_order_deliveries": 2})
    earlier = (await https.post(orders, json=an_order())).json()["id"]
    later = (await https.post(orders, json=an_order())).json()["id"]
    await settle(https, shop)

    received = [json.loads(request.body)["id"] for request in receiver.requests[1:]]
    assert received == [duplicated, duplicated, later, earlier]
    assert dropped not in received
    deliveries = (await https.get(f"{CONTROL}/sites/{shop.slug}/deliveries")).json()
    assert [d["outcome"] for d in deliveries if d["kind"] == "event"].count("dropped") == 1


async def test_a_clients_own_status_change_is_delivered_as_order_updated(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    placed = (await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())).json()
    await subscribe(https, shop, receiver, topic="order.updated")

    await https.put(
        f"{shop.api}/orders/{placed['id']}",
        json={"status": "completed"},
        auth=(shop.consumer_key, shop.consumer_secret),
    )

    _, delivery = await receiver.wait_for(2)
    assert delivery.headers["x-wc-webhook-topic"] == "order.updated"
    assert json.loads(delivery.body)["status"] == "completed"


async def test_an_unreachable_receiver_counts_as_a_failed_delivery(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    auth = (shop.consumer_key, shop.consumer_secret)
    closed_port = "http://127.0.0.1:9/hooks"
    created = await https.post(
        f"{shop.api}/webhooks",
        json={"topic": "order.created", "delivery_url": closed_port, "secret": SECRET},
        auth=auth,
    )

    await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    deliveries = await settle(https, shop)

    assert created.status_code == 201
    ping, event = deliveries
    assert (ping["kind"], ping["outcome"]) == ("ping", "failed")
    assert (event["kind"], event["outcome"], event["response_status"]) == ("event", "failed", None)
    site = (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()
    assert site["webhooks"][0]["failure_count"] == 1
    assert site["webhooks"][0]["pending_delivery"] is True


async def test_delivery_ids_are_the_same_for_one_webhook_within_one_second(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    await subscribe(https, shop, receiver)
    await https.put(f"{CONTROL}/sites/{shop.slug}/misbehaviour", json={"duplicate_deliveries": 1})

    await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json=an_order())
    deliveries = [d for d in await settle(https, shop) if d["kind"] == "event"]

    first, twin = deliveries
    assert re.fullmatch(r"[0-9a-f]{32}", first["delivery_id"])
    # wp_hash(webhook id . unix time): equal within a second, different across seconds.
    same_second = first["sent_at"] == twin["sent_at"]
    assert (first["delivery_id"] == twin["delivery_id"]) is same_second


async def test_a_product_change_is_delivered_as_product_updated(
    https: httpx.AsyncClient, shop: Any, receiver: Any
) -> None:
    product = await https.post(
        f"{CONTROL}/sites/{shop.slug}/products", json={"name": "Flyer", "sku": "FLY", "regular_price": "9.90"}
    )
    await subscribe(https, shop, receiver, topic="product.updated")

    await https.patch(
        f"{CONTROL}/sites/{shop.slug}/products/{product.json()['id']}", json={"regular_price": "8.50"}
    )

    _, delivery = await receiver.wait_for(2)
    assert delivery.headers["x-wc-webhook-resource"] == "product"
    assert json.loads(delivery.body)["regular_price"] == "8.50"
    assert delivery.headers["x-wc-webhook-signature"] == signed_by(delivery.body, SECRET)
