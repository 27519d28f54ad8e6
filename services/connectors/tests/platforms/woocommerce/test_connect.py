"""Connecting a WooCommerce shop through POST /v1/stores, against the sandbox over real sockets."""

import uuid

import httpx
import pytest
from fastapi import FastAPI

from connectors.main import create_app
from connectors.models import KnownCustomer
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, bearer, eventually, free_port, running

from .conftest import Sandbox, connect, outbox_events, store_row

pytestmark = pytest.mark.postgres_only

TOPICS = {
    "order.created",
    "order.updated",
    "order.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
}


def assert_refused(answer: httpx.Response, code: str, field: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"].endswith(f"/{code}"), problem
    assert problem["errors"][0]["loc"] == ["body", field]


async def test_an_https_shop_connects_with_basic_auth_and_our_signed_webhooks(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop(scheme="https", name="Acme Prints")
    answer = await connect(client, operator_headers, shop, customer_id)

    assert answer.status_code == 201, answer.text
    store = answer.json()["store"]
    assert (store["status"], store["platform"], store["name"]) == ("connected", "woocommerce", "Acme Prints")
    assert store["shop"] == shop.url
    assert shop.consumer_secret not in answer.text and shop.consumer_key not in answer.text
    site = await sandbox.site(shop.slug)
    ours = [
        w for w in site["webhooks"] if w["delivery_url"].endswith(f"/v1/webhooks/woocommerce/{store['id']}")
    ]
    assert {w["topic"] for w in ours} == TOPICS
    assert all(w["status"] == "active" for w in ours)
    assert len({w["secret"] for w in ours}) == 1 and ours[0]["secret"] not in (shop.consumer_secret, "")
    pings = [d for d in await sandbox.drained(shop.slug) if d["kind"] == "ping"]
    assert len(pings) == len(TOPICS) and all(p["response_status"] == 200 for p in pings)
    assert {c["auth"] for c in await sandbox.calls(shop.slug) if "/wc/v3/" in c["path"]} == {"basic"}
    connected = await outbox_events(app, "store.connected")
    assert [e["store_id"] for e in connected] == [store["id"]]
    row = await store_row(app, store["id"])
    assert row.credentials is not None and shop.consumer_secret.encode() not in row.credentials


async def test_a_plain_http_shop_is_signed_with_oauth1(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop(scheme="http")
    answer = await connect(client, operator_headers, shop, customer_id)

    assert answer.status_code == 201, answer.text
    assert answer.json()["store"]["status"] == "connected"
    assert {c["auth"] for c in await sandbox.calls(shop.slug) if "/wc/v3/" in c["path"]} == {"oauth1"}


async def test_a_wrong_key_is_refused_as_auth_failed_and_nothing_is_kept(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop()
    shop.consumer_secret = "cs_" + "0" * 40
    answer = await connect(client, operator_headers, shop, customer_id)

    assert_refused(answer, "auth-failed", "consumer_key")
    assert (await sandbox.site(shop.slug))["webhooks"] == []
    listed = await client.get("/v1/stores", headers=operator_headers)
    assert listed.json()["items"] == []


async def test_a_read_only_key_is_refused_as_permission_missing_without_leftover_webhooks(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop(permissions="read")
    answer = await connect(client, operator_headers, shop, customer_id)

    assert_refused(answer, "permission-missing", "consumer_key")
    assert "Read/Write" in answer.json()["detail"]
    assert (await sandbox.site(shop.slug))["webhooks"] == []


async def test_a_wordpress_site_without_woocommerce_is_refused_as_not_woocommerce(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop(woocommerce=False)
    answer = await connect(client, operator_headers, shop, customer_id)
    assert_refused(answer, "not-woocommerce", "url")


async def test_a_shop_that_does_not_answer_is_refused_as_unreachable(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop()
    shop.url = f"http://127.0.0.1:{free_port()}/shop"  # nothing listens there
    assert_refused(await connect(client, operator_headers, shop, customer_id), "unreachable", "url")

    down = await sandbox.new_shop()
    await sandbox.misbehave(down.slug, reachability="down")
    assert_refused(await connect(client, operator_headers, down, customer_id), "unreachable", "url")


async def test_a_private_address_is_refused_without_allow_private_urls(
    settings_for, auth: AuthKeys, bus: InProcessBus, sandbox: Sandbox
) -> None:
    app = create_app(settings_for(allow_private_urls=False), Runtime(bus=bus, auth_http=auth.http_client()))
    shop = await sandbox.new_shop()
    async with running(app) as client:
        customer_id = uuid.uuid4()
        async with app.state.db.session() as session:
            session.add(KnownCustomer(id=customer_id, name="Acme Print", archived=False, version=1))
        headers = bearer(auth.operator_token())
        answer = await connect(client, headers, shop, customer_id)
        assert_refused(answer, "url-not-allowed", "url")
        shop.url = shop.url.replace("https://", "http://")
        assert_refused(await connect(client, headers, shop, customer_id), "url-not-allowed", "url")
    assert await sandbox.calls(shop.slug) == []


async def test_a_shop_with_plain_permalinks_is_called_at_rest_route(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    for scheme in ("http", "https"):
        shop = await sandbox.new_shop(scheme=scheme, pretty_permalinks=False)
        answer = await connect(client, operator_headers, shop, customer_id)
        assert answer.status_code == 201, answer.text
        order = await sandbox.place_order(shop.slug)
        await sandbox.drained(shop.slug)
        received = await outbox_events(app, "shop_order.received")
        assert str(order["id"]) in [e["external_id"] for e in received]
        api_calls = [c for c in await sandbox.calls(shop.slug) if c["status"] < 400]
        assert api_calls and all("wp-json" not in c["path"] for c in api_calls)


async def test_a_host_that_drops_the_authorization_header_is_called_with_query_credentials(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop(scheme="https")
    await sandbox.misbehave(shop.slug, strip_authorization=True)
    answer = await connect(client, operator_headers, shop, customer_id)

    assert answer.status_code == 201, answer.text
    store_id = answer.json()["store"]["id"]
    webhooks = (await sandbox.site(shop.slug))["webhooks"]
    assert len(webhooks) == 6
    reconciled = await client.post(f"/v1/stores/{store_id}/reconcile", headers=operator_headers)
    assert reconciled.status_code == 202

    async def polled() -> bool:
        return (await store_row(app, store_id)).last_polled_at is not None

    await eventually(polled)
    assert (await store_row(app, store_id)).status == "connected"
    assert {
        c["auth"] for c in await sandbox.calls(shop.slug) if c["status"] < 400 and "wc/v3" in c["path"]
    } == {"query"}
