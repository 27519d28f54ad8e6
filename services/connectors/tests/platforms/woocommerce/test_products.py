"""WooCommerce products through the connector, against the sandbox: a simple product is its own variant,
a variable product's variations are its variants; a product that is not published is inactive, one in the
bin or deleted is removed."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared.testing import eventually

from .conftest import Sandbox, connect, outbox_events, store_row

pytestmark = pytest.mark.postgres_only

VARIABLE = {
    "name": "Flyer",
    "type": "variable",
    "attributes": [{"name": "Size", "options": ["A5", "A4"]}, {"name": "Paper", "options": ["Matte"]}],
    "variations": [
        {
            "sku": "FL-A5",
            "regular_price": "12.00",
            "attributes": [{"name": "Size", "option": "A5"}, {"name": "Paper", "option": "Matte"}],
        },
        {
            "sku": "FL-A4",
            "regular_price": "15.00",
            "attributes": [{"name": "Size", "option": "A4"}, {"name": "Paper", "option": "Matte"}],
        },
    ],
}


async def make(sandbox: Sandbox, slug: str, body: dict[str, Any]) -> dict[str, Any]:
    made = await sandbox.control.post(f"/sites/{slug}/products", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def synced(app: FastAPI) -> dict[str, dict[str, Any]]:
    return {event["external_id"]: event for event in await outbox_events(app, "shop_product.synced")}


async def test_products_are_synced_on_connect_simple_and_variable_and_drafts_inactive(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    customer_id: uuid.UUID,
    operator_headers: dict[str, str],
) -> None:
    shop = await sandbox.new_shop(scheme="http")
    flyer = await make(sandbox, shop.slug, VARIABLE)
    card = await make(sandbox, shop.slug, {"name": "Card", "sku": "CARD", "regular_price": "3.50"})
    draft = await make(sandbox, shop.slug, {"name": "Poster", "status": "draft", "regular_price": "9.00"})

    answer = await connect(client, operator_headers, shop, customer_id)
    assert answer.status_code == 201, answer.text
    store_id = answer.json()["store"]["id"]

    async def products_synced() -> bool:
        return (await store_row(app, store_id)).products_synced_until is not None

    await eventually(products_synced)
    found = await synced(app)
    assert set(found) == {str(flyer["id"]), str(card["id"]), str(draft["id"])}
    variations = flyer["variations_detail"]
    assert found[str(flyer["id"])]["variants"] == [
        {
            "external_id": str(variations[0]["id"]),
            "sku": "FL-A5",
            "title": "A5 / Matte",
            "options": {"Size": "A5", "Paper": "Matte"},
            "price": "12.00",
        },
        {
            "external_id": str(variations[1]["id"]),
            "sku": "FL-A4",
            "title": "A4 / Matte",
            "options": {"Size": "A4", "Paper": "Matte"},
            "price": "15.00",
        },
    ]
    assert found[str(card["id"])]["variants"] == [
        {"external_id": str(card["id"]), "sku": "CARD", "title": "Card", "options": {}, "price": "3.50"}
    ]
    assert (found[str(card["id"])]["active"], found[str(card["id"])]["product_type"]) == (True, "simple")
    assert (found[str(draft["id"])]["active"], found[str(draft["id"])]["platform_status"]) == (False, "draft")


async def test_a_product_unpublished_turns_inactive_and_a_deleted_one_is_removed(
    app: FastAPI, sandbox: Sandbox, connected
) -> None:
    store = await connected(scheme="http")
    card = await make(sandbox, store.shop.slug, {"name": "Card", "sku": "CARD", "regular_price": "3.50"})
    await eventually(lambda: synced(app))

    unpublished = await sandbox.control.patch(
        f"/sites/{store.shop.slug}/products/{card['id']}", json={"status": "private"}
    )
    assert unpublished.status_code == 200, unpublished.text

    async def inactive() -> bool:
        versions = await outbox_events(app, "shop_product.synced")
        return any(not version["active"] for version in versions)

    await eventually(inactive)
    deleted = await sandbox.control.delete(f"/sites/{store.shop.slug}/products/{card['id']}")
    assert deleted.status_code == 200, deleted.text
    await eventually(lambda: outbox_events(app, "shop_product.removed"))

    versions = await outbox_events(app, "shop_product.synced")
    assert [(v["revision"], v["active"], v["platform_status"]) for v in versions] == [
        (1, True, "publish"),
        (2, False, "private"),
    ]
    (removed,) = await outbox_events(app, "shop_product.removed")
    assert (removed["external_id"], removed["revision"]) == (str(card["id"]), 3)
