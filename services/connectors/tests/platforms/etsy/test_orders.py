"""Orders from Etsy: the reconcile poll (paging, overlap, unpaid receipts, the open-receipts sweep) and
the webhook notice that makes a receipt be fetched now — each order version published once."""

import datetime as dt
import time
import uuid

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from connectors.models import WebhookDelivery
from connectors.platforms.base import PlatformContext, StoreRef
from connectors.platforms.etsy.connector import EtsyConnector
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import eventually

from .conftest import SHOP_ID, WEBHOOK_SECRET, FakeEtsy, etsy_settings, receipt
from .test_signatures_and_pkce import documented_signature

WEBHOOK = "/v1/webhooks/etsy"


def notice(receipt_id: int, shop_id: int = SHOP_ID) -> bytes:
    resource = f"https://openapi.etsy.com/v3/application/shops/{shop_id}/receipts/{receipt_id}"
    return (
        f'{{"event_type":"order.paid","resource_url":"{resource}","shop_id":{shop_id},'
        f'"timestamp":{int(time.time())}}}'
    ).encode()


def signed(body: bytes, msg_id: str = "msg_1", secret: str = WEBHOOK_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": documented_signature(secret, msg_id, timestamp, body),
    }


async def poll(client, operator, store_id) -> None:
    before = (await client.get(f"/v1/stores/{store_id}", headers=operator)).json()["last_polled_at"]
    assert (await client.post(f"/v1/stores/{store_id}/reconcile", headers=operator)).status_code == 202

    async def polled() -> bool:
        body = (await client.get(f"/v1/stores/{store_id}", headers=operator)).json()
        return body["last_polled_at"] not in (None, before)

    await eventually(polled)


async def test_a_poll_pages_through_every_paid_receipt_and_a_second_poll_publishes_nothing_new(
    client, operator, etsy, connected_store, events
):
    start = int(utcnow().timestamp())
    etsy.add(*(receipt(1000 + n, updated=start + n) for n in range(150)))
    unpaid = receipt(2000, updated=start, status="payment processing", is_paid=False)
    unpaid["transactions"][0]["paid_timestamp"] = None
    etsy.add(unpaid)
    store = await connected_store(polled_until=utcnow() - dt.timedelta(minutes=1))
    await poll(client, operator, store.id)
    received = await events("shop_order.received")
    assert sorted(e["data"]["external_id"] for e in received) == [str(1000 + n) for n in range(150)]
    listing = [r for r in etsy.requests if r.url.path.endswith("/receipts")]
    first = listing[0].url.params
    assert (first["sort_on"], first["sort_order"], first["limit"], first["offset"]) == (
        "updated",
        "asc",
        "100",
        "0",
    )
    assert int(first["min_last_modified"]) <= int((utcnow() - dt.timedelta(minutes=16)).timestamp())
    assert [r.url.params["offset"] for r in listing[:2]] == ["0", "100"]

    await poll(client, operator, store.id)  # the overlap finds them all again
    assert len(await events("shop_order.received")) == 150
    assert await events("shop_order.updated") == []


async def test_a_receipt_paid_later_arrives_when_it_is_paid(client, operator, etsy, connected_store, events):
    now = int(utcnow().timestamp())
    waiting = receipt(3000, updated=now, status="payment processing", is_paid=False)
    waiting["transactions"][0]["paid_timestamp"] = None
    etsy.add(waiting)
    store = await connected_store()
    await poll(client, operator, store.id)
    assert await events("shop_order.received") == []
    etsy.add(receipt(3000, updated=now + 5))
    await poll(client, operator, store.id)
    assert [e["data"]["external_id"] for e in await events("shop_order.received")] == ["3000"]


