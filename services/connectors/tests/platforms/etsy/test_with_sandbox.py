"""The Etsy connector against the Etsy sandbox over real sockets: Printbridge's connectors app listens on a
port of its own (the sandbox sends its `order.paid` notices there), the sandbox on another. Tests drive
the seller's side through the sandbox's control API and look at Printbridge's: the stores API and the
outbox."""

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from connectors.main import create_app
from connectors.models import KnownCustomer, Store, jobs, messaging
from connectors.platforms.base import PlatformContext, StoreRef
from connectors.platforms.etsy.client import EtsyClient
from connectors.platforms.registry import connector_for
from connectors.products import service as products
from connectors.store.refresh import SingleFlight
from printbridge_sandbox.etsy.app import create_app as create_sandbox
from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.etsy.testing import receipt_body
from printbridge_sandbox.serving import running
from printbridge_shared.app import Runtime
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import Platform
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.outbound import guarded_client
from printbridge_shared.testing import AuthKeys, bearer, eventually, free_port

from .conftest import KEYSTRING, SHARED_SECRET, WEBHOOK_SECRET, etsy_settings

pytestmark = pytest.mark.postgres_only

CONTROL = "/_sandbox/etsy"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    settings = EtsySettings(webhook_retry_scale=0.0001, webhook_timeout_seconds=5.0)
    with running(create_sandbox(settings)) as url:
        yield url


