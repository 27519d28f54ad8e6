"""Shopify test equipment: the app configured with a Shopify app, payloads as Shopify documents them,
a known customer, and reading what the service recorded (outbox, deliveries, stores)."""

import base64
import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from connectors.config import Settings
from connectors.main import create_app
from connectors.models import KnownCustomer, Store, WebhookDelivery, messaging
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys

CLIENT_ID = "printbridge-test-app"
CLIENT_SECRET = "shpss_test_secret"
PUBLIC_URL = "https://printbridge.example"

# §A4 of the platform facts: the REST Order resource as an orders/create webhook carries it.
DOCUMENTED_ORDER: dict[str, Any] = {
    "id": 5912345678901234567,
    "admin_graphql_api_id": "gid://shopify/Order/5912345678901234567",
    "name": "#1042",
    "order_number": 1042,
    "email": "anna@example.com",
    "created_at": "2025-10-14T09:12:44+02:00",
    "updated_at": "2025-10-14T09:12:46+02:00",
    "cancelled_at": None,
    "cancel_reason": None,
    "currency": "EUR",
    "total_price": "64.90",
    "subtotal_price": "59.90",
    "total_tax": "10.36",
    "financial_status": "paid",
    "fulfillment_status": None,
    "test": False,
    "tags": "",
    "note": "Bitte matt laminieren",
    "note_attributes": [{"name": "delivery_date", "value": "2025-10-20"}],
    "line_items": [
        {
            "id": 14123456789012345678,
            "admin_graphql_api_id": "gid://shopify/LineItem/14123456789012345678",
            "product_id": 8123456789012,
            "variant_id": 45123456789012,
            "sku": "POSTER-A2-MATT",
            "title": "Poster",
            "variant_title": "A2 / Matt",
            "quantity": 2,
            "price": "24.95",
            "requires_shipping": True,
            "fulfillment_status": None,
            "properties": [
                {"name": "_artwork_url", "value": "https://cdn.example.com/u/abc123.pdf"},
                {"name": "Personalisation", "value": "Für Oma"},
            ],
        }
    ],
    "shipping_lines": [{"title": "DHL Paket", "price": "5.00", "code": "dhl"}],
    "shipping_address": {
        "first_name": "Anna",
        "last_name": "Muster",
        "company": None,
        "address1": "Hauptstraße 5",
        "address2": "2. OG",
        "city": "Berlin",
        "province": None,
        "province_code": None,
        "zip": "10115",
        "country": "Germany",
        "country_code": "DE",
        "phone": "+49301234567",
    },
    "customer": {
        "id": 7123456789012,
        "email": "anna@example.com",
        "first_name": "Anna",
        "last_name": "Muster",
    },
}


@pytest.fixture
def rest_order() -> Callable[..., dict[str, Any]]:
    def build(**overrides: Any) -> dict[str, Any]:
        return {**copy.deepcopy(DOCUMENTED_ORDER), **overrides}

    return build


def shopify_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "log_json": False,
        "shopify_client_id": CLIENT_ID,
        "shopify_client_secret": CLIENT_SECRET,
        "public_url": PUBLIC_URL,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    return create_app(shopify_settings(database_url), Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
def add_customer(app: FastAPI) -> Callable[..., Awaitable[uuid.UUID]]:
    async def add(archived: bool = False) -> uuid.UUID:
        customer_id = uuid.uuid4()
        async with app.state.db.session() as session:
            session.add(KnownCustomer(id=customer_id, name="Acme Prints", archived=archived, version=1))
        return customer_id

    return add


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
def deliveries(app: FastAPI) -> Callable[[], Awaitable[list[WebhookDelivery]]]:
    async def kept() -> list[WebhookDelivery]:
        async with app.state.db.read_session() as session:
            return list(
                (await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.received_at))).all()
            )

    return kept


@pytest.fixture
def store_row(app: FastAPI) -> Callable[[uuid.UUID], Awaitable[Store]]:
    async def read(store_id: uuid.UUID) -> Store:
        async with app.state.db.read_session() as session:
            store = await session.get(Store, store_id)
            assert store is not None
            return store

    return read


def signed_webhook(
    body: bytes, *, topic: str, shop: str, event_id: str | None = None, secret: str = CLIENT_SECRET
) -> dict[str, str]:
    """The headers of a Shopify delivery (shopify.dev verify-deliveries: base64 HMAC of the raw body)."""
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2025-10-14T07:12:46.000Z",
    }


@pytest.fixture
def webhook_headers() -> Callable[..., dict[str, str]]:
    return signed_webhook


def documented_query_hmac(params: dict[str, str], secret: str = CLIENT_SECRET) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def sign_callback() -> Callable[[dict[str, str]], dict[str, str]]:
    def sign(params: dict[str, str]) -> dict[str, str]:
        return {**params, "hmac": documented_query_hmac(params)}

    return sign
