"""Creating products through wc/v3 as a client sees it: a variable product with attributes and meta_data,
its variations made in one batch, found again by slug; WooCommerce's refusals (a duplicated SKU, for the
product and per batch item; a batch too large; a read-only key)."""

from typing import Any

import httpx

from .conftest import Shop

CONTROL = "/_sandbox/woocommerce"
FLYER = {
    "name": "Flyer",
    "type": "variable",
    "slug": "pb-flyer",
    "description": "<p>Glossy</p>",
    "attributes": [
        {"name": "Size", "options": ["A5", "A4"], "variation": True, "visible": True},
        {"name": "Paper", "options": ["Matte"], "variation": True, "visible": True},
    ],
    "images": [{"src": "https://cdn.example.com/flyer.png"}],
    "meta_data": [{"key": "_printbridge_request_id", "value": "r-1"}],
}
VARIATIONS = {
    "create": [
        {
            "sku": "FL-A5",
            "regular_price": "12.00",
            "attributes": [{"name": "Size", "option": "A5"}, {"name": "Paper", "option": "Matte"}],
        },
        {
            "sku": "FL-A4",
            "regular_price": "15.50",
            "attributes": [{"name": "Size", "option": "A4"}, {"name": "Paper", "option": "Matte"}],
        },
    ]
}


def keys(shop: Shop) -> tuple[str, str]:
    return (shop.consumer_key, shop.consumer_secret)


async def create(https: httpx.AsyncClient, shop: Shop, body: dict[str, Any]) -> httpx.Response:
    return await https.post(f"{shop.api}/products", json=body, auth=keys(shop))


async def test_a_variable_product_and_its_variations_are_made_and_found_by_slug(
    https: httpx.AsyncClient, shop: Shop
) -> None:
    made = await create(https, shop, FLYER)
    assert made.status_code == 201, made.text
    product = made.json()
    assert (product["type"], product["status"], product["slug"]) == ("variable", "publish", "pb-flyer")
    assert product["attributes"][0]["variation"] is True
    assert product["images"][0]["src"] == "https://cdn.example.com/flyer.png"
    assert product["meta_data"][0]["key"] == "_printbridge_request_id"
    assert made.headers["location"].endswith(f"/wc/v3/products/{product['id']}")

    batch = await https.post(
        f"{shop.api}/products/{product['id']}/variations/batch", json=VARIATIONS, auth=keys(shop)
    )
    assert batch.status_code == 200, batch.text
    assert [(v["sku"], v["regular_price"]) for v in batch.json()["create"]] == [
        ("FL-A5", "12.00"),
        ("FL-A4", "15.50"),
    ]
    listed = await https.get(f"{shop.api}/products/{product['id']}/variations", auth=keys(shop))
    assert sorted(v["sku"] for v in listed.json()) == ["FL-A4", "FL-A5"]
    found = await https.get(f"{shop.api}/products", params={"slug": "pb-flyer"}, auth=keys(shop))
    assert [p["id"] for p in found.json()] == [product["id"]]
    none = await https.get(f"{shop.api}/products", params={"slug": "pb-other"}, auth=keys(shop))
    assert none.json() == []

    again = await create(https, shop, FLYER | {"name": "Flyer 2"})
    assert again.json()["slug"] == "pb-flyer-2"


async def test_duplicated_skus_are_refused_as_woocommerce_words_it(
    https: httpx.AsyncClient, shop: Shop
) -> None:
    card = await create(https, shop, {"name": "Card", "sku": "CARD", "regular_price": "3.50"})
    assert card.status_code == 201, card.text
    twice = await create(https, shop, {"name": "Card 2", "sku": "CARD"})
    assert twice.status_code == 400
    assert twice.json()["code"] == "product_invalid_sku"
    assert twice.json()["message"] == "Invalid or duplicated SKU."

    flyer = (await create(https, shop, FLYER)).json()
    items = {"create": [VARIATIONS["create"][0], VARIATIONS["create"][0] | {"sku": "CARD"}]}
    batch = await https.post(
        f"{shop.api}/products/{flyer['id']}/variations/batch", json=items, auth=keys(shop)
    )
    assert batch.status_code == 200
    made, refused = batch.json()["create"]
    assert made["sku"] == "FL-A5"
    assert refused["id"] == 0 and refused["error"]["code"] == "product_invalid_sku"

    too_many = {"create": [{"sku": f"X{n}"} for n in range(101)]}
    large = await https.post(
        f"{shop.api}/products/{flyer['id']}/variations/batch", json=too_many, auth=keys(shop)
    )
    assert large.status_code == 413 and large.json()["code"] == "woocommerce_rest_request_entity_too_large"


async def test_a_read_only_key_cannot_create_products(https: httpx.AsyncClient, new_shop: Any) -> None:
    reader = await new_shop(scheme="https", permissions="read")
    refused = await create(https, reader, FLYER)
    assert refused.status_code == 401
    assert refused.json()["code"] == "woocommerce_rest_authentication_error"
    assert refused.json()["message"] == "The API key provided does not have write permissions."
    listed = await https.get(f"{reader.api}/products", auth=keys(reader))
    assert listed.json() == []


async def test_a_product_is_published_by_put_and_deleted_for_good_with_force(
    https: httpx.AsyncClient, shop: Shop
) -> None:
    draft = (await create(https, shop, FLYER | {"status": "draft"})).json()
    published = await https.put(
        f"{shop.api}/products/{draft['id']}", json={"status": "publish"}, auth=keys(shop)
    )
    assert published.status_code == 200 and published.json()["status"] == "publish"

    trashed = await https.delete(f"{shop.api}/products/{draft['id']}", auth=keys(shop))
    assert trashed.json()["status"] == "trash"
    listed = await https.get(f"{shop.api}/products", auth=keys(shop))
    assert listed.json() == []
    gone = await https.delete(f"{shop.api}/products/{draft['id']}", params={"force": "true"}, auth=keys(shop))
    assert gone.status_code == 200
    missing = await https.get(f"{shop.api}/products/{draft['id']}", auth=keys(shop))
    assert missing.status_code == 404


async def test_a_key_made_read_only_in_the_admin_can_no_longer_write(
    https: httpx.AsyncClient, shop: Shop
) -> None:
    [key] = (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()["keys"]
    key_id = key["key_id"]
    changed = await https.patch(f"{CONTROL}/sites/{shop.slug}/keys/{key_id}", json={"permissions": "read"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["permissions"] == "read"
    refused = await create(https, shop, FLYER)
    assert refused.status_code == 401 and "write permissions" in refused.json()["message"]