async def test_the_sweep_finds_a_cancellation_that_did_not_move_the_update_time():
    """Pain point 7 (etsy/open-api#604): Etsy cancels without changing updated_timestamp."""
    etsy = FakeEtsy()
    old = int((utcnow() - dt.timedelta(days=3)).timestamp())
    etsy.add(receipt(4000, updated=old, status="Canceled"))
    context = PlatformContext(
        settings=etsy_settings("sqlite+aiosqlite://"),
        http=httpx.AsyncClient(transport=httpx.MockTransport(etsy)),
    )
    store = StoreRef(uuid.uuid4(), uuid.uuid4(), Platform.etsy, str(SHOP_ID), "JamiesMaps")
    connector = EtsyConnector()
    since = utcnow() - dt.timedelta(minutes=20)
    found = [v async for v in connector.fetch_orders(context, store, etsy.credentials(), since)]
    assert [(v.external_id, v.cancelled) for v in found] == [("4000", True)]
    again = [v async for v in connector.fetch_orders(context, store, etsy.credentials(), since)]
    assert again == []  # swept at most every 30 minutes per shop


async def test_a_signed_notice_makes_the_receipt_arrive_once(client, etsy, connected_store, events):
    store = await connected_store()
    etsy.add(receipt(5000, updated=int(utcnow().timestamp())))
    body = notice(5000)
    first = await client.post(WEBHOOK, content=body, headers=signed(body, "msg_5000"))
    assert first.status_code == 200, first.text
    assert first.json() == {"outcome": "fetching"}

    async def arrived() -> bool:
        return len(await events("shop_order.received")) == 1

    await eventually(arrived)
    repeat = await client.post(WEBHOOK, content=body, headers=signed(body, "msg_5000"))
    assert (repeat.status_code, repeat.json()) == (200, {"outcome": "duplicate"})
    assert [e["data"]["external_id"] for e in await events("shop_order.received")] == ["5000"]
    assert str(store.id) == (await events("shop_order.received"))[0]["data"]["store_id"]


async def test_a_notice_for_a_shop_no_store_has_is_answered_200_and_kept_nowhere(client, etsy):
    body = notice(6000, shop_id=99999)
    response = await client.post(WEBHOOK, content=body, headers=signed(body))
    assert (response.status_code, response.json()) == (200, {"outcome": "not_connected"})
    assert etsy.requests == []


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: signed(body, secret="whsec_" + "b3RoZXIta2V5"),
        lambda body: signed(body, age=600),
        lambda body: {k: v for k, v in signed(body).items() if k != "webhook-signature"},
        lambda body: {},
    ],
    ids=["wrong-secret", "stale", "unsigned", "no-headers"],
)
async def test_a_notice_not_signed_with_the_apps_secret_is_401_and_nothing_is_fetched(
    client, etsy, connected_store, headers
):
    await connected_store()
    body = notice(7000)
    response = await client.post(WEBHOOK, content=body, headers=headers(body))
    assert response.status_code == 401, response.text
    assert response.json()["type"].endswith("webhook-signature-invalid")


async def test_a_signed_body_that_is_no_notice_is_400(client):
    body = b'{"hello": "world"}'
    response = await client.post(WEBHOOK, content=body, headers=signed(body))
    assert response.status_code == 400
    assert "shop_id" in response.json()["detail"]


async def test_without_a_webhook_secret_notices_are_503_naming_the_setting(client, app, monkeypatch):
    monkeypatch.setattr(app.state.platforms.settings, "etsy_webhook_secret", SecretStr(""))
    body = notice(8000)
    response = await client.post(WEBHOOK, content=body, headers=signed(body))
    assert response.status_code == 503
    assert "PRINTBRIDGE_ETSY_WEBHOOK_SECRET" in response.json()["detail"]


async def test_a_notice_naming_no_receipt_is_kept_once_and_fetches_nothing_itself(
    client, app, etsy, connected_store
):
    store = await connected_store()
    body = f'{{"event_type":"shop.updated","shop_id":{SHOP_ID}}}'.encode()
    response = await client.post(WEBHOOK, content=body, headers=signed(body, "msg_shop"))
    assert (response.status_code, response.json()) == (200, {"outcome": "fetching"})
    async with app.state.db.read_session() as session:
        kept = (await session.scalars(select(WebhookDelivery))).all()
    assert [(d.store_id, d.topic, d.change_key, d.body) for d in kept] == [
        (store.id, "shop.updated", "webhook:msg_shop", body)
    ]
    assert not [r for r in etsy.requests if "/receipts/" in r.url.path]
