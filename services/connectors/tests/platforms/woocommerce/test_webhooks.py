"""Orders arriving from a WooCommerce shop through its signed webhooks (and polling where webhooks fail),
against the sandbox over real sockets: the shop is driven through its control API, the assertions are
on Printbridge's side (the outbox, the kept deliveries, the stores API)."""

import base64
import hashlib
import hmac
import json

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared.testing import eventually

from .conftest import Sandbox, deliveries, outbox_events

pytestmark = pytest.mark.postgres_only


def orders_of(events: list[dict], order_id: int) -> list[dict]:
    return [e for e in events if e["external_id"] == str(order_id)]


async def test_an_order_placed_in_the_shop_is_published_through_the_signed_webhook(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="https")
    order = await sandbox.place_order(store.shop.slug)
    sent = await sandbox.drained(store.shop.slug)

    created = [d for d in sent if d["topic"] == "order.created"]
    assert [d["response_status"] for d in created] == [200]
    (received,) = orders_of(await outbox_events(app, "shop_order.received"), order["id"])
    assert received["store_id"] == store.store_id and received["platform"] == "woocommerce"
    assert received["total_price"] == order["total"] and received["currency"] == order["currency"]
    assert received["line_items"][0]["sku"] == "BC-350"
    assert received["line_items"][0]["properties"] == [{"name": "pa_finish", "value": "matte"}]
    kept = [d for d in await deliveries(app) if d.topic == "order.created"]
    assert [(d.outcome, d.change_key) for d in kept] == [
        ("published", f"order:{order['id']}:{order['date_modified_gmt']}")
    ]
    assert kept[0].body == created[0]["body"].encode()


