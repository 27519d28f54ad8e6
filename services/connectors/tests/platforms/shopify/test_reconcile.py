"""The reconcile job with Shopify answering through a scripted transport (the edge): credentials the
connector rotates half-way through a poll are the ones the store keeps, and two workers that refresh
at once spend the rotating refresh token once (the single flight, decision 0012)."""

import asyncio
import datetime as dt
import json
import uuid

import httpx

from connectors.models import Store
from connectors.platforms.base import PlatformContext
from connectors.platforms.shopify.client import ShopifyClient
from connectors.store.refresh import SingleFlight
from printbridge_shared.db import utcnow
from printbridge_shared.testing import eventually

from .conftest import PUBLIC_URL

SHOP = "acme.myshopify.com"
COST = {
    "cost": {
        "requestedQueryCost": 10,
        "actualQueryCost": 2,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 990.0, "restoreRate": 50.0},
    }
}
TOPICS = [
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "APP_UNINSTALLED",
]
SCOPES = ["read_orders", "write_products", "write_merchant_managed_fulfillment_orders"]


REFRESHED = {"shprt_1": ("shpat_2", "shprt_2"), "shprt_2": ("shpat_3", "shprt_3")}


def empty_page(connection: str) -> httpx.Response:
    page = {"pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
    return httpx.Response(200, json={"data": {connection: page}, "extensions": COST})


def shopify(request: httpx.Request) -> httpx.Response:
    """A shop whose token is refreshed twice in one poll: before the subscriptions query (it was about to
    expire), and again when the orders query gets 401 (Shopify revoked it meanwhile). The product sync
    that the app's schedule starts beside the poll finds no products with either new token."""
    if request.url.path.endswith("/admin/oauth/access_token"):
        access, refresh = REFRESHED[json.loads(request.content)["refresh_token"]]
        return httpx.Response(
            200,
            json={
                "access_token": access,
                "scope": ",".join(SCOPES),
                "expires_in": 3600,
                "refresh_token": refresh,
                "refresh_token_expires_in": 7776000,
            },
        )
    query = json.loads(request.content)["query"]
    token = request.headers["X-Shopify-Access-Token"]
    if "webhookSubscriptions" in query and token == "shpat_2":
        nodes = [
            {
                "node": {
                    "id": f"gid://shopify/WebhookSubscription/{i}",
                    "topic": t,
                    "uri": f"{PUBLIC_URL}/v1/webhooks/shopify",
                }
            }
            for i, t in enumerate(TOPICS)
        ]
        return httpx.Response(
            200,
            json={
                "data": {
                    "currentAppInstallation": {"accessScopes": [{"handle": s} for s in SCOPES]},
                    "webhookSubscriptions": {
                        "pageInfo": {"hasNextPage": False, "endCursor": None},
                        "edges": nodes,
                    },
                },
                "extensions": COST,
            },
        )
    if "orders(" in query and token == "shpat_3":
        return empty_page("orders")
    if "products(" in query and token in ("shpat_2", "shpat_3"):
        return empty_page("products")
    return httpx.Response(401, json={"errors": "[API] Invalid API key or access token"})


async def add_store(app, customer_id: uuid.UUID, credentials: dict) -> uuid.UUID:
    store_id, now = uuid.uuid4(), utcnow()
    async with app.state.db.session() as session:
        session.add(
            Store(
                id=store_id,
                customer_id=customer_id,
                platform="shopify",
                name="acme",
                name_key="acme",
                shop_key=SHOP,
                status="connected",
                problems=[],
                credentials=app.state.platforms.box.seal(credentials),
                granted_scopes=",".join(SCOPES),
                connected_at=now,
                created_at=now,
                updated_at=now,
                version=0,
            )
        )
    return store_id


def expiring_soon() -> dict:
    return {
        "access_token": "shpat_1",
        "scope": ",".join(SCOPES),
        "expires_at": (utcnow() + dt.timedelta(minutes=2)).isoformat(),
        "refresh_token": "shprt_1",
    }


async def test_tokens_rotated_during_a_poll_are_the_ones_the_store_keeps(client, app, operator, add_customer):
    platforms = app.state.platforms
    platforms.http = httpx.AsyncClient(transport=httpx.MockTransport(shopify))
    store_id = await add_store(app, await add_customer(), expiring_soon())
    response = await client.post(f"/v1/stores/{store_id}/reconcile", headers=operator)
    assert response.status_code == 202, response.text

    async def polled() -> bool:
        return bool((await client.get(f"/v1/stores/{store_id}", headers=operator)).json()["last_polled_at"])

    await eventually(polled)
    async with app.state.db.read_session() as session:
        store = await session.get(Store, store_id)
        kept = platforms.box.open(store.credentials)
    assert (kept["access_token"], kept["refresh_token"]) == ("shpat_3", "shprt_3")
    assert store.status == "connected"


async def test_two_workers_refreshing_at_once_spend_shopifys_refresh_token_once(app, add_customer):
    spent: list[str] = []
    someone_waits = asyncio.Event()

    async def token_endpoint(request: httpx.Request) -> httpx.Response:
        # Held until the other worker found the lease taken: the two refreshes overlap for certain.
        await asyncio.wait_for(someone_waits.wait(), timeout=10)
        refresh_token = json.loads(request.content)["refresh_token"]
        if refresh_token in spent:
            return httpx.Response(400, json={"error": "invalid_request"})
        spent.append(refresh_token)
        return shopify(request)

    async def waits(_seconds: float) -> None:
        someone_waits.set()
        await asyncio.sleep(0)

    store_id = await add_store(app, await add_customer(), expiring_soon())
    platforms = app.state.platforms

    def worker() -> ShopifyClient:
        context = PlatformContext(
            settings=platforms.settings,
            http=httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint)),
            single_flight=SingleFlight(app.state.db, platforms.box, store_id, sleep=waits),
        )
        return ShopifyClient(context, SHOP, expiring_soon())

    first, second = worker(), worker()
    await asyncio.gather(first.refresh(), second.refresh())

    assert spent == ["shprt_1"]
    assert first.credentials["access_token"] == second.credentials["access_token"] == "shpat_2"
    async with app.state.db.read_session() as session:
        store = await session.get(Store, store_id)
        kept = platforms.box.open(store.credentials)
    assert (kept["access_token"], kept["refresh_token"], store.status) == ("shpat_2", "shprt_2", "connected")
