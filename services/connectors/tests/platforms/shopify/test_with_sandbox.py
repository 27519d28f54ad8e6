"""The connector against the Shopify sandbox over real sockets: Printbridge's connectors app listens on a
port of its own (the sandbox delivers webhooks to it), the sandbox on another. Tests drive the shop
through the sandbox's control API and look at Printbridge's side: the stores API, the outbox, the kept
deliveries."""

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from connectors.main import create_app
from connectors.models import KnownCustomer, Store, WebhookDelivery, jobs, messaging
from connectors.products import service as products
from printbridge_sandbox.serving import running
from printbridge_sandbox.shopify.app import create_app as create_sandbox
from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.shopify.testing import order_body
from printbridge_shared.app import Runtime
from printbridge_shared.db import Database
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AuthKeys, bearer, eventually, free_port

from .conftest import CLIENT_ID, CLIENT_SECRET, shopify_settings

pytestmark = pytest.mark.postgres_only

SHOP = "acme.myshopify.com"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """One sandbox per test module (and worker); each test resets it."""
    settings = ShopifySettings(webhook_retry_base_seconds=0.01, webhook_timeout_seconds=5.0)
    with running(create_sandbox(settings)) as url:
        yield url


@dataclass
class World:
    app: FastAPI
    pb: httpx.AsyncClient  # Printbridge's connectors app, on its socket
    shopify: httpx.AsyncClient  # the sandbox
    db: Database  # a second connection to the app's database, for looking
    operator: dict[str, str]
    customer_id: uuid.UUID
    public_url: str

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.shopify.request(method, "/_sandbox/shopify" + path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def misbehave(self, **settings: Any) -> None:
        await self.control("PUT", f"/shops/{SHOP}/misbehaviour", json=settings)

    async def act(self, action: str, **body: Any) -> None:
        await self.control("POST", f"/shops/{SHOP}/actions/{action}", json=body or None)

    async def start_connect(self, **body: Any) -> tuple[str, httpx.Response]:
        """POST /v1/stores, then the merchant's browser at Shopify: the answer that sends it back."""
        response = await self.pb.post(
            "/v1/stores",
            json={"platform": "shopify", "shop": "acme", "customer_id": str(self.customer_id), **body},
            headers=self.operator,
        )
        assert response.status_code == 201, response.text
        created = response.json()
        authorize = await self.shopify.get(created["authorize_url"])
        assert authorize.status_code == 302, authorize.text
        return created["store"]["id"], authorize

    async def connect(self, **body: Any) -> tuple[str, httpx.Response]:
        store_id, authorize = await self.start_connect(**body)
        callback = await self.pb.get(authorize.headers["location"])
        return store_id, callback

    async def connected(self) -> str:
        """A connected store whose first poll and first product sync are done."""
        store_id, callback = await self.connect()
        assert callback.status_code == 200, callback.text
        await self.polled(store_id)
        await eventually(lambda: self.products_synced(store_id))
        return store_id

    async def products_synced(self, store_id: str) -> bool:
        return bool((await self.store(store_id))["products_synced_at"])

    async def store(self, store_id: str) -> dict[str, Any]:
        response = await self.pb.get(f"/v1/stores/{store_id}", headers=self.operator)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def polled(self, store_id: str, after: str | None = None) -> dict[str, Any]:
        found: dict[str, Any] = {}

        async def done() -> bool:
            found.update(await self.store(store_id))
            return bool(found["last_polled_at"]) and found["last_polled_at"] != after

        await eventually(done)
        return found

    async def reconcile(self, store_id: str) -> dict[str, Any]:
        before = (await self.store(store_id))["last_polled_at"]
        response = await self.pb.post(f"/v1/stores/{store_id}/reconcile", headers=self.operator)
        assert response.status_code == 202, response.text
        return await self.polled(store_id, after=before)

    async def status_becomes(self, store_id: str, status: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        async def reached() -> bool:
            found.update(await self.store(store_id))
            return found["status"] == status

        await eventually(reached)
        return found

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        outbox = messaging.outbox
        async with self.db.read_session() as session:
            rows = await session.execute(
                select(outbox.c.envelope).where(outbox.c.event_type == event_type).order_by(outbox.c.seq)
            )
            return [json.loads(row.envelope)["data"] for row in rows]

    async def open_jobs(self) -> list[str]:
        async with self.db.read_session() as session:
            return list((await session.scalars(select(jobs.jobs.c.kind))).all())

    async def deliveries(self) -> list[WebhookDelivery]:
        async with self.db.read_session() as session:
            return list(
                (await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.received_at))).all()
            )

    async def sandbox_deliveries(self, count: int) -> list[dict[str, Any]]:
        """The sandbox's deliveries once `count` of them have settled (delivered, dropped, held, failed)."""
        found: list[dict[str, Any]] = []

        async def settled() -> bool:
            found[:] = await self.control("GET", f"/shops/{SHOP}/deliveries")
            return sum(d["status"] in ("delivered", "dropped", "held", "failed") for d in found) >= count

        await eventually(settled)
        return found

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        return list(await self.control("GET", f"/shops/{SHOP}/calls", params={"since": since}))

    async def credentials(self, store_id: str) -> dict[str, Any]:
        async with self.db.read_session() as session:
            store = await session.get(Store, uuid.UUID(store_id))
            assert store is not None and store.credentials is not None
            return self.app.state.platforms.box.open(store.credentials)


