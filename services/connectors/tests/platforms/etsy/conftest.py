"""Etsy test equipment: the app configured with an Etsy app, and `FakeEtsy`, a scripted Etsy written from
its documentation (OAuth token endpoint with rotating refresh tokens, getShopByOwnerUserId,
getShopReceipts/getShopReceipt with their filters and offset paging) for `httpx.MockTransport`."""

import base64
import copy
import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from connectors.config import Settings
from connectors.main import create_app
from connectors.models import KnownCustomer, Store, messaging
from connectors.platforms.etsy.client import Budget
from connectors.platforms.etsy.connector import EtsyConnector
from connectors.platforms.registry import connector_for
from printbridge_shared.app import Runtime
from printbridge_shared.db import utcnow
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import AuthKeys

KEYSTRING = "1aa2bb33c44d55eeeeee6fff"
SHARED_SECRET = "s3cr3tsh4r3d"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"etsy-webhook-signing-key-32bytes").decode()
PUBLIC_URL = "https://printbridge.example"
API = "https://openapi.etsy.example"
USER_ID = 12345678
SHOP_ID = 23456789
NOW = int(dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC).timestamp())

# §B4 of the platform facts: a paid receipt as getShopReceipt answers it.
DOCUMENTED_RECEIPT: dict[str, Any] = {
    "receipt_id": 3456789012,
    "receipt_type": 0,
    "seller_user_id": USER_ID,
    "buyer_user_id": 87654321,
    "buyer_email": "buyer@example.com",
    "name": "Jamie Lee",
    "first_line": "221 Baker Street",
    "second_line": "Apt 4",
    "city": "Portland",
    "state": "OR",
    "zip": "97205",
    "country_iso": "US",
    "status": "paid",
    "is_paid": True,
    "is_shipped": False,
    "message_from_buyer": "Gift - no invoice please",
    "create_timestamp": 1747213964,
    "created_timestamp": 1747213964,
    "update_timestamp": 1747214020,
    "updated_timestamp": 1747214020,
    "grandtotal": {"amount": 4650, "divisor": 100, "currency_code": "USD"},
    "subtotal": {"amount": 4200, "divisor": 100, "currency_code": "USD"},
    "total_shipping_cost": {"amount": 450, "divisor": 100, "currency_code": "USD"},
    "total_tax_cost": {"amount": 0, "divisor": 100, "currency_code": "USD"},
    "transactions": [
        {
            "transaction_id": 4011223344,
            "listing_id": 1500112233,
            "product_id": 9988776655,
            "sku": "POSTER-A3-MATTE",
            "title": "Custom city map poster",
            "quantity": 2,
            "paid_timestamp": 1747213990,
            "price": {"amount": 2100, "divisor": 100, "currency_code": "USD"},
            "variations": [
                {"property_id": 100, "value_id": 5011, "formatted_name": "Size", "formatted_value": "A3"},
                {
                    "property_id": 54,
                    "value_id": 0,
                    "formatted_name": "Personalization",
                    "formatted_value": "Portland 2025",
                },
            ],
        }
    ],
    "shipments": [],
}


def receipt(receipt_id: int = 3456789012, updated: int = NOW, **overrides: Any) -> dict[str, Any]:
    built = copy.deepcopy(DOCUMENTED_RECEIPT)
    built.update(receipt_id=receipt_id, updated_timestamp=updated, update_timestamp=updated, **overrides)
    return built


