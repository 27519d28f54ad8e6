"""Create & publish against the WooCommerce sandbox: a publish request becomes one published product
(variable with its variations, or simple) found by its slug `pb-<request id>`; the same request twice,
or a product half made by an earlier attempt, leaves one product; WooCommerce's refusal, a read-only key
and a shop that stays down are answered with `shop_product.publish_failed`."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from connectors.platforms.woocommerce.client import WooClient
from connectors.products import publish
from printbridge_shared.events.contracts import ShopProductDraftVariant, ShopProductPublishRequested
from printbridge_shared.testing import eventually

from .conftest import Connected, Sandbox, outbox_events, store_row

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two attempts, a short pause between them (read by the app's settings when it is made)."""
    monkeypatch.setenv("PRINTBRIDGE_PUBLISH_ATTEMPTS", "2")
    monkeypatch.setenv("PRINTBRIDGE_PUBLISH_RETRY_BASE_S", "0.05")


def draft(store: Connected, customer_id: uuid.UUID, **changes: Any) -> ShopProductPublishRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "store_id": uuid.UUID(store.store_id),
        "customer_id": customer_id,
        "title": "Flyer",
        "description": "Glossy paper.",
        "options": ("Size", "Paper"),
        "variants": (
            ShopProductDraftVariant(
                sku="FL-A5", options={"Size": "A5", "Paper": "Matte"}, price=Decimal("12.00")
            ),
            ShopProductDraftVariant(
                sku="FL-A4", options={"Size": "A4", "Paper": "Matte"}, price=Decimal("15.50")
            ),
        ),
        "image_urls": ("https://cdn.example.com/flyer.png",),
    }
    return ShopProductPublishRequested(**(values | changes))


async def request(app: FastAPI, data: ShopProductPublishRequested) -> None:
    async with app.state.db.session() as session:
        await publish.publish_requested(session, data)


async def answer(app: FastAPI, request_id: uuid.UUID) -> tuple[str, dict[str, Any]]:
    found: list[tuple[str, dict[str, Any]]] = []

    async def answered() -> bool:
        for kind in ("published", "publish_failed"):
            for event in await outbox_events(app, f"shop_product.{kind}"):
                if event["request_id"] == str(request_id):
                    found.append((kind, event))
        return bool(found)

    await eventually(answered, within=20)
    return found[0]


async def product_count(sandbox: Sandbox, store: Connected) -> int:
    return int((await sandbox.site(store.shop.slug))["products"])


async def api_products(store: Connected, slug: str) -> list[dict[str, Any]]:
    """The shop's products with `slug`, read through its REST API (OAuth 1.0a over plain http)."""
    async with httpx.AsyncClient() as http:
        client = WooClient(http, store.shop.url, store.shop.consumer_key, store.shop.consumer_secret)
        return list(await client.get_json("products", {"slug": slug, "status": "any"}))