@pytest.fixture
async def world(sandbox_url: str, database_url: str, auth: AuthKeys, tmp_path) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as shopify:
        await shopify.post("/_sandbox/shopify/reset")
        apps = (await shopify.get("/_sandbox/shopify/apps")).json()
        if not any(app["client_id"] == CLIENT_ID for app in apps):
            registered = await shopify.post(
                "/_sandbox/shopify/apps", json={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
            )
            assert registered.status_code == 201, registered.text
        shop = await shopify.post("/_sandbox/shopify/shops", json={"domain": SHOP, "name": "Acme Prints"})
        assert shop.status_code == 201, shop.text

        port = free_port()
        public_url = f"http://127.0.0.1:{port}"
        settings = shopify_settings(
            database_url,
            public_url=public_url,
            shopify_admin_url=f"{sandbox_url}/shops/{{shop}}",
            allow_private_urls=True,
            data_dir=tmp_path,
            # The app runs on its own socket and event loop; the tests queue work through a second
            # connection to its database, whose commits do not wake the app's job runner: it looks often.
            jobs_idle_s=0.1,
        )
        bus = InProcessBus(retry=RetryPolicy(max_attempts=2, base_s=0.01))
        app = create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))
        db = Database(database_url)
        customer_id = uuid.uuid4()
        async with db.session() as session:
            session.add(KnownCustomer(id=customer_id, name="Acme Prints", archived=False, version=1))
        try:
            with running(app, port=port) as url:
                async with httpx.AsyncClient(base_url=url, timeout=30) as pb:
                    yield World(app, pb, shopify, db, bearer(auth.operator_token()), customer_id, public_url)
        finally:
            await db.dispose()


async def test_connecting_end_to_end_stores_the_tokens_and_registers_the_webhooks(world):
    store_id, callback = await world.connect()
    assert callback.status_code == 200, callback.text
    assert "is connected" in callback.text
    store = await world.store(store_id)
    assert store["status"] == "connected" and store["problems"] == []
    assert [e["store_id"] for e in await world.events("store.connected")] == [store_id]
    credentials = await world.credentials(store_id)
    assert credentials["access_token"] and credentials["refresh_token"] and credentials["expires_at"]
    subscriptions = await world.control("GET", f"/shops/{SHOP}/webhook_subscriptions")
    ours = {s["topic"] for s in subscriptions if s["uri"] == f"{world.public_url}/v1/webhooks/shopify"}
    assert ours == {
        "ORDERS_CREATE",
        "ORDERS_UPDATED",
        "ORDERS_CANCELLED",
        "PRODUCTS_CREATE",
        "PRODUCTS_UPDATE",
        "PRODUCTS_DELETE",
        "APP_UNINSTALLED",
    }
    exchanges = [c for c in await world.calls() if c["path"].endswith("/admin/oauth/access_token")]
    assert [c["status"] for c in exchanges] == [200]


async def test_a_callback_with_a_return_url_redirects_there_and_cannot_be_replayed(world):
    return_url = f"{world.public_url}/after-connect?x=1"
    store_id, authorize = await world.start_connect(return_url=return_url)
    callback = await world.pb.get(authorize.headers["location"])
    assert callback.status_code == 303, callback.text
    assert callback.headers["location"].startswith(
        f"{world.public_url}/after-connect?x=1&store_id={store_id}"
    )
    history = (await world.store(store_id))["history"]
    replay = await world.pb.get(authorize.headers["location"])
    assert replay.status_code == 409
    assert "used already" in replay.text
    assert (await world.store(store_id))["history"] == history


