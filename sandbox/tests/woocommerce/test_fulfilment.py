"""Fulfilment as a client does it in WooCommerce: the order's status set to `completed` and an order note
with the tracking for the customer; who may do either, what bad input gets, the status note WooCommerce
writes, the webhook it fires and a host that fails."""

import json
import re
from typing import Any

import httpx

CONTROL = "/_sandbox/woocommerce"
WP_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


async def place(client: httpx.AsyncClient, shop: Any, order: dict[str, Any]) -> dict[str, Any]:
    placed = await client.post(f"{CONTROL}/sites/{shop.slug}/orders", json=order)
    assert placed.status_code == 201, placed.text
    return dict(placed.json())


async def recorded(client: httpx.AsyncClient, shop: Any, order_id: int) -> dict[str, Any]:
    answer = await client.get(f"{CONTROL}/sites/{shop.slug}/orders/{order_id}/notes")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_completing_an_order_and_noting_the_tracking_for_the_customer(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())
    auth = (shop.consumer_key, shop.consumer_secret)

    completed = await https.post(f"{shop.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth)
    noted = await https.post(
        f"{shop.api}/orders/{placed['id']}/notes",
        json={"note": "Shipped with DHL: 00340434123456789012", "customer_note": True},
        auth=auth,
    )

    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    assert completed.json()["date_completed_gmt"] is not None
    assert noted.status_code == 201
    note = noted.json()
    assert set(note) == {
        "id",
        "author",
        "date_created",
        "date_created_gmt",
        "note",
        "customer_note",
        "_links",
    }
    assert note["note"] == "Shipped with DHL: 00340434123456789012" and note["customer_note"] is True
    assert note["author"] == "system" and WP_DATE.match(note["date_created_gmt"])
    assert noted.headers["location"].endswith(f"/wp-json/wc/v3/orders/{placed['id']}/notes/{note['id']}")
    one = await https.get(noted.headers["location"], auth=auth)
    assert one.status_code == 200 and one.json()["id"] == note["id"]
    state = await recorded(https, shop, placed["id"])
    assert state["status"] == "completed"
    assert [(n["note"], n["author"], n["customer_note"]) for n in state["notes"]] == [
        ("Order status changed from Processing to Completed.", "system", False),
        ("Shipped with DHL: 00340434123456789012", "system", True),
    ]


async def test_notes_are_listed_newest_first_and_filtered_by_type(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order(status="on-hold"))
    auth = (shop.consumer_key, shop.consumer_secret)
    notes = f"{shop.api}/orders/{placed['id']}/notes"
    await https.put(f"{shop.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth)
    await https.post(notes, json={"note": "Tracking 123", "customer_note": True}, auth=auth)
    await https.post(notes, json={"note": "Packed by Jo", "added_by_user": True}, auth=auth)

    every = await https.get(notes, auth=auth)
    customer = await https.get(notes, params={"type": "customer"}, auth=auth)
    internal = await https.get(notes, params={"type": "internal"}, auth=auth)
    bad_type = await https.get(notes, params={"type": "public"}, auth=auth)

    assert [n["note"] for n in every.json()] == [
        "Packed by Jo",
        "Tracking 123",
        "Order status changed from On hold to Completed.",
    ]
    assert every.json()[0]["author"] == "admin"
    assert [n["note"] for n in customer.json()] == ["Tracking 123"]
    assert [n["note"] for n in internal.json()] == [
        "Packed by Jo",
        "Order status changed from On hold to Completed.",
    ]
    assert bad_type.status_code == 400 and bad_type.json()["code"] == "rest_invalid_param"
    assert "type" in bad_type.json()["data"]["params"]


async def test_a_status_the_merchant_changes_in_the_admin_is_noted_as_theirs(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())

    changed = await https.patch(
        f"{CONTROL}/sites/{shop.slug}/orders/{placed['id']}", json={"status": "on-hold"}
    )

    assert changed.status_code == 200
    state = await recorded(https, shop, placed["id"])
    assert [(n["note"], n["author"]) for n in state["notes"]] == [
        ("Order status changed from Processing to On hold.", "admin")
    ]


async def test_completing_fires_order_updated_with_the_completed_order(
    https: httpx.AsyncClient, shop: Any, receiver: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())
    hook = {"topic": "order.updated", "delivery_url": receiver.url, "secret": "s3cr3t"}
    subscribed = await https.post(
        f"{shop.api}/webhooks", json=hook, auth=(shop.consumer_key, shop.consumer_secret)
    )
    assert subscribed.status_code == 201, subscribed.text

    await https.put(
        f"{shop.api}/orders/{placed['id']}",
        json={"status": "completed"},
        auth=(shop.consumer_key, shop.consumer_secret),
    )

    _ping, delivery = await receiver.wait_for(2)
    assert delivery.headers["x-wc-webhook-topic"] == "order.updated"
    body = json.loads(delivery.body)
    assert body["id"] == placed["id"] and body["status"] == "completed" and body["date_completed_gmt"]


async def test_a_read_key_can_neither_complete_nor_note(
    https: httpx.AsyncClient, new_shop: Any, an_order: Any
) -> None:
    reader = await new_shop(permissions="read")
    placed = await place(https, reader, an_order())
    auth = (reader.consumer_key, reader.consumer_secret)

    completed = await https.put(
        f"{reader.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth
    )
    noted = await https.post(f"{reader.api}/orders/{placed['id']}/notes", json={"note": "x"}, auth=auth)
    listed = await https.get(f"{reader.api}/orders/{placed['id']}/notes", auth=auth)

    for refused in (completed, noted):
        assert refused.status_code == 401
        assert refused.json() == {
            "code": "woocommerce_rest_authentication_error",
            "message": "The API key provided does not have write permissions.",
            "data": {"status": 401},
        }
    assert listed.status_code == 200 and listed.json() == []
    assert await recorded(https, reader, placed["id"]) == {"status": "processing", "notes": []}


async def test_nobody_can_neither_complete_nor_note_nor_read_notes(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())

    completed = await https.put(f"{shop.api}/orders/{placed['id']}", json={"status": "completed"})
    noted = await https.post(f"{shop.api}/orders/{placed['id']}/notes", json={"note": "x"})
    listed = await https.get(f"{shop.api}/orders/{placed['id']}/notes")

    assert (completed.status_code, completed.json()["code"]) == (401, "woocommerce_rest_cannot_edit")
    assert (noted.status_code, noted.json()["code"]) == (401, "woocommerce_rest_cannot_create")
    assert (listed.status_code, listed.json()["code"]) == (401, "woocommerce_rest_cannot_view")
    assert (await recorded(https, shop, placed["id"]))["status"] == "processing"


async def test_bad_status_missing_note_and_unknown_ids_are_refused_as_woocommerce_does(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())
    auth = (shop.consumer_key, shop.consumer_secret)
    notes = f"{shop.api}/orders/{placed['id']}/notes"

    shipped = await https.put(f"{shop.api}/orders/{placed['id']}", json={"status": "shipped"}, auth=auth)
    no_note = await https.post(notes, json={"customer_note": True}, auth=auth)
    with_id = await https.post(notes, json={"id": 5, "note": "x"}, auth=auth)
    unknown_order = await https.put(f"{shop.api}/orders/999999", json={"status": "completed"}, auth=auth)
    notes_of_unknown = await https.get(f"{shop.api}/orders/999999/notes", auth=auth)
    note_on_unknown = await https.post(f"{shop.api}/orders/999999/notes", json={"note": "x"}, auth=auth)
    unknown_note = await https.get(f"{notes}/999999", auth=auth)

    assert shipped.status_code == 400 and shipped.json()["code"] == "rest_invalid_param"
    assert "status" in shipped.json()["data"]["params"]
    assert no_note.status_code == 400 and no_note.json()["code"] == "rest_missing_callback_param"
    assert no_note.json()["data"]["params"] == ["note"]
    assert with_id.status_code == 400 and with_id.json()["code"] == "woocommerce_rest_shop_order_exists"
    # The CRUD controller's update_item: "Invalid ID." with 400 (its get_item says 404).
    assert unknown_order.status_code == 400
    assert unknown_order.json() == {
        "code": "woocommerce_rest_shop_order_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 400},
    }
    assert notes_of_unknown.status_code == 404
    assert notes_of_unknown.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    assert note_on_unknown.status_code == 404
    assert note_on_unknown.json() == {
        "code": "woocommerce_rest_order_invalid_id",
        "message": "Invalid order ID.",
        "data": {"status": 404},
    }
    assert (unknown_note.status_code, unknown_note.json()["code"]) == (404, "woocommerce_rest_invalid_id")
    assert await recorded(https, shop, placed["id"]) == {"status": "processing", "notes": []}


async def test_an_update_of_an_order_the_shop_does_not_have_is_refused_after_the_keys_write_permission(
    https: httpx.AsyncClient, new_shop: Any, an_order: Any
) -> None:
    """WooCommerce's order of checks: the key's read/write permission on `rest_pre_dispatch` (before any
    route), the route's parameters, the permission callback (which lets a missing order through), then
    `update_item`'s 400 for the missing order. A Read/Write key is told so; a read-only key never gets
    that far; nothing changes either way."""
    reader = await new_shop(permissions="read")
    writer_key = await https.post(f"{CONTROL}/sites/{reader.slug}/keys", json={"permissions": "read_write"})
    read_write = (writer_key.json()["consumer_key"], writer_key.json()["consumer_secret"])
    placed = await place(https, reader, an_order())
    after = len((await https.get(f"{CONTROL}/sites/{reader.slug}/calls")).json())

    by_read_write_key = await https.put(f"{reader.api}/orders/0", json={}, auth=read_write)
    by_read_only_key = await https.put(
        f"{reader.api}/orders/0", json={}, auth=(reader.consumer_key, reader.consumer_secret)
    )
    bad_status = await https.put(f"{reader.api}/orders/0", json={"status": "shipped"}, auth=read_write)
    by_nobody = await https.put(f"{reader.api}/orders/0", json={})

    assert (by_read_write_key.status_code, by_read_write_key.json()["code"]) == (
        400,
        "woocommerce_rest_shop_order_invalid_id",
    )
    assert (by_read_only_key.status_code, by_read_only_key.json()["message"]) == (
        401,
        "The API key provided does not have write permissions.",
    )
    assert (bad_status.status_code, bad_status.json()["code"]) == (400, "rest_invalid_param")
    assert (by_nobody.status_code, by_nobody.json()["code"]) == (
        400,
        "woocommerce_rest_shop_order_invalid_id",
    )
    assert await recorded(https, reader, placed["id"]) == {"status": "processing", "notes": []}
    calls = (await https.get(f"{CONTROL}/sites/{reader.slug}/calls", params={"after": after})).json()
    assert [(c["method"], c["path"], c["status"]) for c in calls] == [
        ("PUT", "/sites/" + reader.slug + "/wp-json/wc/v3/orders/0", 400),
        ("PUT", "/sites/" + reader.slug + "/wp-json/wc/v3/orders/0", 401),
        ("PUT", "/sites/" + reader.slug + "/wp-json/wc/v3/orders/0", 400),
        ("PUT", "/sites/" + reader.slug + "/wp-json/wc/v3/orders/0", 400),
    ]


async def test_nobody_reading_an_order_the_shop_does_not_have_gets_404_not_cannot_view(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())

    missing = await https.get(f"{shop.api}/orders/999999")
    existing = await https.get(f"{shop.api}/orders/{placed['id']}")

    assert (missing.status_code, missing.json()["code"]) == (404, "woocommerce_rest_shop_order_invalid_id")
    assert (existing.status_code, existing.json()["code"]) == (401, "woocommerce_rest_cannot_view")


async def test_a_failing_host_changes_nothing_until_it_recovers(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())
    auth = (shop.consumer_key, shop.consumer_secret)
    await https.put(
        f"{CONTROL}/sites/{shop.slug}/misbehaviour",
        json={"fail_next_calls": 2, "fail_status": 429, "retry_after_s": 7},
    )

    throttled = await https.put(f"{shop.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth)
    throttled_note = await https.post(
        f"{shop.api}/orders/{placed['id']}/notes", json={"note": "x"}, auth=auth
    )
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "7")
    assert throttled_note.status_code == 429
    assert await recorded(https, shop, placed["id"]) == {"status": "processing", "notes": []}

    await https.put(
        f"{CONTROL}/sites/{shop.slug}/misbehaviour", json={"fail_next_calls": 1, "fail_status": 503}
    )
    unavailable = await https.put(
        f"{shop.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth
    )
    recovered = await https.put(f"{shop.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth)

    assert unavailable.status_code == 503 and recovered.status_code == 200
    assert (await recorded(https, shop, placed["id"]))["status"] == "completed"


async def test_the_control_api_reads_notes_of_known_orders_only(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(f"{CONTROL}/sites/{shop.slug}/orders/999999/notes")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
