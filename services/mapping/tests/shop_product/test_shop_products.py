"""Shop products as connectors publishes them: the newest revision kept, variants following the shop's,
listed per store and across stores with their mapping status; a sync asked for by a user becomes
connectors' command."""

import datetime as dt
import uuid

from printbridge_shared.events.contracts import ShopProductSynced, ShopVariant
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually

from .conftest import Shop, events


async def test_a_synced_product_is_listed_with_its_variants_unmapped(client, shop: Shop) -> None:
    await shop.connect()
    await shop.synced(variants=[("1001", "FL-A5", {"Size": "A5"}), ("1002", "FL-A4", {"Size": "A4"})])

    (product,) = await shop.products(client)
    assert (product["title"], product["external_id"], product["active"], product["mapping_status"]) == (
        "Flyer",
        "101",
        True,
        "unmapped",
    )
    assert [
        (v["external_id"], v["sku"], v["options"], v["price"], v["mapping_status"])
        for v in product["variants"]
    ] == [
        ("1001", "FL-A5", {"Size": "A5"}, "12.50", "unmapped"),
        ("1002", "FL-A4", {"Size": "A4"}, "12.50", "unmapped"),
    ]
    assert product["variants"][0]["issues"][0]["code"] == "unmapped_item"
    assert product["variants"][0]["mapping"] is None


async def test_an_older_revision_changes_nothing_and_a_vanished_variant_is_dropped(
    client, shop: Shop
) -> None:
    await shop.connect()
    assert await shop.synced(revision=2, variants=[("1001", "FL-A5", {}), ("1002", "FL-A4", {})])
    assert not await shop.synced(revision=1, title="Old title", variants=[("1001", "FL-A5", {})])
    assert await shop.synced(revision=3, variants=[("1002", "FL-A4", {})])

    (product,) = await shop.products(client)
    assert product["title"] == "Flyer"
    assert [v["external_id"] for v in product["variants"]] == ["1002"]


async def test_a_draft_product_is_inactive_with_the_fix(client, shop: Shop) -> None:
    await shop.connect()
    await shop.synced(active=False)

    (product,) = await shop.products(client, status="inactive")
    assert (product["mapping_status"], product["platform_status"]) == ("inactive", "draft")
    assert product["issues"][0]["code"] == "inactive_product" and "Publish" in product["issues"][0]["fix"]
    assert product["variants"][0]["mapping_status"] == "inactive"
    assert await shop.products(client, status="unmapped") == []


async def test_a_removed_product_is_no_longer_listed_and_a_later_sync_brings_it_back(
    client, shop: Shop
) -> None:
    await shop.connect()
    await shop.synced(revision=1)
    assert await shop.removed(revision=2)
    assert not await shop.removed(revision=2)
    assert await shop.products(client) == []
    assert await shop.synced(revision=3)
    assert len(await shop.products(client)) == 1


async def test_products_are_searched_and_paged_by_title_across_stores(client, shop: Shop) -> None:
    await shop.connect()
    await shop.connect(store_id=shop.other_store_id)
    for n in range(5):
        await shop.synced(str(n), title=f"Card {n}")
    await shop.synced("99", title="Poster", store_id=shop.other_store_id)

    first = await client.get("/v1/shop-products", params={"limit": 4}, headers=shop.headers["admin"])
    assert first.status_code == 200, first.text
    second = await client.get(
        "/v1/shop-products",
        params={"limit": 4, "cursor": first.json()["next_cursor"]},
        headers=shop.headers["admin"],
    )
    titles = [p["title"] for p in first.json()["items"] + second.json()["items"]]
    assert titles == ["Card 0", "Card 1", "Card 2", "Card 3", "Card 4", "Poster"]
    found = await client.get("/v1/shop-products", params={"q": "POST"}, headers=shop.headers["viewer"])
    assert [p["title"] for p in found.json()["items"]] == ["Poster"]
    mine = await client.get("/v1/shop-products", headers=shop.headers["store_manager"])
    assert {p["store_id"] for p in mine.json()["items"]} == {str(shop.store_id)}
    assert (await client.get("/v1/shop-products", headers=shop.headers["other"])).json()["items"] == []