async def test_a_forged_redirect_from_the_shop_connects_nothing(world):
    await world.misbehave(oauth_forge_hmac=True)
    store_id, callback = await world.connect()
    assert callback.status_code == 401
    assert (await world.store(store_id))["status"] == "pending"
    assert not any(c["path"].endswith("/access_token") for c in await world.calls())


async def test_a_merchant_who_declines_leaves_the_store_pending(world):
    await world.misbehave(oauth_decline=True)
    store_id, callback = await world.connect()
    assert callback.status_code == 400
    assert "not granted" in callback.text
    assert (await world.store(store_id))["status"] == "pending"


async def test_scopes_withheld_at_install_make_the_store_permission_missing(world):
    await world.misbehave(oauth_withhold_scopes=["write_products"])
    store_id, callback = await world.connect()
    assert callback.status_code == 200
    assert "read_products" in callback.text and "write_products" in callback.text
    store = await world.store(store_id)
    assert store["status"] == "permission_missing"
    assert [p["code"] for p in store["problems"]] == ["scope_missing"]


async def test_an_order_placed_in_the_shop_arrives_by_webhook_as_shop_order_received(world):
    store_id = await world.connected()
    order = await world.control("POST", f"/shops/{SHOP}/orders", json=order_body())

    async def arrived() -> bool:
        return len(await world.events("shop_order.received")) == 1

    await eventually(arrived)
    (received,) = await world.events("shop_order.received")
    assert received["store_id"] == store_id
    assert received["external_id"] == str(order["id"])
    assert received["line_items"][0]["external_id"] == str(order["line_items"][0]["id"])
    assert received["line_items"][0]["properties"] == [
        {"name": "_artwork_url", "value": "https://cdn.example.com/a.pdf"}
    ]
    assert received["total_price"] == order["total_price"]
    assert [(d.topic, d.outcome) for d in await world.deliveries()] == [("orders/create", "published")]


async def test_the_order_of_a_dropped_webhook_arrives_with_the_next_reconcile(world):
    store_id = await world.connected()
    await world.misbehave(webhook_drop=1)
    order = await world.control("POST", f"/shops/{SHOP}/orders", json=order_body())
    (dropped,) = await world.sandbox_deliveries(1)
    assert dropped["status"] == "dropped"
    assert await world.events("shop_order.received") == []
    await world.reconcile(store_id)
    (received,) = await world.events("shop_order.received")
    assert received["external_id"] == str(order["id"])
    assert await world.deliveries() == []  # it came by polling


async def test_repeated_and_out_of_order_deliveries_publish_each_version_once_newest_wins(world):
    await world.connected()
    await world.misbehave(webhook_duplicate=True)
    order = await world.control("POST", f"/shops/{SHOP}/orders", json=order_body())
    await world.sandbox_deliveries(2)
    await world.misbehave(webhook_duplicate=False, webhook_hold_back=1)
    await world.control("PATCH", f"/shops/{SHOP}/orders/{order['id']}", json={"note": "changed"})  # held back
    await world.control("POST", f"/shops/{SHOP}/orders/{order['id']}/cancel", json={"reason": "customer"})

    async def all_delivered() -> bool:
        found = await world.control("GET", f"/shops/{SHOP}/deliveries")
        return len(found) == 5 and all(d["status"] == "delivered" for d in found)

    await eventually(all_delivered)
    assert len(await world.events("shop_order.received")) == 1
    (cancelled,) = await world.events("shop_order.cancelled")
    assert cancelled["cancel_reason"] == "customer"
    assert await world.events("shop_order.updated") == []  # the held-back change is older than the cancel
    outcomes = sorted((d.topic, d.outcome) for d in await world.deliveries())
    assert ("orders/create", "published") in outcomes
    # The cancel sends orders/updated and orders/cancelled with the same time, in either order: whichever
    # comes first publishes the cancellation, the rest (and the held-back older change) nothing.
    # The held-back change may be of the same second as the cancel (the sandbox's clock has seconds, as
    # Shopify's): then its other contents make connectors fetch the order again, which finds what the
    # cancel already published and publishes nothing more.
    others = sorted(outcome for topic, outcome in outcomes if topic != "orders/create")
    assert others in (["published", "stale", "stale"], ["published", "refetching", "stale"])

    async def refetched() -> bool:
        return not any(job == "intake.refetch_order" for job in await world.open_jobs())

    await eventually(refetched)
    assert await world.events("shop_order.updated") == []