class FakeEtsy:
    """Etsy as its documentation describes it, for one seller with one shop. Each refresh token works
    once (Etsy rotates them); `revoked` answers every refresh with invalid_grant."""

    def __init__(self) -> None:
        self.receipts: dict[int, dict[str, Any]] = {}
        self.refresh_tokens = {"rt-1": 1}
        self.access_tokens = {f"{USER_ID}.at-1"}
        self.generation = 1
        self.revoked = False
        self.token_calls: list[dict[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []  # served first, one per API call
        self.rate_headers: dict[str, str] = {}

    def add(self, *receipts: dict[str, Any]) -> None:
        for each in receipts:
            self.receipts[each["receipt_id"]] = each

    def credentials(self, *, expires_in: float = 3600) -> dict[str, Any]:
        expires = utcnow() + dt.timedelta(seconds=expires_in)
        return {
            "access_token": f"{USER_ID}.at-{self.generation}",
            "refresh_token": f"rt-{self.generation}",
            "expires_at": expires.isoformat(),
            "user_id": str(USER_ID),
        }

    def _issue(self) -> httpx.Response:
        self.generation += 1
        access, refresh = f"{USER_ID}.at-{self.generation}", f"rt-{self.generation}"
        self.access_tokens.add(access)
        self.refresh_tokens[refresh] = self.generation
        answer = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": refresh,
        }
        return httpx.Response(200, json=answer)

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.token_calls.append(form)
        if form.get("client_id") != KEYSTRING:
            return httpx.Response(401, json={"error": "invalid_client"})
        if form.get("grant_type") == "authorization_code":
            if form.get("code") != "good-code" or not form.get("code_verifier"):
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad code"})
            return self._issue()
        if self.revoked or self.refresh_tokens.pop(form.get("refresh_token", ""), None) is None:
            description = "refresh_token is revoked" if self.revoked else "refresh_token has been used"
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": description})
        return self._issue()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/public/oauth/token":
            return self._token(request)
        self.requests.append(request)
        if request.headers.get("x-api-key") != f"{KEYSTRING}:{SHARED_SECRET}":
            return httpx.Response(403, json={"error": "Shared secret is required in x-api-key header."})
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.access_tokens:
            return httpx.Response(401, json={"error": "invalid_token"})
        if self.answers:
            return self.answers.pop(0)
        return self._api(request)

    def _api(self, request: httpx.Request) -> httpx.Response:
        path, query = request.url.path, request.url.params
        headers = self.rate_headers
        if path == f"/v3/application/users/{USER_ID}/shops":
            return httpx.Response(200, json={"shop_id": SHOP_ID, "shop_name": "JamiesMaps"}, headers=headers)
        base = f"/v3/application/shops/{SHOP_ID}/receipts"
        if path.startswith(base + "/"):
            found = self.receipts.get(int(path.rsplit("/", 1)[1]))
            if found is None:
                return httpx.Response(404, json={"error": "Receipt not found"})
            return httpx.Response(200, json=found, headers=headers)
        if path != base:
            return httpx.Response(404, json={"error": "no such resource"})
        rows = list(self.receipts.values())
        if "min_last_modified" in query:
            rows = [r for r in rows if r["updated_timestamp"] >= int(query["min_last_modified"])]
        if query.get("was_paid") == "true":
            rows = [r for r in rows if r["is_paid"]]
        if query.get("was_shipped") == "false":
            rows = [r for r in rows if not r["is_shipped"]]
        key = "updated_timestamp" if query.get("sort_on") == "updated" else "created_timestamp"
        rows.sort(key=lambda r: (r[key], r["receipt_id"]), reverse=query.get("sort_order") == "desc")
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 25))
        return httpx.Response(
            200, json={"count": len(rows), "results": rows[offset : offset + limit]}, headers=headers
        )


def etsy_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "log_json": False,
        "etsy_keystring": KEYSTRING,
        "etsy_shared_secret": SHARED_SECRET,
        "etsy_webhook_secret": WEBHOOK_SECRET,
        "etsy_api_url": API,
        "public_url": PUBLIC_URL,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(autouse=True)
def fresh_connector() -> None:
    """The registry's Etsy connector keeps the app's daily budget and each shop's last sweep for the
    process: each test starts without them."""
    connector = connector_for(Platform.etsy)
    assert isinstance(connector, EtsyConnector)
    connector.budget = Budget()
    connector.swept_at.clear()


@pytest.fixture
def etsy() -> FakeEtsy:
    return FakeEtsy()


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus, etsy: FakeEtsy) -> FastAPI:
    app = create_app(etsy_settings(database_url), Runtime(bus=bus, auth_http=auth.http_client()))
    app.state.platforms.http = httpx.AsyncClient(transport=httpx.MockTransport(etsy))
    return app


@pytest.fixture
def add_customer(app: FastAPI) -> Callable[..., Awaitable[uuid.UUID]]:
    async def add() -> uuid.UUID:
        customer_id = uuid.uuid4()
        async with app.state.db.session() as session:
            session.add(KnownCustomer(id=customer_id, name="Acme Prints", archived=False, version=1))
        return customer_id

    return add


@pytest.fixture
def connected_store(app: FastAPI, etsy: FakeEtsy, add_customer: Any) -> Callable[..., Awaitable[Store]]:
    """An Etsy store connected with the fake's current credentials, polled up to `polled_until`."""

    async def make(*, expires_in: float = 3600, polled_until: dt.datetime | None = None) -> Store:
        now = utcnow()
        store = Store(
            id=uuid.uuid4(),
            customer_id=await add_customer(),
            platform="etsy",
            name="JamiesMaps",
            name_key="jamiesmaps",
            shop_key=str(SHOP_ID),
            status="connected",
            problems=[],
            credentials=app.state.platforms.box.seal(etsy.credentials(expires_in=expires_in)),
            orders_polled_until=polled_until or now,
            connected_at=now,
            created_at=now,
            updated_at=now,
            version=1,
        )
        async with app.state.db.session() as session:
            session.add(store)
        return store

    return make


@pytest.fixture
def events(app: FastAPI) -> Callable[[str], Awaitable[list[dict[str, Any]]]]:
    """The envelopes of one event type in the outbox, oldest first."""

    async def of_type(event_type: str) -> list[dict[str, Any]]:
        outbox = messaging.outbox
        async with app.state.db.read_session() as session:
            rows = await session.execute(
                select(outbox.c.envelope).where(outbox.c.event_type == event_type).order_by(outbox.c.seq)
            )
            return [json.loads(row.envelope) for row in rows]

    return of_type


@pytest.fixture
def store_row(app: FastAPI) -> Callable[[uuid.UUID], Awaitable[Store]]:
    async def read(store_id: uuid.UUID) -> Store:
        async with app.state.db.read_session() as session:
            store = await session.get(Store, store_id)
            assert store is not None
            return store

    return read
