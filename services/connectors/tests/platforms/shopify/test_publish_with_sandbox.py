"""Create & publish against the Shopify sandbox: a publish request becomes one product (options, variants,
SKUs, prices) in the shop, answered with `shop_product.published` and announced with `shop_product.synced`;
a request id never makes two products (sent again, its answer lost, or made before by the handle); the
shop's refusal, a shop that stays down and a missing permission are answered with
`shop_product.publish_failed`."""

import uuid
from decimal import Decimal
from typing import Any

import pytest

from connectors.products import publish
from printbridge_shared.events.contracts import ShopProductDraftVariant, ShopProductPublishRequested
from printbridge_shared.testing import eventually

from . import test_with_sandbox
from .test_with_sandbox import SHOP, World

pytestmark = pytest.mark.postgres_only

# The sandbox and the connected app of the Shopify sandbox tests, as fixtures of this module too.
sandbox_url = test_with_sandbox.sandbox_url
world = test_with_sandbox.world


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two attempts, a short pause between them (read by the app's settings when `world` makes it)."""
    monkeypatch.setenv("PRINTBRIDGE_PUBLISH_ATTEMPTS", "2")
    monkeypatch.setenv("PRINTBRIDGE_PUBLISH_RETRY_BASE_S", "0.05")


def draft(world: World, store_id: str, **changes: Any) -> ShopProductPublishRequested:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4(),
        "store_id": uuid.UUID(store_id),
        "customer_id": world.customer_id,
        "title": "Flyer",
        "description": "Glossy paper.\n\nPrinted on both sides.",
        "product_type": "Print",
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


async def request(world: World, data: ShopProductPublishRequested) -> None:
    async with world.db.session() as session:
        await publish.publish_requested(session, data)


async def answer(world: World, request_id: uuid.UUID) -> tuple[str, dict[str, Any]]:
    """The first answer to the request: ("published" | "publish_failed", its data)."""
    found: list[tuple[str, dict[str, Any]]] = []

    async def answered() -> bool:
        for kind in ("published", "publish_failed"):
            for event in await world.events(f"shop_product.{kind}"):
                if event["request_id"] == str(request_id):
                    found.append((kind, event))
        return bool(found)

    await eventually(answered, within=20)
    return found[0]


async def answers(world: World, request_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    return [e for e in await world.events(f"shop_product.{kind}") if e["request_id"] == str(request_id)]


async def shop_products(world: World) -> list[dict[str, Any]]:
    return list(await world.control("GET", f"/shops/{SHOP}/products"))


async def test_a_publish_request_creates_the_product_with_its_variants_and_answers_published(world):
    store_id = await world.connected()
    data = draft(world, store_id)

    await request(world, data)
    kind, published = await answer(world, data.request_id)

    assert kind == "published", published
    [made] = await shop_products(world)
    assert made["handle"] == f"pb-{data.request_id}" and made["title"] == "Flyer"
    assert made["body_html"] == "<p>Glossy paper.</p><p>Printed on both sides.</p>"
    assert [o["name"] for o in made["options"]] == ["Size", "Paper"]
    assert made["images"][0]["src"] == "https://cdn.example.com/flyer.png"
    product = published["product"]
    assert (published["store_id"], published["customer_id"]) == (store_id, str(world.customer_id))
    assert (product["external_id"], product["handle"], product["active"], product["product_type"]) == (
        str(made["id"]),
        f"pb-{data.request_id}",
        True,
        "Print",
    )
    assert product["variants"] == [
        {
            "external_id": str(made["variants"][0]["id"]),
            "sku": "FL-A5",
            "title": "A5 / Matte",
            "options": {"Size": "A5", "Paper": "Matte"},
            "price": "12.00",
        },
        {
            "external_id": str(made["variants"][1]["id"]),
            "sku": "FL-A4",
            "title": "A4 / Matte",
            "options": {"Size": "A4", "Paper": "Matte"},
            "price": "15.50",
        },
    ]
    synced = [e for e in await world.events("shop_product.synced") if e["external_id"] == str(made["id"])]
    assert synced and synced[0]["variants"] == product["variants"]


async def test_the_same_request_twice_makes_one_product_and_answers_with_it_again(world):
    store_id = await world.connected()
    data = draft(world, store_id)
    await request(world, data)
    _, first = await answer(world, data.request_id)

    await request(world, data)

    async def answered_twice() -> bool:
        return len(await answers(world, data.request_id, "published")) == 2

    await eventually(answered_twice)
    again = (await answers(world, data.request_id, "published"))[1]
    assert again["product"]["external_id"] == first["product"]["external_id"]
    assert len(await shop_products(world)) == 1


async def test_an_answer_lost_after_the_shop_made_the_product_makes_no_second_one(world):
    store_id = await world.connected()
    await world.misbehave(api_lose_mutation_answers=1)
    data = draft(world, store_id)

    await request(world, data)
    kind, published = await answer(world, data.request_id)

    assert kind == "published", published
    [made] = await shop_products(world)
    assert published["product"]["external_id"] == str(made["id"])


async def test_a_product_made_for_the_request_before_is_found_by_its_handle_not_made_again(world):
    store_id = await world.connected()
    data = draft(world, store_id)
    before = await world.control(
        "POST",
        f"/shops/{SHOP}/products",
        json={"title": "Flyer", "handle": f"pb-{data.request_id}", "variants": [{"sku": "FL-A5"}]},
    )

    await request(world, data)
    kind, published = await answer(world, data.request_id)

    assert kind == "published" and published["product"]["external_id"] == str(before["id"])
    assert len(await shop_products(world)) == 1


async def test_input_the_shop_refuses_is_answered_publish_failed_with_its_words(world):
    store_id = await world.connected()
    twice = ShopProductDraftVariant(sku="FL-A5", options={"Size": "A5", "Paper": "Matte"}, price=Decimal("1"))
    data = draft(world, store_id, variants=(twice, twice.model_copy(update={"sku": "FL-A5-2"})))

    await request(world, data)
    kind, failed = await answer(world, data.request_id)

    assert kind == "publish_failed"
    assert failed["reason"] == "input.variants.1.optionValues: The variant 'A5 / Matte' already exists."
    assert await shop_products(world) == []
    assert await answers(world, data.request_id, "published") == []


async def test_a_shop_that_stays_down_is_tried_again_then_answered_publish_failed(fast_retries, world):
    store_id = await world.connected()
    await world.misbehave(api_fail_count=1000, api_fail_status=503)
    data = draft(world, store_id)

    await request(world, data)
    kind, failed = await answer(world, data.request_id)

    assert kind == "publish_failed"
    assert failed["reason"].startswith("The shop could not be reached for 2 attempts")
    assert "503" in failed["reason"]
    await world.misbehave(api_fail_count=0)
    assert await shop_products(world) == []


async def test_a_shop_without_write_products_is_answered_publish_failed_with_the_fix(world):
    store_id = await world.connected()
    await world.act("remove_scopes", scopes=["write_products"])
    data = draft(world, store_id)

    await request(world, data)
    kind, failed = await answer(world, data.request_id)

    assert kind == "publish_failed"
    assert "did not grant" in failed["reason"] and "reconnect" in failed["reason"]
    assert (await world.store(store_id))["status"] == "permission_missing"


async def test_a_request_whose_product_was_deleted_from_the_shop_is_answered_publish_failed(world):
    store_id = await world.connected()
    data = draft(world, store_id)
    await request(world, data)
    _, published = await answer(world, data.request_id)
    await world.control("DELETE", f"/shops/{SHOP}/products/{published['product']['external_id']}")

    await request(world, data)

    async def failed() -> bool:
        return bool(await answers(world, data.request_id, "publish_failed"))

    await eventually(failed)
    [refused] = await answers(world, data.request_id, "publish_failed")
    assert refused["reason"].startswith(
        f"The product made for this request ({published['product']['external_id']}) is no longer in the shop"
    )
    assert await shop_products(world) == []