async def test_an_expired_token_is_refreshed_and_stored_and_the_poll_succeeds(world):
    store_id = await world.connected()
    before = await world.credentials(store_id)
    await world.act("expire_tokens")
    mark = len(await world.calls())
    store = await world.reconcile(store_id)
    assert store["status"] == "connected"
    after = await world.credentials(store_id)
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] != before["refresh_token"]
    paths = [(c["path"].rsplit("/", 1)[-1], c["status"]) for c in await world.calls(mark)]
    assert paths[:3] == [("graphql.json", 401), ("access_token", 200), ("graphql.json", 200)]


async def test_a_revoked_app_makes_the_store_auth_error_with_reconnect_as_the_fix(world):
    store_id = await world.connected()
    await world.misbehave(webhook_drop=1)  # Printbridge never hears of the uninstall
    await world.act("revoke")
    await world.pb.post(f"/v1/stores/{store_id}/reconcile", headers=world.operator)
    store = await world.status_becomes(store_id, "auth_error")
    (problem,) = store["problems"]
    assert problem["code"] == "token_revoked"
    assert "reconnect" in problem["fix"]


async def test_a_removed_scope_makes_the_store_permission_missing(world):
    store_id = await world.connected()
    await world.act("remove_scopes", scopes=["read_orders"])
    await world.pb.post(f"/v1/stores/{store_id}/reconcile", headers=world.operator)
    store = await world.status_becomes(store_id, "permission_missing")
    (problem,) = store["problems"]
    assert problem["code"] == "scope_missing" and "read_orders" in problem["message"]


async def test_reconnecting_after_a_revocation_refreshes_the_credentials_and_clears_the_problem(world):
    store_id = await world.connected()
    await world.misbehave(webhook_drop=1)
    await world.act("revoke")
    await world.pb.post(f"/v1/stores/{store_id}/reconcile", headers=world.operator)
    await world.status_becomes(store_id, "auth_error")
    response = await world.pb.post(f"/v1/stores/{store_id}/reconnect", headers=world.operator)
    assert response.status_code == 200, response.text
    authorize = await world.shopify.get(response.json()["authorize_url"])
    callback = await world.pb.get(authorize.headers["location"])
    assert callback.status_code == 200, callback.text
    store = await world.store(store_id)
    assert store["status"] == "connected" and store["problems"] == []
    assert "reconnected" in [h["kind"] for h in store["history"]]
    await world.reconcile(store_id)
    assert (await world.store(store_id))["status"] == "connected"


async def test_uninstalling_the_app_disconnects_the_store_and_no_call_follows(world):
    store_id = await world.connected()
    mark = len(await world.calls())
    await world.act("uninstall")
    store = await world.status_becomes(store_id, "disconnected")
    assert store["problems"] == []
    assert [e["store_id"] for e in await world.events("store.disconnected")] == [store_id]
    again = await world.pb.post(f"/v1/stores/{store_id}/reconcile", headers=world.operator)
    assert again.status_code == 409
    assert await world.calls(mark) == []


async def test_a_throttled_shop_makes_the_poll_wait_and_then_succeed(world):
    """With the bucket emptied, the poll's orders query (732 points requested) can only be answered once
    the sandbox has restored that much at 1000 points/s: the poll succeeds only by waiting for it."""
    store_id = await world.connected()
    await world.control("PATCH", "/settings", json={"restore_rate": 1000})
    await world.misbehave(webhook_drop=1)
    order = await world.control("POST", f"/shops/{SHOP}/orders", json=order_body())
    started = time.monotonic()
    await world.act("throttle")
    store = await world.reconcile(store_id)
    assert time.monotonic() - started >= 0.7
    assert store["status"] == "connected"
    (received,) = await world.events("shop_order.received")
    assert received["external_id"] == str(order["id"])


async def test_a_change_in_the_same_second_as_the_order_is_not_lost(world):
    """Shopify's times have seconds: an order changed right after it was placed often carries the same
    `updated_at`. The change is published all the same (fetched again when its second is taken)."""
    await world.connected()
    order = await world.control("POST", f"/shops/{SHOP}/orders", json=order_body())
    await world.control("PATCH", f"/shops/{SHOP}/orders/{order['id']}", json={"note": "matt, please"})

    async def changed() -> bool:
        versions = await world.events("shop_order.received") + await world.events("shop_order.updated")
        return any(version["note"] == "matt, please" for version in versions)

    await eventually(changed)
    assert len(await world.events("shop_order.received")) == 1