async def test_the_unsigned_ping_gets_200_and_nothing_is_kept(
    app: FastAPI, client: httpx.AsyncClient, connected
) -> None:
    store = await connected(scheme="http")
    answer = await client.post(
        f"/v1/webhooks/woocommerce/{store.store_id}",
        content=b"webhook_id=41",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200 and answer.json() == {"outcome": "ping"}
    assert await deliveries(app) == []


async def test_a_duplicated_delivery_publishes_one_event(app: FastAPI, sandbox: Sandbox, connected) -> None:
    store = await connected(scheme="https")
    await sandbox.misbehave(store.shop.slug, duplicate_deliveries=1)
    order = await sandbox.place_order(store.shop.slug)
    sent = await sandbox.drained(store.shop.slug)

    assert [d["response_status"] for d in sent if d["topic"] == "order.created"] == [200, 200]
    assert len(orders_of(await outbox_events(app, "shop_order.received"), order["id"])) == 1
    assert len([d for d in await deliveries(app) if d.topic == "order.created"]) == 1


async def test_an_update_delivered_after_a_newer_one_changes_nothing(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="https")
    slug = store.shop.slug
    order = await sandbox.place_order(slug)
    await sandbox.drained(slug)
    await sandbox.misbehave(slug, out_of_order_deliveries=2)
    for minute, note in ((1, "first change"), (2, "second change")):
        changed = await sandbox.control.patch(
            f"/sites/{slug}/orders/{order['id']}",
            json={"customer_note": note, "date_modified_gmt": f"2030-01-01T00:0{minute}:00"},
        )
        assert changed.status_code == 200, changed.text
    await sandbox.drained(slug)

    updates = orders_of(await outbox_events(app, "shop_order.updated"), order["id"])
    assert [(u["note"], u["source_updated_at"]) for u in updates] == [
        ("second change", "2030-01-01T00:02:00Z")
    ]
    outcomes = [d.outcome for d in await deliveries(app) if d.topic == "order.updated"]
    assert sorted(outcomes) == ["published", "stale"]


async def test_a_forged_delivery_is_refused_with_401_and_nothing_is_kept(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="https")
    body = json.dumps({"id": 999, "date_modified_gmt": "2030-01-01T00:00:00", "total": "1.00"}).encode()
    forged = base64.b64encode(hmac.new(b"guessed", body, hashlib.sha256).digest()).decode()
    for headers in (
        {"X-WC-Webhook-Signature": forged, "X-WC-Webhook-Topic": "order.created"},
        {"X-WC-Webhook-Topic": "order.created"},
    ):
        answer = await client.post(
            f"/v1/webhooks/woocommerce/{store.store_id}",
            content=body,
            headers={"Content-Type": "application/json", **headers},
        )
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    unknown_store = await client.post(
        "/v1/webhooks/woocommerce/00000000-0000-0000-0000-000000000000",
        content=body,
        headers={"X-WC-Webhook-Signature": forged},
    )
    assert unknown_store.status_code == 401
    assert await deliveries(app) == []
    assert await outbox_events(app, "shop_order.received") == []


async def test_an_order_whose_delivery_was_dropped_arrives_with_the_reconcile(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers
) -> None:
    store = await connected(scheme="http")
    await sandbox.misbehave(store.shop.slug, drop_deliveries=1)
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.drained(store.shop.slug)
    assert orders_of(await outbox_events(app, "shop_order.received"), order["id"]) == []

    answer = await client.post(f"/v1/stores/{store.store_id}/reconcile", headers=operator_headers)
    assert answer.status_code == 202, answer.text

    async def arrived() -> bool:
        return len(orders_of(await outbox_events(app, "shop_order.received"), order["id"])) == 1

    await eventually(arrived)
    assert [d for d in await deliveries(app) if d.topic == "order.created"] == []


async def test_a_trashed_order_is_fetched_again_and_cancelled(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="https")
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.drained(store.shop.slug)
    trashed = await sandbox.control.delete(f"/sites/{store.shop.slug}/orders/{order['id']}")
    assert trashed.status_code == 200, trashed.text
    await sandbox.drained(store.shop.slug)

    async def cancelled() -> list[dict]:
        return orders_of(await outbox_events(app, "shop_order.cancelled"), order["id"])

    await eventually(cancelled)
    (event,) = await cancelled()
    assert event["cancel_reason"] == "deleted in the shop"
    assert event["source_updated_at"] == trashed.json()["date_modified_gmt"] + "Z"
    (kept,) = [d for d in await deliveries(app) if d.topic == "order.deleted"]
    assert (kept.change_key, kept.outcome) == (f"order:{order['id']}:deleted", "published")


async def test_an_order_deleted_for_good_is_cancelled_as_its_last_known_version(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="https")
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.drained(store.shop.slug)
    gone = await sandbox.control.delete(f"/sites/{store.shop.slug}/orders/{order['id']}?force=true")
    assert gone.status_code == 200, gone.text
    await sandbox.drained(store.shop.slug)

    async def cancelled() -> list[dict]:
        return orders_of(await outbox_events(app, "shop_order.cancelled"), order["id"])

    await eventually(cancelled)
    (event,) = await cancelled()
    (kept,) = [d for d in await deliveries(app) if d.topic == "order.deleted"]
    assert event["total_price"] == order["total"] and event["line_items"][0]["sku"] == "BC-350"
    assert event["cancelled_at"] == event["source_updated_at"]
    assert event["source_updated_at"].startswith(kept.received_at.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_an_order_trashed_while_its_delivery_was_dropped_is_cancelled_by_the_reconcile(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers
) -> None:
    store = await connected(scheme="https")
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.drained(store.shop.slug)
    await sandbox.misbehave(store.shop.slug, drop_deliveries=1)
    assert (await sandbox.control.delete(f"/sites/{store.shop.slug}/orders/{order['id']}")).status_code == 200
    await sandbox.drained(store.shop.slug)
    assert await outbox_events(app, "shop_order.cancelled") == []

    await client.post(f"/v1/stores/{store.store_id}/reconcile", headers=operator_headers)

    async def cancelled() -> bool:
        return len(orders_of(await outbox_events(app, "shop_order.cancelled"), order["id"])) == 1

    await eventually(cancelled)


async def test_a_signed_order_that_cannot_be_read_is_kept_as_failed_and_answered_200(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="https")
    secret = (await sandbox.site(store.shop.slug))["webhooks"][0]["secret"]
    body = json.dumps({"id": 77, "date_modified_gmt": "2030-01-01T00:00:00", "total": "5.00"}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    answer = await client.post(
        f"/v1/webhooks/woocommerce/{store.store_id}",
        content=body,
        headers={"X-WC-Webhook-Signature": signature, "X-WC-Webhook-Topic": "order.updated"},
    )

    assert answer.status_code == 200 and answer.json() == {"outcome": "failed"}
    (kept,) = await deliveries(app)
    assert (kept.outcome, kept.body) == ("failed", body)
    assert "currency" in (kept.error or "")
    assert await outbox_events(app, "shop_order.received") == []


async def test_a_product_change_is_read_again_from_the_shop_and_published_once(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="http")
    product = await sandbox.control.post(
        f"/sites/{store.shop.slug}/products",
        json={"name": "Poster A3", "sku": "POSTER-A3", "regular_price": "12.00"},
    )
    assert product.status_code == 201, product.text
    product_id = str(product.json()["id"])
    changed = await sandbox.control.patch(
        f"/sites/{store.shop.slug}/products/{product_id}", json={"regular_price": "14.00"}
    )
    assert changed.status_code == 200, changed.text
    await sandbox.drained(store.shop.slug)

    kept = [d for d in await deliveries(app) if d.topic.startswith("product.")]
    assert {(d.outcome, d.change_key.split(":")[1]) for d in kept} == {("refetching", product_id)}

    async def synced() -> list[dict]:
        events = await outbox_events(app, "shop_product.synced")
        return [e for e in events if e["external_id"] == product_id]

    async def published_at_14() -> bool:
        found = await synced()
        return bool(found) and found[-1]["variants"][0]["price"] == "14.00"

    await eventually(published_at_14)
    published = await synced()
    assert published[-1]["variants"] == [
        {"external_id": product_id, "sku": "POSTER-A3", "title": "Poster A3", "options": {}, "price": "14.00"}
    ]
    assert published[-1]["active"] is True and published[-1]["platform_status"] == "publish"
    assert await outbox_events(app, "shop_order.received") == []