@dataclass
class World:
    app: FastAPI
    pb: httpx.AsyncClient
    etsy: httpx.AsyncClient
    db: Database
    operator: dict[str, str]
    customer_id: uuid.UUID
    user_id: int
    shop_id: int
    shop_name: str

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.etsy.request(method, CONTROL + path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def connect(self) -> tuple[str, httpx.Response]:
        response = await self.pb.post(
            "/v1/stores",
            json={"platform": "etsy", "customer_id": str(self.customer_id)},
            headers=self.operator,
        )
        assert response.status_code == 201, response.text
        authorize = await self.etsy.get(response.json()["authorize_url"])
        assert authorize.status_code == 302, authorize.text
        return response.json()["store"]["id"], await self.pb.get(authorize.headers["location"])

    async def store(self, store_id: str) -> dict[str, Any]:
        response = await self.pb.get(f"/v1/stores/{store_id}", headers=self.operator)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def reconcile(self, store_id: str) -> dict[str, Any]:
        before = (await self.store(store_id))["history"]
        assert (
            await self.pb.post(f"/v1/stores/{store_id}/reconcile", headers=self.operator)
        ).status_code == 202
        found: dict[str, Any] = {}

        async def done() -> bool:
            # The jobs first: a store read before the job's commit would be the store before the poll.
            if "store.reconcile" in await self.open_jobs():
                return False
            found.update(await self.store(store_id))
            return bool(found["history"] != before or found["last_polled_at"])

        await eventually(done)
        return found

    async def connected(self) -> str:
        """A connected store whose first poll is done and which no poll is under way for: a poll the
        schedule started (its first round fires at start, its job may run late on a busy machine) would
        otherwise take the place of the test's own (a reconcile asked for while one is open is that one).
        The first product sync is done too: its calls (and a token refresh it may make) are over."""
        store_id, callback = await self.connect()
        assert callback.status_code == 200, callback.text

        async def first_poll_done_and_none_open() -> bool:
            polled = bool((await self.store(store_id))["last_polled_at"])
            async with self.db.read_session() as session:
                row = await session.get(Store, uuid.UUID(store_id))
                products_synced = row is not None and row.products_synced_until is not None
            open_jobs = await self.open_jobs()
            busy = {"store.reconcile", "stores.reconcile_all", "products.sync"} & set(open_jobs)
            return polled and products_synced and not busy

        await eventually(first_poll_done_and_none_open, within=20)
        return store_id

    async def open_jobs(self) -> list[str]:
        async with self.db.read_session() as session:
            return list((await session.scalars(select(jobs.jobs.c.kind))).all())

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        outbox = messaging.outbox
        async with self.db.read_session() as session:
            rows = await session.execute(
                select(outbox.c.envelope).where(outbox.c.event_type == event_type).order_by(outbox.c.seq)
            )
            return [json.loads(row.envelope)["data"] for row in rows]

    async def place(self, **overrides: Any) -> dict[str, Any]:
        return dict(
            await self.control("POST", f"/shops/{self.shop_id}/receipts", json=receipt_body(**overrides))
        )


@pytest.fixture
async def world(sandbox_url: str, database_url: str, auth: AuthKeys, tmp_path) -> AsyncIterator[World]:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as etsy:
        await etsy.post(f"{CONTROL}/reset")
        app_settings = {
            "redirect_uris": [f"{public_url}/v1/connectors/etsy/callback"],
            "webhook_url": f"{public_url}/v1/webhooks/etsy",
        }
        known = {a["keystring"] for a in (await etsy.get(f"{CONTROL}/apps")).json()}
        if KEYSTRING in known:
            answer = await etsy.patch(f"{CONTROL}/apps/{KEYSTRING}", json=app_settings)
        else:
            answer = await etsy.post(
                f"{CONTROL}/apps",
                json={
                    "keystring": KEYSTRING,
                    "shared_secret": SHARED_SECRET,
                    "webhook_secret": WEBHOOK_SECRET,
                    **app_settings,
                },
            )
        assert answer.status_code < 300, answer.text
        seller = (await etsy.post(f"{CONTROL}/sellers", json={"shop_name": "JamiesMaps"})).json()
        await etsy.put(f"{CONTROL}/consent", json={"user_id": seller["user_id"], "approve": True})

        settings = etsy_settings(
            database_url,
            public_url=public_url,
            etsy_api_url=sandbox_url,
            etsy_connect_url=f"{sandbox_url}/oauth/connect",
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
                    yield World(
                        app,
                        pb,
                        etsy,
                        db,
                        bearer(auth.operator_token()),
                        customer_id,
                        seller["user_id"],
                        seller["shop_id"],
                        seller["shop_name"],
                    )
        finally:
            await db.dispose()


async def test_connecting_end_to_end_finds_the_shop_and_stores_the_tokens(world):
    store_id, callback = await world.connect()
    assert callback.status_code == 200, callback.text
    store = await world.store(store_id)
    assert (store["status"], store["shop"], store["name"]) == (
        "connected",
        str(world.shop_id),
        world.shop_name,
    )
    async with world.db.read_session() as session:
        row = await session.get(Store, uuid.UUID(store_id))
        credentials = world.app.state.platforms.box.open(row.credentials)
    assert credentials["access_token"].startswith(f"{world.user_id}.")
    assert credentials["user_id"] == str(world.user_id)


async def test_a_paid_receipt_arrives_once_by_its_notice_with_exact_money_and_personalisation(world):
    store_id = await world.connected()
    placed = await world.place()

    async def arrived() -> bool:
        return len(await world.events("shop_order.received")) == 1

    await eventually(arrived)
    await world.reconcile(store_id)  # the poll finds the same version: nothing new
    (order,) = await world.events("shop_order.received")
    assert order["external_id"] == str(placed["receipt_id"])
    assert Decimal(order["shipping_price"]) == Decimal("4.50")
    (line,) = order["line_items"]
    assert Decimal(line["unit_price"]) == Decimal("21.00")
    assert {"name": "Personalization", "value": "Portland"} in line["properties"]
    assert order["shipping_address"]["country_code"] == "US"


async def test_an_unpaid_receipt_arrives_once_it_is_paid(world):
    store_id = await world.connected()
    placed = await world.place(paid=False)
    await world.reconcile(store_id)
    assert await world.events("shop_order.received") == []
    await world.control("POST", f"/shops/{world.shop_id}/receipts/{placed['receipt_id']}/pay")

    async def arrived() -> bool:
        return [o["external_id"] for o in await world.events("shop_order.received")] == [
            str(placed["receipt_id"])
        ]

    await eventually(arrived)


async def test_a_cancellation_that_keeps_the_update_time_is_found_by_the_sweep(world):
    store_id = await world.connected()
    # Placed two days ago: its update time is older than any poll's window, only its notice brings it.
    two_days_ago = int((utcnow() - dt.timedelta(days=2)).timestamp())
    placed = await world.place(created_timestamp=two_days_ago)
    assert placed["updated_timestamp"] == two_days_ago

    async def arrived() -> bool:
        return len(await world.events("shop_order.received")) == 1

    await eventually(arrived)
    await world.control("PUT", "/misbehaviour", json={"cancel_keeps_update_timestamp": True})
    await world.control("POST", f"/shops/{world.shop_id}/receipts/{placed['receipt_id']}/cancel")
    connector_for(Platform.etsy).swept_at.clear()  # the 30 minutes since the last sweep have passed
    await world.reconcile(store_id)
    cancelled = await world.events("shop_order.cancelled")
    assert [o["external_id"] for o in cancelled] == [str(placed["receipt_id"])]


async def test_a_password_change_puts_the_store_in_auth_error_and_a_reconnect_heals_it(world):
    store_id = await world.connected()
    await world.control("POST", f"/sellers/{world.user_id}/change_password")
    await world.reconcile(store_id)
    store = await world.store(store_id)
    assert store["status"] == "auth_error"
    assert [p["code"] for p in store["problems"]] == ["token_revoked"]

    response = await world.pb.post(f"/v1/stores/{store_id}/reconnect", json={}, headers=world.operator)
    assert response.status_code == 200, response.text
    authorize = await world.etsy.get(response.json()["authorize_url"])
    callback = await world.pb.get(authorize.headers["location"])
    assert callback.status_code == 200, callback.text
    assert (await world.store(store_id))["status"] == "connected"


async def test_two_workers_refreshing_at_once_both_succeed_against_the_sandbox(world):
    store_id = await world.connected()
    await world.control("POST", "/actions/expire_access_tokens", json={})
    platforms = world.app.state.platforms
    async with world.db.read_session() as session:
        row = await session.get(Store, uuid.UUID(store_id))
        credentials = platforms.box.open(row.credentials)
        version = row.credentials_version
    credentials["expires_at"] = (utcnow() - dt.timedelta(seconds=1)).isoformat()
    path = f"/v3/application/shops/{world.shop_id}/receipts"
    other_db = Database(world.db.url)  # two engines, as two processes have
    async with guarded_client(allow_private=True) as http:
        workers = [
            EtsyClient(
                PlatformContext(
                    settings=platforms.settings,
                    http=http,
                    single_flight=SingleFlight(db, platforms.box, uuid.UUID(store_id)),
                ),
                credentials,
            )
            for db in (world.db, other_db)
        ]
        try:
            answers = await asyncio.gather(*(w.get(path) for w in workers))
        finally:
            await other_db.dispose()
    assert all("results" in answer for answer in answers)
    assert workers[0].credentials["access_token"] == workers[1].credentials["access_token"]
    async with world.db.read_session() as session:
        row = await session.get(Store, uuid.UUID(store_id))
    assert row.credentials_version == version + 1
    assert (await world.store(store_id))["status"] == "connected"


async def test_the_days_budget_spent_shows_rate_limited_and_the_store_stays_connected(world):
    store_id = await world.connected()
    await world.control("PUT", "/misbehaviour", json={"exhaust_day": 1000})
    store = await world.reconcile(store_id)
    assert store["status"] == "connected"
    assert [p["code"] for p in store["problems"]] == ["rate_limited"]


# Products: listings with their inventory ----------------------------------------------------------

POSTER = {
    "title": "City map poster",
    "products": [
        {
            "sku": "MAP-A3-MATTE",
            "price": "21.00",
            "property_values": [
                {
                    "property_id": 100,
                    "property_name": "Size",
                    "scale_id": None,
                    "value_ids": [1],
                    "values": ["A3"],
                },
                {"property_id": 200, "property_name": "Finish", "value_ids": [2], "values": ["Matte"]},
            ],
        },
        {
            "sku": "MAP-A2-GLOSS",
            "price": "34.99",
            "property_values": [
                {
                    "property_id": 100,
                    "property_name": "Size",
                    "scale_id": None,
                    "value_ids": [3],
                    "values": ["A2"],
                },
                {"property_id": 200, "property_name": "Finish", "value_ids": [4], "values": ["Gloss"]},
            ],
        },
    ],
}
CARD = {"title": "Greeting card", "products": [{"sku": "CARD-1", "price": "4.50"}]}


async def make_listing(world: World, body: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return dict(await world.control("POST", f"/shops/{world.shop_id}/listings", json={**body, **overrides}))


async def store_products_state(world: World, store_id: str) -> Store:
    async with world.db.read_session() as session:
        row = await session.get(Store, uuid.UUID(store_id))
        assert row is not None
        return row


async def products_synced_once(world: World, store_id: str) -> None:
    """The first product sync (on connect) is done and no other is open."""

    async def done() -> bool:
        row = await store_products_state(world, store_id)
        return row.products_synced_until is not None and "products.sync" not in await world.open_jobs()

    await eventually(done, within=20)


async def sync_products(world: World, store_id: str, *, full: bool) -> None:
    """A sync asked for now, waited for until it has run."""
    before = (await store_products_state(world, store_id)).products_synced_until
    async with world.db.session() as session:
        await products.enqueue_sync(session, uuid.UUID(store_id), full=full)

    async def done() -> bool:
        row = await store_products_state(world, store_id)
        return row.products_synced_until != before and "products.sync" not in await world.open_jobs()

    await eventually(done, within=20)


async def synced_products(world: World) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in await world.events("shop_product.synced"):
        found.setdefault(event["external_id"], []).append(event)
    return found


async def test_every_listing_is_synced_on_connect_with_its_inventory_products_as_variants(world):
    poster = await make_listing(world, POSTER)
    card = await make_listing(world, CARD)
    draft = await make_listing(world, CARD, title="Wedding invitation", state="draft")
    expired = await make_listing(world, CARD, title="Old calendar", state="expired")
    store_id = await world.connected()
    await products_synced_once(world, store_id)

    found = await synced_products(world)
    assert set(found) == {str(x["listing_id"]) for x in (poster, card, draft, expired)}
    (map_poster,) = found[str(poster["listing_id"])]
    assert (map_poster["title"], map_poster["active"], map_poster["platform_status"]) == (
        "City map poster",
        True,
        "active",
    )
    assert map_poster["product_type"] == "physical"
    assert map_poster["variants"] == [
        {
            "external_id": str(poster["products"][0]["product_id"]),
            "sku": "MAP-A3-MATTE",
            "title": "A3 / Matte",
            "options": {"Size": "A3", "Finish": "Matte"},
            "price": "21.00",
        },
        {
            "external_id": str(poster["products"][1]["product_id"]),
            "sku": "MAP-A2-GLOSS",
            "title": "A2 / Gloss",
            "options": {"Size": "A2", "Finish": "Gloss"},
            "price": "34.99",
        },
    ]
    (greeting,) = found[str(card["listing_id"])]
    assert greeting["variants"] == [
        {
            "external_id": str(card["products"][0]["product_id"]),
            "sku": "CARD-1",
            "title": "Greeting card",
            "options": {},
            "price": "4.50",
        }
    ]
    assert Decimal(greeting["variants"][0]["price"]) == Decimal("4.50")
    for listing, state in ((draft, "draft"), (expired, "expired")):
        (version,) = found[str(listing["listing_id"])]
        assert (version["active"], version["platform_status"]) == (False, state)
    # The inventories came with the listings (includes=Inventory): no call per listing.
    calls = await world.control("GET", "/calls")
    assert [c for c in calls if c["path"].endswith("/inventory")] == []
    # The variant ids are the ids an order's transactions name.
    placed = await world.place(
        transactions=[{"listing_id": poster["listing_id"], "sku": "MAP-A2-GLOSS", "quantity": 1}]
    )
    assert placed["transactions"][0]["product_id"] == poster["products"][1]["product_id"]


async def test_listings_are_read_across_pages_and_a_change_publishes_only_what_changed(world, monkeypatch):
    monkeypatch.setattr("connectors.platforms.etsy.connector.LISTINGS_PAGE", 2)
    made = [await make_listing(world, CARD, title=f"Card {n}") for n in range(5)]
    store_id = await world.connected()
    await products_synced_once(world, store_id)
    assert set(await synced_products(world)) == {str(x["listing_id"]) for x in made}

    calls = await world.control("GET", "/calls")
    pages = [c for c in calls if c["path"] == f"/v3/application/shops/{world.shop_id}/listings"]
    assert len(pages) >= 3 + 4  # active: 3 pages of 2; inactive, draft, expired, sold_out: 1 each

    await world.control(
        "PATCH", f"/shops/{world.shop_id}/listings/{made[3]['listing_id']}", json={"title": "Card three"}
    )
    await sync_products(world, store_id, full=False)
    found = await synced_products(world)
    assert [v["title"] for v in found[str(made[3]["listing_id"])]] == ["Card 3", "Card three"]
    assert [v["revision"] for v in found[str(made[3]["listing_id"])]] == [1, 2]
    assert all(len(found[str(x["listing_id"])]) == 1 for x in made if x is not made[3])


async def test_a_listing_deactivated_turns_inactive_and_a_deleted_one_is_removed_by_a_full_sync(world):
    card = await make_listing(world, CARD)
    poster = await make_listing(world, POSTER)
    store_id = await world.connected()
    await products_synced_once(world, store_id)

    await world.control(
        "PATCH", f"/shops/{world.shop_id}/listings/{card['listing_id']}", json={"state": "inactive"}
    )
    await world.control(
        "PATCH", f"/shops/{world.shop_id}/listings/{poster['listing_id']}", json={"state": "draft"}
    )
    await sync_products(world, store_id, full=False)
    found = await synced_products(world)
    assert [(v["active"], v["platform_status"]) for v in found[str(card["listing_id"])]] == [
        (True, "active"),
        (False, "inactive"),
    ]
    assert [(v["active"], v["platform_status"]) for v in found[str(poster["listing_id"])]] == [
        (True, "active"),
        (False, "draft"),
    ]

    await world.control("DELETE", f"/shops/{world.shop_id}/listings/{card['listing_id']}")
    await sync_products(world, store_id, full=False)  # a sync of changes cannot see a deletion
    assert await world.events("shop_product.removed") == []
    await sync_products(world, store_id, full=True)
    (removed,) = await world.events("shop_product.removed")
    assert (removed["external_id"], removed["revision"]) == (str(card["listing_id"]), 3)


async def test_fetching_one_listing_reads_it_with_its_inventory_and_none_once_deleted(world):
    poster = await make_listing(world, POSTER, state="draft")
    store_id = await world.connected()
    connector = connector_for(Platform.etsy)
    async with world.db.read_session() as session:
        row = await session.get(Store, uuid.UUID(store_id))
        credentials = world.app.state.platforms.box.open(row.credentials)
    ref = StoreRef(uuid.UUID(store_id), world.customer_id, Platform.etsy, str(world.shop_id), "JamiesMaps")
    platforms = world.app.state.platforms
    async with guarded_client(allow_private=True) as http:
        context = PlatformContext(settings=platforms.settings, http=http)
        version = await connector.fetch_product(context, ref, credentials, str(poster["listing_id"]))
        assert version is not None
        assert (version.active, version.platform_status) == (False, "draft")
        assert [v.sku for v in version.variants] == ["MAP-A3-MATTE", "MAP-A2-GLOSS"]
        assert await connector.fetch_product(context, ref, credentials, "999999999") is None
        await world.control("DELETE", f"/shops/{world.shop_id}/listings/{poster['listing_id']}")
        assert await connector.fetch_product(context, ref, credentials, str(poster["listing_id"])) is None


async def test_a_429_per_second_during_a_product_sync_is_waited_out(world):
    card = await make_listing(world, CARD)
    store_id = await world.connected()
    await products_synced_once(world, store_id)
    await world.control(
        "PATCH", f"/shops/{world.shop_id}/listings/{card['listing_id']}", json={"title": "Card 2"}
    )
    await world.control("PUT", "/misbehaviour", json={"exhaust_second": 3})
    await sync_products(world, store_id, full=True)
    assert [v["title"] for v in (await synced_products(world))[str(card["listing_id"])]] == [
        "Greeting card",
        "Card 2",
    ]
    assert (await world.store(store_id))["status"] == "connected"
    throttled = [c for c in await world.control("GET", "/calls") if c["status"] == 429]
    assert len(throttled) == 3


async def test_the_days_budget_spent_during_a_product_sync_keeps_the_store_connected(world):
    card = await make_listing(world, CARD)
    store_id = await world.connected()
    await products_synced_once(world, store_id)
    await world.control(
        "PATCH", f"/shops/{world.shop_id}/listings/{card['listing_id']}", json={"title": "Card 2"}
    )
    await world.control("PUT", "/misbehaviour", json={"exhaust_day": 1000})
    async with world.db.session() as session:
        await products.enqueue_sync(session, uuid.UUID(store_id), full=False)

    async def limited() -> bool:
        store = await world.store(store_id)
        return "products.sync" not in await world.open_jobs() and bool(store["problems"])

    await eventually(limited, within=20)
    store = await world.store(store_id)
    assert store["status"] == "connected"
    assert [p["code"] for p in store["problems"]] == ["rate_limited"]
    assert len((await synced_products(world))[str(card["listing_id"])]) == 1