def product_body(title: str, *, status: str = "ACTIVE", sizes: int = 0, sku: str | None = None) -> dict:
    if not sizes:
        return {"title": title, "status": status, "variants": [{"sku": sku, "price": "9.50"}]}
    variants = [
        {"sku": f"{sku}-{n}", "price": f"{10 + n}.00", "options": {"Size": f"S{n}", "Paper": "Matte"}}
        for n in range(1, sizes + 1)
    ]
    return {"title": title, "status": status, "variants": variants}


async def test_every_product_is_synced_on_connect_with_all_its_variants_and_whether_it_sells(world):
    """31 products (two pages of 20) and one with 45 variants (its variants paged past the first 20)."""
    made = [
        await world.control("POST", f"/shops/{SHOP}/products", json=product_body(f"Card {n}", sku=f"C{n}"))
        for n in range(29)
    ]
    big = await world.control(
        "POST", f"/shops/{SHOP}/products", json=product_body("Flyer", sizes=45, sku="FL")
    )
    draft = await world.control(
        "POST", f"/shops/{SHOP}/products", json=product_body("Poster", status="DRAFT")
    )
    await world.connected()

    synced = {event["external_id"]: event for event in await world.events("shop_product.synced")}
    assert set(synced) == {str(p["id"]) for p in [*made, big, draft]}
    flyer = synced[str(big["id"])]
    assert (flyer["title"], flyer["active"], flyer["platform_status"], flyer["revision"]) == (
        "Flyer",
        True,
        "active",
        1,
    )
    assert [v["sku"] for v in flyer["variants"]] == [f"FL-{n}" for n in range(1, 46)]
    assert flyer["variants"][44] == {
        "external_id": str(big["variants"][44]["id"]),
        "sku": "FL-45",
        "title": "S45 / Matte",
        "options": {"Size": "S45", "Paper": "Matte"},
        "price": "55.00",
    }
    card = synced[str(made[0]["id"])]
    assert card["variants"] == [
        {
            "external_id": str(made[0]["variants"][0]["id"]),
            "sku": "C0",
            "title": "Card 0",
            "options": {},
            "price": "9.50",
        }
    ]
    assert (synced[str(draft["id"])]["active"], synced[str(draft["id"])]["platform_status"]) == (
        False,
        "draft",
    )


async def test_a_product_set_to_draft_turns_inactive_and_a_deleted_one_is_removed_once(world):
    product = await world.control(
        "POST", f"/shops/{SHOP}/products", json=product_body("Flyer", sizes=2, sku="F")
    )
    await world.connected()
    await world.control("PATCH", f"/shops/{SHOP}/products/{product['id']}", json={"status": "DRAFT"})

    async def inactive() -> bool:
        return any(not e["active"] for e in await world.events("shop_product.synced"))

    await eventually(inactive)
    await world.control("DELETE", f"/shops/{SHOP}/products/{product['id']}")
    await eventually(lambda: world.events("shop_product.removed"))

    versions = await world.events("shop_product.synced")
    assert [(v["revision"], v["active"], v["platform_status"]) for v in versions] == [
        (1, True, "active"),
        (2, False, "draft"),
    ]
    (removed,) = await world.events("shop_product.removed")
    assert (removed["external_id"], removed["revision"]) == (str(product["id"]), 3)
    kept = [d for d in await deliveries_of(world, "products/") if d.outcome == "refetching"]
    assert {d.topic for d in kept} == {"products/update", "products/delete"}


async def test_a_full_sync_finds_the_product_whose_deletion_no_webhook_told(world):
    gone = await world.control("POST", f"/shops/{SHOP}/products", json=product_body("Gone", sku="G"))
    stays = await world.control("POST", f"/shops/{SHOP}/products", json=product_body("Stays", sku="S"))
    store_id = await world.connected()
    await world.misbehave(webhook_drop=1)
    await world.control("DELETE", f"/shops/{SHOP}/products/{gone['id']}")
    assert await world.events("shop_product.removed") == []

    async with world.db.session() as session:
        await products.enqueue_sync(session, uuid.UUID(store_id), full=True)
    await eventually(lambda: world.events("shop_product.removed"))

    (removed,) = await world.events("shop_product.removed")
    assert removed["external_id"] == str(gone["id"])
    assert len(await world.events("shop_product.synced")) == 2  # the unchanged one is not published again
    assert str(stays["id"]) in {e["external_id"] for e in await world.events("shop_product.synced")}


async def deliveries_of(world: World, prefix: str) -> list[WebhookDelivery]:
    async with world.db.read_session() as session:
        rows = await session.scalars(select(WebhookDelivery).where(WebhookDelivery.topic.startswith(prefix)))
        return list(rows.all())