async def test_a_publish_request_creates_a_published_variable_product_with_its_variations(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    data = draft(store, customer_id)

    await request(app, data)
    kind, published = await answer(app, data.request_id)

    assert kind == "published", published
    [made] = await api_products(store, f"pb-{data.request_id}")
    assert (made["type"], made["status"], made["name"]) == ("variable", "publish", "Flyer")
    assert made["meta_data"][0]["key"] == "_printbridge_request_id"
    assert made["meta_data"][0]["value"] == str(data.request_id)
    assert [a["name"] for a in made["attributes"]] == ["Size", "Paper"]
    assert made["images"][0]["src"] == "https://cdn.example.com/flyer.png"
    product = published["product"]
    assert (product["external_id"], product["active"], product["handle"]) == (
        str(made["id"]),
        True,
        f"pb-{data.request_id}",
    )
    assert sorted((v["sku"], v["price"], v["title"]) for v in product["variants"]) == [
        ("FL-A4", "15.50", "A4 / Matte"),
        ("FL-A5", "12.00", "A5 / Matte"),
    ]
    assert {v["external_id"] for v in product["variants"]} == {str(i) for i in made["variations"]}
    synced = [
        e for e in await outbox_events(app, "shop_product.synced") if e["external_id"] == str(made["id"])
    ]
    assert synced and synced[-1]["active"] is True


async def test_a_draft_without_options_becomes_a_simple_product(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    card = ShopProductDraftVariant(sku="CARD", price=Decimal("3.50"))
    data = draft(store, customer_id, title="Card", options=(), variants=(card,))

    await request(app, data)
    kind, published = await answer(app, data.request_id)

    assert kind == "published", published
    product = published["product"]
    assert product["product_type"] == "simple"
    assert product["variants"] == [
        {
            "external_id": product["external_id"],
            "sku": "CARD",
            "title": "Card",
            "options": {},
            "price": "3.50",
        }
    ]


async def test_the_same_request_twice_and_a_half_made_product_leave_one_product(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    data = draft(store, customer_id)
    half = await sandbox.control.post(
        f"/sites/{store.shop.slug}/products",
        json={
            "name": "Flyer",
            "slug": f"pb-{data.request_id}",
            "type": "variable",
            "status": "draft",
            "attributes": [
                {"name": "Size", "options": ["A5", "A4"]},
                {"name": "Paper", "options": ["Matte"]},
            ],
            "variations": [
                {
                    "sku": "FL-A5",
                    "regular_price": "12.00",
                    "attributes": [{"name": "Size", "option": "A5"}, {"name": "Paper", "option": "Matte"}],
                }
            ],
        },
    )
    assert half.status_code == 201, half.text

    await request(app, data)
    kind, first = await answer(app, data.request_id)
    assert kind == "published", first
    assert first["product"]["external_id"] == str(half.json()["id"])
    assert sorted(v["sku"] for v in first["product"]["variants"]) == ["FL-A4", "FL-A5"]

    await request(app, data)

    async def answered_twice() -> bool:
        return len([e for e in await outbox_events(app, "shop_product.published")]) == 2

    await eventually(answered_twice)
    again = (await outbox_events(app, "shop_product.published"))[1]
    assert again["product"]["external_id"] == first["product"]["external_id"]
    [made] = await api_products(store, f"pb-{data.request_id}")
    assert made["status"] == "publish" and len(made["variations"]) == 2
    assert await product_count(sandbox, store) == 1


async def test_a_duplicated_sku_is_answered_publish_failed_and_leaves_no_product(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    taken = await sandbox.control.post(
        f"/sites/{store.shop.slug}/products", json={"name": "Old", "sku": "FL-A4", "regular_price": "1.00"}
    )
    assert taken.status_code == 201, taken.text
    data = draft(store, customer_id)

    await request(app, data)
    kind, failed = await answer(app, data.request_id)

    assert kind == "publish_failed"
    assert failed["reason"] == (
        "WooCommerce refused a variation: Invalid or duplicated SKU. (product_invalid_sku)"
    )
    assert await api_products(store, f"pb-{data.request_id}") == []


async def test_a_read_only_key_is_answered_publish_failed_and_reported_on_the_store(
    app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    changed = await sandbox.control.patch(
        f"/sites/{store.shop.slug}/keys/{store.shop.key_id}", json={"permissions": "read"}
    )
    assert changed.status_code == 200, changed.text
    data = draft(store, customer_id)

    await request(app, data)
    kind, failed = await answer(app, data.request_id)

    assert kind == "publish_failed"
    assert failed["reason"].startswith("WooCommerce refuses to let the store's key create products")
    assert "Read/Write" in failed["reason"]
    assert (await store_row(app, store.store_id)).status == "permission_missing"
    assert await product_count(sandbox, store) == 0


async def test_a_shop_that_stays_down_is_tried_again_then_answered_publish_failed(
    fast_retries: None, app: FastAPI, sandbox: Sandbox, connected, customer_id: uuid.UUID
) -> None:
    store = await connected(scheme="http")
    await sandbox.misbehave(store.shop.slug, fail_next_calls=1000, fail_status=503)
    data = draft(store, customer_id)

    await request(app, data)
    kind, failed = await answer(app, data.request_id)

    assert kind == "publish_failed"
    assert failed["reason"].startswith("The shop could not be reached for 2 attempts")
    assert "503" in failed["reason"]
    await sandbox.misbehave(store.shop.slug, fail_next_calls=0)
    assert await product_count(sandbox, store) == 0
