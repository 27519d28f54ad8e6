"""Etsy listings as products, without a sandbox: the normalisation of a listing and its inventory, and how
a sync of changes pages through a state (stops at `since` while Etsy answers newest first, reads on when
it does not)."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.platforms.base import PlatformContext, StoreRef
from connectors.platforms.etsy import products
from connectors.platforms.etsy.connector import EtsyConnector
from printbridge_shared.events.contracts import Platform

from .conftest import SHOP_ID, USER_ID, FakeEtsy, etsy_settings

NOW = 1_764_489_600  # 2025-11-30 08:00 UTC


def listing(listing_id: int, updated: int, state: str = "active", **extra: Any) -> dict[str, Any]:
    return {
        "listing_id": listing_id,
        "shop_id": SHOP_ID,
        "title": f"Listing {listing_id}",
        "state": state,
        "updated_timestamp": updated,
        "listing_type": "physical",
        **extra,
    }


def inventory_product(
    product_id: int, sku: str, amount: int, divisor: int = 100, **extra: Any
) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "sku": sku,
        "is_deleted": False,
        "offerings": [
            {
                "offering_id": 1,
                "quantity": 3,
                "is_enabled": True,
                "is_deleted": False,
                "price": _money(amount, divisor),
            }
        ],
        "property_values": [],
        **extra,
    }


def _money(amount: int, divisor: int) -> dict[str, Any]:
    return {"amount": amount, "divisor": divisor, "currency_code": "EUR"}


def test_each_inventory_product_not_deleted_is_a_variant_with_exact_price_and_options() -> None:
    inventory = {
        "products": [
            inventory_product(
                11,
                "A3-MATTE",
                2100,
                property_values=[
                    {"property_id": 100, "property_name": "Size", "value_ids": [1], "values": ["A3"]},
                    {
                        "property_id": 513,
                        "property_name": "Colours",
                        "value_ids": [2, 3],
                        "values": ["Red", "Blue"],
                    },
                ],
            ),
            inventory_product(12, "GONE", 100, is_deleted=True),
            inventory_product(
                13,
                " ",
                12345,
                divisor=1000,
                offerings=[
                    {"offering_id": 9, "is_deleted": True, "price": _money(1, 1)},
                    {"offering_id": 10, "is_deleted": False, "price": _money(12345, 1000)},
                ],
            ),
        ]
    }
    version = products.product_version(listing(5, NOW, state="sold_out"), inventory)

    assert (version.external_id, version.active, version.platform_status) == ("5", False, "sold_out")
    assert version.source_updated_at == dt.datetime.fromtimestamp(NOW, dt.UTC)
    assert [v.external_id for v in version.variants] == ["11", "13"]
    first, second = version.variants
    assert (first.title, first.options, first.price) == (
        "A3 / Red, Blue",
        {"Size": "A3", "Colours": "Red, Blue"},
        Decimal("21.00"),
    )
    assert (second.sku, second.title, second.options, second.price) == (
        None,
        "Listing 5",
        {},
        Decimal("12.345"),
    )


@pytest.mark.parametrize(
    ("listing_body", "inventory"),
    [
        (listing(5, NOW, title=None), {"products": []}),
        ({"listing_id": "x5", "title": "t", "updated_timestamp": NOW}, {"products": []}),
        ({"listing_id": 5, "title": "t"}, {"products": []}),
        (listing(5, NOW), {"results": []}),
        (
            listing(5, NOW),
            {"products": [inventory_product(1, "S", 1, offerings=[{"price": {"amount": "1"}}])]},
        ),
        (listing(5, NOW), {"products": [{"product_id": None}]}),
    ],
)
def test_a_listing_or_inventory_not_as_documented_is_unreadable(listing_body: Any, inventory: Any) -> None:
    with pytest.raises(products.ProductUnreadable):
        products.product_version(listing_body, inventory)


class ListingsEtsy(FakeEtsy):
    """The fake Etsy with listings: `order` is how getListingsByShop sorts (Etsy may ignore `sort_on`)."""

    def __init__(self, listings: list[dict[str, Any]], order: str = "updated") -> None:
        super().__init__()
        self.listings = listings
        self.order = order

    def _api(self, request: httpx.Request) -> httpx.Response:
        path, query = request.url.path, request.url.params
        if path == f"/v3/application/shops/{SHOP_ID}/listings":
            rows = [x for x in self.listings if x["state"] == query.get("state", "active")]
            if self.order == "updated":
                rows.sort(key=lambda x: x["updated_timestamp"], reverse=query.get("sort_order") == "desc")
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 25))
            return httpx.Response(200, json={"count": len(rows), "results": rows[offset : offset + limit]})
        if path.endswith("/inventory"):
            listing_id = int(path.split("/")[-2])
            return httpx.Response(
                200, json={"products": [inventory_product(listing_id * 10, f"S{listing_id}", 100)]}
            )
        return super()._api(request)


async def read(fake: ListingsEtsy, since: dt.datetime | None) -> tuple[list[str], list[httpx.Request]]:
    connector = EtsyConnector()
    store = StoreRef(uuid.uuid4(), uuid.uuid4(), Platform.etsy, str(SHOP_ID), "Shop")
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as http:
        context = PlatformContext(settings=etsy_settings("sqlite+aiosqlite:///unused.db"), http=http)
        found = [
            v.external_id async for v in connector.fetch_products(context, store, fake.credentials(), since)
        ]
    return found, fake.requests


async def test_a_sync_of_changes_stops_paging_at_the_first_listing_older_than_since(monkeypatch) -> None:
    monkeypatch.setattr("connectors.platforms.etsy.connector.LISTINGS_PAGE", 2)
    fake = ListingsEtsy([listing(n, NOW - n * 60) for n in range(1, 8)] + [listing(50, NOW, state="draft")])
    found, requests = await read(fake, dt.datetime.fromtimestamp(NOW - 150, dt.UTC))

    assert found == ["1", "2", "50"]
    active_pages = [r for r in requests if r.url.params.get("state") == "active"]
    assert [r.url.params["offset"] for r in active_pages] == ["0", "2"]
    assert {(r.url.params["sort_on"], r.url.params["includes"]) for r in active_pages} == {
        ("updated", "Inventory")
    }
    # This Etsy attaches no inventory to the listings: each changed listing's is read on its own.
    inventories = [r.url.path for r in requests if r.url.path.endswith("/inventory")]
    assert len(inventories) == 3  # only the listings that changed


async def test_when_etsy_ignores_the_order_a_state_is_read_to_its_end(monkeypatch) -> None:
    monkeypatch.setattr("connectors.platforms.etsy.connector.LISTINGS_PAGE", 2)
    # Oldest first although newest first was asked for: stopping at the first old one would miss 1 and 2.
    fake = ListingsEtsy([listing(n, NOW - n * 60) for n in (7, 6, 5, 2, 1)], order="as stored")
    found, _ = await read(fake, dt.datetime.fromtimestamp(NOW - 150, dt.UTC))

    assert set(found) == {"1", "2"}


async def test_a_full_read_takes_every_state_and_a_listing_seen_twice_once() -> None:
    moved = listing(3, NOW, state="inactive")
    fake = ListingsEtsy(
        [listing(1, NOW), listing(2, NOW, state="expired"), moved, {**moved, "state": "draft"}]
    )
    found, requests = await read(fake, None)

    assert sorted(found) == ["1", "2", "3"]
    assert [r.url.params["state"] for r in requests if "state" in r.url.params] == [
        "active",
        "inactive",
        "draft",
        "expired",
        "sold_out",
    ]
    assert all(str(USER_ID) in r.headers["authorization"] for r in requests)
