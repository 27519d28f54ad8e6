"""The `orders` app under test; `client` and `operator` come from printbridge_shared.pytest_plugin. The
tests folder is not a package (see storefront-auth's conftest.py), so shared helpers are fixtures."""

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI

from orders.config import Settings
from orders.main import create_app
from orders.messaging.topology import CONSUMER_GROUP
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import (
    EventData,
    Platform,
    ShopOrderCancelled,
    ShopOrderReceived,
    ShopOrderUpdated,
    StoreConnected,
    StoreStatus,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import AuthKeys, bearer

PLACED_AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
SHOP_ORDER_TYPES = {
    "received": ShopOrderReceived,
    "updated": ShopOrderUpdated,
    "cancelled": ShopOrderCancelled,
}


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    settings = Settings(database_url=database_url, log_json=False)
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


Deliver = Callable[..., Awaitable[bool]]


@pytest.fixture
def deliver(client, bus: InProcessBus) -> Deliver:
    """Hands an event to the orders consumer group as the bus does (inbox, handler, commit); True when it
    was new. `event_id` repeats a delivery; `aggregate_version` goes into the envelope."""
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)

    async def deliver(
        data: EventData, *, event_id: uuid.UUID | None = None, aggregate_version: int | None = None
    ) -> bool:
        envelope = Envelope(
            id=event_id or uuid.uuid4(),
            type=data.event_type,
            occurred_at=dt.datetime.now(dt.UTC),
            source="connectors",
            customer_id=getattr(data, "customer_id", None),
            aggregate_id=getattr(data, "store_id", None) if aggregate_version is not None else None,
            aggregate_version=aggregate_version,
            data=data.model_dump(mode="json"),
        )
        return await consumer.handle(envelope)

    return deliver


@pytest.fixture
def customer_id() -> uuid.UUID:
    """The customer whose store the orders of a test come from."""
    return uuid.uuid4()


@pytest.fixture
def store_id() -> uuid.UUID:
    return uuid.uuid4()


ShopOrder = Callable[..., EventData]


@pytest.fixture
def shop_order(customer_id: uuid.UUID, store_id: uuid.UUID) -> ShopOrder:
    """A shop order event as connectors publishes it: `shop_order("updated", updated_minutes=5, …)`.
    Defaults: Shopify, a 64-bit id, two lines, placed and last modified at PLACED_AT."""

    def build(kind: str = "received", *, updated_minutes: int = 0, **fields: Any) -> EventData:
        values: dict[str, Any] = {
            "store_id": store_id,
            "customer_id": customer_id,
            "platform": Platform.shopify,
            "external_id": "9223372036854775807",
            "external_number": "#1042",
            "currency": "EUR",
            "total_price": Decimal("119.90"),
            "subtotal_price": Decimal("100.00"),
            "total_tax": Decimal("19.00"),
            "shipping_price": Decimal("0.90"),
            "email": "buyer@shop.example",
            "placed_at": PLACED_AT,
            "source_updated_at": PLACED_AT + dt.timedelta(minutes=updated_minutes),
            "line_items": [
                {
                    "external_id": "18446744073709551615",
                    "external_product_id": "7513594",
                    "external_variant_id": "34505432",
                    "sku": "POSTER-A2",
                    "title": "Poster",
                    "variant_title": "A2 / matte",
                    "quantity": 2,
                    "unit_price": Decimal("50.00"),
                    "properties": [{"name": "artwork", "value": "https://cdn.shop.example/a.pdf"}],
                },
                {
                    "external_id": "18446744073709551614",
                    "external_product_id": None,
                    "external_variant_id": None,
                    "sku": None,
                    "title": "Gift wrap",
                    "quantity": 1,
                    "unit_price": Decimal("0"),
                },
            ],
            "shipping_address": {"first_name": "Ada", "city": "Berlin", "country_code": "DE"},
        }
        values.update(fields)
        return SHOP_ORDER_TYPES[kind].model_validate(values)

    return build


@pytest.fixture
def store_connected(customer_id: uuid.UUID, store_id: uuid.UUID) -> Callable[..., StoreConnected]:
    def build(**fields: Any) -> StoreConnected:
        values: dict[str, Any] = {
            "store_id": store_id,
            "customer_id": customer_id,
            "platform": Platform.shopify,
            "name": "Brand shop",
            "status": StoreStatus.connected,
            "updated_at": PLACED_AT,
        }
        return StoreConnected.model_validate({**values, **fields})

    return build


@pytest.fixture
def user_headers(auth: AuthKeys, customer_id: uuid.UUID) -> Callable[..., dict[str, str]]:
    """Headers of a customer user: of the test's customer unless another is named."""

    def headers(role: str = "admin", of: uuid.UUID | None = None, **kwargs: Any) -> dict[str, str]:
        return bearer(auth.customer_user_token(of or customer_id, role=role, **kwargs))

    return headers
