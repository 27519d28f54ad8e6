"""Create & publish, mapping's side: a draft designed from the catalog (or a template), published by a
command to connectors with the draft's request id, and mapped variant by variant when the shop has it."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx

from mapping.product_draft import service as drafts
from printbridge_shared.events.contracts import (
    ShopProductPublished,
    ShopProductPublishFailed,
    ShopProductSynced,
    ShopVariant,
)

from .conftest import Shop, events


def draft_body(files_url: str, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Summer flyer",
        "description": "<p>Bright.</p>",
        "product_uid": "flyer_a5",
        "attributes": {"paper": "matte"},
        "files": {"front": f"{files_url}/front.pdf"},
        "options": ["Finish"],
        "variants": [
            {"sku": "SF-MATTE", "price": "19.00", "options": {"Finish": "Matte"}},
            {
                "sku": "SF-GLOSS",
                "price": "21.00",
                "options": {"Finish": "Gloss"},
                "attributes": {"paper": "gloss"},
            },
        ],
        **changes,
    }


async def create(client: httpx.AsyncClient, shop: Shop, body: dict, role: str = "admin") -> httpx.Response:
    return await client.post(f"/v1/stores/{shop.store_id}/products", json=body, headers=shop.headers[role])


def shop_has_it(shop: Shop, request_id: str) -> ShopProductPublished:
    product = ShopProductSynced(
        store_id=shop.store_id,
        customer_id=shop.customer_id,
        platform="shopify",
        external_id="555",
        title="Summer flyer",
        active=True,
        platform_status="active",
        variants=(
            ShopVariant(
                external_id="5551",
                sku="SF-MATTE",
                title="Matte",
                options={"Finish": "Matte"},
                price=Decimal("19.00"),
            ),
            ShopVariant(
                external_id="5552",
                sku="SF-GLOSS",
                title="Gloss",
                options={"Finish": "Gloss"},
                price=Decimal("21.00"),
            ),
        ),
        source_updated_at=dt.datetime.now(dt.UTC),
    )
    return ShopProductPublished(
        request_id=uuid.UUID(request_id),
        store_id=shop.store_id,
        customer_id=shop.customer_id,
        product=product,
    )


async def test_a_draft_is_published_once_and_its_variants_are_mapped_when_the_shop_has_it(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    created = await create(client, shop, draft_body(files_url), role="store_manager")
    assert created.status_code == 201, created.text
    draft = created.json()
    assert [v["attributes"] for v in draft["variants"]] == [
        {"paper": "matte", "size": "A5"},
        {"paper": "gloss", "size": "A5"},
    ]
    assert draft["status"] == "draft" and await events(shop.app, "shop_product.publish_requested") == []

    publish = f"/v1/product-drafts/{draft['id']}/publish"
    assert (await client.post(publish, headers=shop.headers["admin"])).status_code == 202
    assert (await client.post(publish, headers=shop.headers["admin"])).json()["status"] == "publishing"
    (requested,) = await events(shop.app, "shop_product.publish_requested")
    assert (requested.data["title"], requested.data["options"]) == ("Summer flyer", ["Finish"])
    assert [(v["sku"], v["price"]) for v in requested.data["variants"]] == [
        ("SF-MATTE", "19.00"),
        ("SF-GLOSS", "21.00"),
    ]

    async with shop.app.state.db.session() as session:
        await drafts.published(
            session, shop.app.state.outbox, shop_has_it(shop, requested.data["request_id"])
        )
    found = (await client.get(f"/v1/product-drafts/{draft['id']}", headers=shop.headers["viewer"])).json()
    assert (found["status"], found["external_product_id"], found["error"]) == ("published", "555", None)
    (product,) = await shop.products(client)
    mapped = {v["sku"]: v["mapping"] for v in product["variants"]}
    assert mapped["SF-GLOSS"]["attributes"] == {"paper": "gloss", "size": "A5"}
    assert mapped["SF-MATTE"]["files"]["front"]["url"] == f"{files_url}/front.pdf"
    again = await client.post(publish, headers=shop.headers["admin"])
    assert again.status_code == 409 and again.json()["type"].endswith("product-draft-published")


async def test_a_failed_publish_shows_the_shops_reason_and_may_be_retried_with_the_same_request(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    draft = (await create(client, shop, draft_body(files_url))).json()
    publish = f"/v1/product-drafts/{draft['id']}/publish"
    await client.post(publish, headers=shop.headers["admin"])
    (first,) = await events(shop.app, "shop_product.publish_requested")
    failure = ShopProductPublishFailed(
        request_id=uuid.UUID(first.data["request_id"]),
        store_id=shop.store_id,
        customer_id=shop.customer_id,
        reason="Title can't be blank",
        failed_at=dt.datetime.now(dt.UTC),
    )
    async with shop.app.state.db.session() as session:
        await drafts.failed(session, failure)
    found = (await client.get(f"/v1/product-drafts/{draft['id']}", headers=shop.headers["admin"])).json()
    assert (found["status"], found["error"]) == ("failed", "Title can't be blank")
    assert (await client.post(publish, headers=shop.headers["admin"])).status_code == 202
    second = (await events(shop.app, "shop_product.publish_requested"))[-1]
    assert second.data["request_id"] == first.data["request_id"]


async def test_a_draft_from_a_template_takes_its_spec(client, shop: Shop, catalog, files_url) -> None:
    await shop.connect()
    template = await client.post(
        "/v1/templates",
        json={
            "name": "Matte flyer",
            "product_uid": "flyer_a5",
            "attributes": {"paper": "matte"},
            "files": {"front": f"{files_url}/front.pdf"},
        },
        headers=shop.headers["admin"],
    )
    assert template.status_code == 201, template.text
    body = {
        "title": "From template",
        "template_id": template.json()["id"],
        "variants": [{"sku": "T-1", "price": "5.00"}],
    }
    created = await create(client, shop, body)
    assert created.status_code == 201, created.text
    assert (created.json()["product_uid"], created.json()["files"]) == (
        "flyer_a5",
        {"front": f"{files_url}/front.pdf"},
    )
    unknown = await create(client, shop, {**body, "template_id": str(uuid.uuid4())})
    assert unknown.status_code == 422 and "template_id" in unknown.text


async def test_a_draft_that_does_not_fit_is_refused_naming_the_field(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    body = draft_body(files_url)
    wrong = body["variants"][1] | {"attributes": {"paper": "silk"}}
    refused = await create(client, shop, {**body, "variants": [body["variants"][0], wrong]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "variants", "1", "attributes", "paper"]
    twice = await create(client, shop, {**body, "variants": [body["variants"][0], body["variants"][0]]})
    assert twice.status_code == 422 and "SKU" in twice.text
    mismatch = body["variants"][0] | {"options": {"Size": "A5"}}
    assert (await create(client, shop, {**body, "variants": [mismatch]})).status_code == 422
    both = await create(client, shop, {**body, "template_id": str(uuid.uuid4())})
    assert both.status_code == 422 and "template_id" in both.text
    no_price = body["variants"][0] | {"price": "-1"}
    assert (await create(client, shop, {**body, "variants": [no_price]})).status_code == 422
    assert (await create(client, shop, {**body, "variants": []})).status_code == 422


async def test_who_may_design_and_publish_and_where(client, shop: Shop, catalog, files_url, operator) -> None:
    await shop.connect()
    body = draft_body(files_url)
    assert (await client.post(f"/v1/stores/{shop.store_id}/products", json=body)).status_code == 401
    for role, status in (
        ("viewer", 403),
        ("order_manager", 403),
        ("other", 404),
        ("other_store_manager", 404),
    ):
        assert (await create(client, shop, body, role=role)).status_code == status, role
    draft = (await create(client, shop, body)).json()
    one = f"/v1/product-drafts/{draft['id']}"
    assert (await client.get(one, headers=shop.headers["other"])).status_code == 404
    assert (await client.get(one, headers=shop.headers["order_manager"])).status_code == 403
    assert (await client.post(f"{one}/publish", headers=shop.headers["viewer"])).status_code == 403
    assert (
        await client.post(f"{one}/publish", headers=shop.headers["other_store_manager"])
    ).status_code == 404
    assert (await client.get(f"/v1/product-drafts/{uuid.uuid4()}", headers=operator)).status_code == 404
    manual = uuid.uuid4()
    await shop.connect(platform="manual", store_id=manual)
    refused = await client.post(f"/v1/stores/{manual}/products", json=body, headers=operator)
    assert refused.status_code == 409 and refused.json()["type"].endswith("store-cannot-publish")


async def test_a_stores_drafts_are_listed_newest_first_page_by_page(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    made = []
    for title in ("First", "Second", "Third"):
        created = await create(client, shop, draft_body(files_url, title=title))
        made.append(created.json()["id"])
    await client.post(f"/v1/product-drafts/{made[0]}/publish", headers=shop.headers["admin"])
    listing = f"/v1/stores/{shop.store_id}/product-drafts"

    first = (await client.get(listing, params={"limit": 2}, headers=shop.headers["viewer"])).json()
    assert [d["title"] for d in first["items"]] == ["Third", "Second"]
    rest = await client.get(
        listing, params={"limit": 2, "cursor": first["next_cursor"]}, headers=shop.headers["viewer"]
    )
    assert [(d["title"], d["status"]) for d in rest.json()["items"]] == [("First", "publishing")]
    assert rest.json()["next_cursor"] is None
    publishing = await client.get(listing, params={"status": "publishing"}, headers=shop.headers["admin"])
    assert [d["id"] for d in publishing.json()["items"]] == [made[0]]


async def test_listing_drafts_refuses_bad_queries_and_other_customers(
    client, shop: Shop, catalog, files_url, operator
) -> None:
    await shop.connect()
    await create(client, shop, draft_body(files_url))
    listing = f"/v1/stores/{shop.store_id}/product-drafts"
    assert (await client.get(listing)).status_code == 401
    for role, status in (("order_manager", 403), ("other", 404), ("other_store_manager", 404)):
        assert (await client.get(listing, headers=shop.headers[role])).status_code == status, role
    assert len((await client.get(listing, headers=operator)).json()["items"]) == 1
    unknown = await client.get(f"/v1/stores/{uuid.uuid4()}/product-drafts", headers=operator)
    assert unknown.status_code == 404
    for params, field in (({"cursor": "not-ours"}, "cursor"), ({"status": "sold"}, "status")):
        refused = await client.get(listing, params=params, headers=shop.headers["admin"])
        assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["query", field]
