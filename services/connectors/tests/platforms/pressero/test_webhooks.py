"""Orders arriving from a Pressero site: the producer's webhook (MessageHash-checked, kept once, the
order pulled through the API), only approved items going on, and the poll catching what webhooks
missed, against the sandbox over real sockets."""

import base64
import hashlib
import json

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared.testing import eventually

from .conftest import Sandbox, deliveries, published, store_row

pytestmark = pytest.mark.postgres_only

TWO_ITEMS = [
    {"product_name": "Flyer A5", "quantity": 500, "price": "80.00", "attributes": {"Paper": "Gloss"}},
    {"product_name": "Poster A2", "quantity": 10, "price": "45.00", "needs_approval": True},
]


async def outcome_of(app: FastAPI, event: str, number: int) -> str | None:
    """What became of the delivery of `event` for order `number` (None until it is kept)."""
    for delivery in await deliveries(app):
        envelope = json.loads(delivery.body)
        if envelope["TypeName"] == event and envelope["Data"]["OrderNumber"] == number:
            return delivery.outcome
    return None


async def settled(app: FastAPI, event: str, number: int) -> str:
    async def done() -> bool:
        return (await outcome_of(app, event, number)) not in (None, "queued")

    await eventually(done)
    result = await outcome_of(app, event, number)
    assert result is not None
    return result


async def reconcile(app: FastAPI, client: httpx.AsyncClient, store_id: str, headers: dict[str, str]) -> None:
    """A poll asked for through the API, and done."""
    before = (await store_row(app, store_id)).last_polled_at
    answer = await client.post(f"/v1/stores/{store_id}/reconcile", headers=headers)
    assert answer.status_code == 202

    async def polled_again() -> bool:
        return (await store_row(app, store_id)).last_polled_at != before

    await eventually(polled_again)