async def test_who_may_read_shop_products(client, shop: Shop, operator) -> None:
    await shop.connect()
    await shop.synced()
    product_id = (await shop.products(client))[0]["id"]
    store = f"/v1/stores/{shop.store_id}/products"
    assert (await client.get(store)).status_code == 401
    assert (await client.get(store, headers=operator)).status_code == 200
    assert (await client.get(store, headers=shop.headers["order_manager"])).status_code == 403
    assert (await client.get(store, headers=shop.headers["other"])).status_code == 404
    assert (await client.get(store, headers=shop.headers["other_store_manager"])).status_code == 404
    assert (await client.get(f"/v1/stores/{uuid.uuid4()}/products", headers=operator)).status_code == 404
    one = f"/v1/shop-products/{product_id}"
    assert (await client.get(one, headers=shop.headers["store_manager"])).status_code == 200
    assert (await client.get(one, headers=shop.headers["other"])).status_code == 404
    assert (await client.get(one, headers=shop.headers["other_store_manager"])).status_code == 404
    assert (await client.get("/v1/shop-products/not-an-id", headers=operator)).status_code == 422
    bad = await client.get("/v1/shop-products", params={"status": "sideways"}, headers=operator)
    assert bad.status_code == 422 and "status" in bad.text


async def test_a_sync_request_becomes_connectors_command(client, shop: Shop) -> None:
    await shop.connect()
    sync = f"/v1/stores/{shop.store_id}/products/sync"
    answer = await client.post(sync, json={"full": True}, headers=shop.headers["store_manager"])
    assert answer.status_code == 202, answer.text
    assert answer.json()["full"] is True
    plain = await client.post(sync, headers=shop.headers["admin"])
    assert plain.status_code == 202 and plain.json()["full"] is False
    (first, second) = await events(shop.app, "store.product_sync_requested")
    assert (first.data["store_id"], first.data["full"], second.data["full"]) == (
        str(shop.store_id),
        True,
        False,
    )
    assert first.customer_id == shop.customer_id


async def test_a_sync_is_refused_for_whom_and_what_cannot_be_synced(client, shop: Shop, operator) -> None:
    await shop.connect()
    sync = f"/v1/stores/{shop.store_id}/products/sync"
    assert (await client.post(sync)).status_code == 401
    assert (await client.post(sync, headers=shop.headers["viewer"])).status_code == 403
    assert (await client.post(sync, headers=shop.headers["order_manager"])).status_code == 403
    assert (await client.post(sync, headers=shop.headers["other"])).status_code == 404
    assert (await client.post(sync, headers=shop.headers["other_store_manager"])).status_code == 404
    unknown = await client.post(sync, json={"full": "maybe"}, headers=operator)
    assert unknown.status_code == 422 and "full" in unknown.text
    extra = await client.post(sync, json={"fll": True}, headers=operator)
    assert extra.status_code == 422 and "fll" in extra.text

    manual = uuid.uuid4()
    await shop.connect(platform="manual", store_id=manual)
    refused = await client.post(f"/v1/stores/{manual}/products/sync", headers=operator)
    assert refused.status_code == 409 and refused.json()["type"].endswith("products-not-synced")
    broken = uuid.uuid4()
    await shop.connect(status="auth_error", store_id=broken)
    refused = await client.post(f"/v1/stores/{broken}/products/sync", headers=operator)
    assert refused.status_code == 409 and refused.json()["type"].endswith("store-not-connected")
    assert await events(shop.app, "store.product_sync_requested") == []


async def test_shop_products_on_the_bus_reach_the_copy(client, shop: Shop, bus) -> None:
    await shop.connect()
    data = ShopProductSynced(
        store_id=shop.store_id,
        customer_id=shop.customer_id,
        platform="shopify",
        external_id="7",
        title="Sticker",
        active=True,
        platform_status="active",
        variants=(ShopVariant(external_id="70", sku="ST", title="Sticker"),),
        source_updated_at=dt.datetime.now(dt.UTC),
    )
    await bus.publish(
        Envelope(
            type=data.event_type,
            occurred_at=dt.datetime.now(dt.UTC),
            source="connectors",
            customer_id=shop.customer_id,
            data=data.model_dump(mode="json"),
            aggregate_id=uuid.uuid4(),
            aggregate_version=1,
        )
    )

    async def listed() -> bool:
        return len(await shop.products(client)) == 1

    await eventually(listed)
