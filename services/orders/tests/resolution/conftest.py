"""What resolution's tests share: mapping's events as mapping publishes them (a catalog product, a shop
variant's mapping, a template), a Shopify order of one mapped line, and the order read back."""

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from orders.models import messaging
from printbridge_shared.events.contracts import (
    CatalogProductChanged,
    EventData,
    MappingChanged,
    MappingRemoved,
    TemplateChanged,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import recorded_events

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
FLYER = "flyer_a5"
FRONT = "https://files.brand.example/front.pdf"
VARIANT_ID = "34505432"  # the shop's variant id the order's line names


def passed(url: str = FRONT) -> dict[str, Any]:
    return {"url": url, "status": "passed", "checked_at": NOW}


@pytest.fixture
def catalog_product() -> Callable[..., CatalogProductChanged]:
    def build(**fields: Any) -> CatalogProductChanged:
        values: dict[str, Any] = {
            "product_uid": FLYER,
            "name": "Flyer A5",
            "type": "flyer",
            "attributes": {"paper": ["matte", "gloss"]},
            "print_areas": [
                {
                    "name": "front",
                    "formats": ["pdf"],
                    "trim_width_mm": 148,
                    "trim_height_mm": 210,
                    "bleed_mm": 3,
                    "min_dpi": 300,
                }
            ],
            "status": "active",
            "updated_at": NOW,
        }
        return CatalogProductChanged.model_validate({**values, **fields})

    return build


@pytest.fixture
def shop_variant_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def mapping(store_id, customer_id, shop_variant_id) -> Callable[..., EventData]:
    """`mapping()` maps the order's variant to the flyer, files passed; `mapping(removed=True)` unmaps it."""

    def build(removed: bool = False, **fields: Any) -> EventData:
        ref: dict[str, Any] = {
            "shop_variant_id": shop_variant_id,
            "store_id": store_id,
            "customer_id": customer_id,
            "platform": "shopify",
            "external_product_id": "7513594",
            "external_variant_id": VARIANT_ID,
            "sku": "FLYER-A5",
        }
        if removed:
            return MappingRemoved.model_validate({**ref, "removed_at": NOW, **fields})
        values = {
            "product_uid": FLYER,
            "attributes": {"paper": "matte"},
            "files": {"front": passed()},
            "status": "mapped",
            "issues": (),
            "updated_at": NOW,
        }
        return MappingChanged.model_validate({**ref, **values, **fields})

    return build


@pytest.fixture
def template(customer_id) -> Callable[..., TemplateChanged]:
    def build(**fields: Any) -> TemplateChanged:
        values: dict[str, Any] = {
            "template_id": uuid.uuid4(),
            "customer_id": customer_id,
            "name": "Summer flyer",
            "product_uid": FLYER,
            "attributes": {"paper": "gloss"},
            "files": {"front": passed()},
            "status": "ok",
            "updated_at": NOW,
        }
        return TemplateChanged.model_validate({**values, **fields})

    return build


@pytest.fixture
def flyer_order(shop_order) -> Callable[..., EventData]:
    """A Shopify order of one line: 250 flyers of the mapped variant."""

    def build(kind: str = "received", **fields: Any) -> EventData:
        line = {
            "external_id": "11",
            "external_product_id": "7513594",
            "external_variant_id": VARIANT_ID,
            "sku": "FLYER-A5",
            "title": "Summer flyer",
            "quantity": 250,
            "unit_price": Decimal("0.20"),
        }
        address = {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "address1": "Main Street 1",
            "city": "Berlin",
            "zip": "10115",
            "country_code": "DE",
        }
        values: dict[str, Any] = {"line_items": [line], "shipping_address": address, "external_id": "5001"}
        return shop_order(kind, **{**values, **fields})

    return build


@pytest.fixture
def read_order(client, operator) -> Callable[..., Any]:
    async def read(external_id: str = "5001") -> dict[str, Any]:
        listed = await client.get("/v1/orders", params={"external_id": external_id}, headers=operator)
        [summary] = listed.json()["items"]
        return (await client.get(f"/v1/orders/{summary['id']}", headers=operator)).json()

    return read


async def status_events(app: Any) -> list[Envelope]:
    return [
        e for e in await recorded_events(app.state.db, messaging.outbox) if e.type == "order.status_changed"
    ]


def moves(order: dict[str, Any]) -> list[tuple[str, str]]:
    """The order's status moves as (status, actor)."""
    return [(entry["status"], entry["actor"]) for entry in order["history"] if entry["status"] is not None]


@pytest.fixture
def routed_order(deliver, catalog_product, mapping, flyer_order, read_order) -> Callable[..., Any]:
    """Places a mapped flyer order (two lines when `lines=2`) and returns it routed."""

    async def place(external_id: str = "5001", lines: int = 1) -> dict[str, Any]:
        await deliver(catalog_product(), aggregate_version=1)
        await deliver(mapping(), aggregate_version=1)
        order = flyer_order(external_id=external_id)
        if lines == 2:
            line = order.line_items[0]
            order = flyer_order(
                external_id=external_id, line_items=[line, line.model_copy(update={"external_id": "12"})]
            )
        await deliver(order)
        placed = await read_order(external_id)
        assert placed["status"] == "routed", placed
        return placed

    return place