async def test_an_order_placed_is_pulled_and_published_with_its_approved_items_only(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    number = await sandbox.place_order(
        items=TWO_ITEMS, ship_to={"first_name": "Ann", "city": "Chicago", "country": "US"}, tax="5.00"
    )
    (sent,) = await sandbox.drained(store.account)
    assert sent["response_status"] == 200
    assert await settled(app, "OrderPlaced", number) == "published"
    (received,) = (await published(app, number))["received"]
    assert received["store_id"] == store.store_id and received["platform"] == "pressero"
    assert received["external_number"] == str(number) and received["currency"] == "USD"
    (line,) = received["line_items"]
    assert line["title"] == "Flyer A5" and line["quantity"] == 500 and line["unit_price"] == "0.1600"
    assert line["properties"] == [{"name": "Paper", "value": "Gloss"}]
    assert received["subtotal_price"] == "80.00" and received["total_price"] == "80.00"
    assert received["shipping_address"]["city"] == "Chicago"


async def test_a_delivery_with_a_wrong_hash_is_401_and_nothing_is_stored(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    await sandbox.switches(store.account, wrong_hash_deliveries=1)
    await sandbox.place_order()
    (sent,) = await sandbox.drained(store.account)
    assert sent["response_status"] == 401
    body = json.dumps({"TypeName": "OrderPlaced", "Data": {"OrderNumber": 1}, "MessageID": "m-1"}).encode()
    for given in (None, "", hashlib.sha1(body + store.setup["security_key"].encode()).hexdigest()):
        headers = {"Content-Type": "application/json"} | ({"MessageHash": given} if given is not None else {})
        answer = await client.post(f"/v1/webhooks/pressero/{store.store_id}", content=body, headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert await deliveries(app) == []


async def test_the_hash_is_sha1_of_key_then_body_in_hex_of_any_case_or_base64(
    app: FastAPI, client: httpx.AsyncClient, connected
) -> None:
    store = await connected()
    key = store.setup["security_key"].encode()
    for index, encode in enumerate(
        (
            lambda d: d.hex(),
            lambda d: d.hex().upper(),
            lambda d: base64.b64encode(d).decode(),
        )
    ):
        body = json.dumps({"TypeName": "NewSiteUser", "Data": {}, "MessageID": f"m-{index}"}).encode()
        headers = {"MessageHash": encode(hashlib.sha1(key + body).digest())}
        answer = await client.post(f"/v1/webhooks/pressero/{store.store_id}", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"outcome": "ignored"}


async def test_a_repeated_delivery_is_kept_once_and_publishes_once(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    await sandbox.switches(store.account, duplicate_deliveries=1)
    number = await sandbox.place_order()
    sent = await sandbox.drained(store.account)
    assert [d["response_status"] for d in sent] == [200]
    await settled(app, "OrderPlaced", number)
    assert len([d for d in await deliveries(app) if d.topic == "OrderPlaced"]) == 1
    assert len((await published(app, number))["received"]) == 1


async def test_an_item_approved_later_publishes_one_update_and_a_denied_one_never(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    items = [*TWO_ITEMS, {"product_name": "Banner", "price": "120.00", "needs_approval": True}]
    number = await sandbox.place_order(items=items, placed_at="2030-01-01T10:00:00Z")
    await sandbox.drained(store.account)
    await settled(app, "OrderPlaced", number)

    await sandbox.decide(number, 3, "deny")
    await sandbox.drained(store.account)
    assert await settled(app, "OrderItemDenied", number) == "stale"

    await sandbox.decide(number, 2, "approve", at="2030-01-02T09:30:00Z")
    await sandbox.drained(store.account)
    assert await settled(app, "OrderItemApproved", number) == "published"
    events = await published(app, number)
    assert len(events["received"]) == 1
    (updated,) = events["updated"]
    assert [line["title"] for line in updated["line_items"]] == ["Flyer A5", "Poster A2"]
    assert updated["source_updated_at"].startswith("2030-01-02T09:30:00") and updated["revision"] == 2
    assert updated["total_price"] == "125.00"


async def test_an_order_without_an_approved_item_publishes_nothing_until_one_is_approved(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    number = await sandbox.place_order(items=[{"needs_approval": True}], placed_at="2030-01-01T10:00:00Z")
    await sandbox.drained(store.account)
    assert await settled(app, "OrderPlaced", number) == "ignored"
    assert (await published(app, number))["received"] == []
    await sandbox.decide(number, 1, "approve", at="2030-01-01T11:00:00Z")
    await sandbox.drained(store.account)
    assert await settled(app, "OrderItemApproved", number) == "published"
    assert len((await published(app, number))["received"]) == 1


async def test_the_poll_finds_an_order_whose_webhook_was_lost_once(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers: dict[str, str]
) -> None:
    store = await connected()
    await sandbox.switches(store.account, drop_deliveries=1)
    number = await sandbox.place_order(items=TWO_ITEMS)
    (sent,) = await sandbox.drained(store.account)
    assert sent["dropped"] is True
    for _ in range(2):
        await reconcile(app, client, store.store_id, operator_headers)
    events = await published(app, number)
    assert len(events["received"]) == 1 and events["updated"] == []
    assert [line["title"] for line in events["received"][0]["line_items"]] == ["Flyer A5"]
    assert any(c["path"] == "/api/v2/Orders/Search" for c in await sandbox.calls(store.account))


async def test_an_expired_token_is_replaced_and_the_call_retried(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    await sandbox.control.post(f"/subscribers/{store.account.subscriber_id}/tokens/expire")
    before = [c["path"] for c in await sandbox.calls(store.account)].count("/api/token")
    number = await sandbox.place_order()
    await sandbox.drained(store.account)
    assert await settled(app, "OrderPlaced", number) == "published"
    assert [c["path"] for c in await sandbox.calls(store.account)].count("/api/token") == before + 1
    assert (await store_row(app, store.store_id)).status == "connected"


async def test_refused_credentials_put_the_store_in_auth_error_with_the_fix(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers: dict[str, str]
) -> None:
    store = await connected()
    subscriber = store.account.subscriber_id
    await sandbox.control.put(f"/subscribers/{subscriber}/password", json={"password": "changed"})
    await sandbox.control.post(f"/subscribers/{subscriber}/tokens/expire")
    number = await sandbox.place_order()
    await sandbox.drained(store.account)
    assert await settled(app, "OrderPlaced", number) == "failed"
    shown = (await client.get(f"/v1/stores/{store.store_id}", headers=operator_headers)).json()
    assert shown["status"] == "auth_error"
    (problem,) = shown["problems"]
    assert problem["code"] == "credentials_refused" and "PUT /v1/stores/{id}/credentials" in problem["fix"]
    assert (await published(app, number))["received"] == []


async def test_a_disconnected_store_takes_nothing_in(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers: dict[str, str]
) -> None:
    store = await connected()
    await client.delete(f"/v1/stores/{store.store_id}", headers=operator_headers)
    await sandbox.place_order()
    (sent,) = await sandbox.drained(store.account)
    assert sent["response_status"] in (200, 401)
    assert await deliveries(app) == []


async def test_new_credentials_bring_a_store_in_auth_error_back_with_its_webhook(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers: dict[str, str]
) -> None:
    store = await connected()
    subscriber = store.account.subscriber_id
    await sandbox.control.put(f"/subscribers/{subscriber}/password", json={"password": "changed-pw"})
    await sandbox.control.post(f"/subscribers/{subscriber}/tokens/expire")
    first = await sandbox.place_order()
    await sandbox.drained(store.account)
    assert await settled(app, "OrderPlaced", first) == "failed"

    path = f"/v1/stores/{store.store_id}/credentials"
    refused = await client.put(path, json={"password": "still-wrong"}, headers=operator_headers)
    assert refused.status_code == 422 and refused.json()["type"].endswith("auth-failed")
    answer = await client.put(path, json={"password": "changed-pw"}, headers=operator_headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "connected" and answer.json()["problems"] == []

    async def caught_up() -> bool:
        return len((await published(app, first))["received"]) == 1

    await eventually(caught_up)
    second = await sandbox.place_order()
    await sandbox.drained(store.account)
    assert await settled(app, "OrderPlaced", second) == "published"


async def test_notices_out_of_order_publish_what_the_api_has_now_once(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected()
    await sandbox.switches(store.account, out_of_order_deliveries=1)
    number = await sandbox.place_order(items=TWO_ITEMS, placed_at="2030-01-01T10:00:00Z")
    await sandbox.decide(number, 2, "approve", at="2030-01-01T12:00:00Z")
    await sandbox.drained(store.account)
    outcomes = {await settled(app, "OrderPlaced", number), await settled(app, "OrderItemApproved", number)}
    assert outcomes == {"published", "stale"}
    assert [d.topic for d in await deliveries(app)] == ["OrderItemApproved", "OrderPlaced"]
    events = await published(app, number)
    assert events["updated"] == []
    (received,) = events["received"]
    assert len(received["line_items"]) == 2


async def test_a_pull_that_meets_a_5xx_is_retried(app: FastAPI, sandbox: Sandbox, connected) -> None:
    store = await connected()
    await sandbox.switches(store.account, fail_5xx=1)
    number = await sandbox.place_order()
    await sandbox.drained(store.account)
    assert await settled(app, "OrderPlaced", number) == "published"
    assert len((await published(app, number))["received"]) == 1
    assert (await store_row(app, store.store_id)).status == "connected"
