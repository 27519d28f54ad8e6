"""A manual store has no shop: an order placed there and shipped with tracking asks nothing of
connectors, and its history says there was no shop to update."""

import uuid

import pytest
from fastapi import FastAPI

from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import SHIPPING_ADDRESS

from ..resolution.conftest import FILES, FLYER, GOOD_PDF
from .conftest import fulfilment_requests, history


@pytest.fixture
def app(files_app: FastAPI) -> FastAPI:
    return files_app


async def test_a_manual_order_shipped_with_tracking_is_not_asked_of_a_shop(
    app,
    client,
    operator,
    user_headers,
    deliver,
    store_connected,
    store_id,
    catalog_product,
    files_url,
    reaches,
):
    name = f"{uuid.uuid4().hex}.pdf"
    FILES[name] = GOOD_PDF
    try:
        await deliver(store_connected(platform=Platform.manual, name="Direct orders"))
        await deliver(catalog_product(), aggregate_version=1)
        placed = await client.post(
            f"/v1/stores/{store_id}/orders",
            json={
                "reference": "PO-1",
                "currency": "EUR",
                "shipping_address": dict(SHIPPING_ADDRESS),
                "line_items": [
                    {
                        "product_uid": FLYER,
                        "quantity": 250,
                        "options": {"paper": "gloss"},
                        "files": {"front": f"{files_url}/{name}"},
                    },
                ],
            },
            headers=user_headers("order_manager"),
        )
        assert placed.status_code == 201, placed.text
        order = await reaches("routed")
    finally:
        FILES.pop(name, None)
    await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)

    shipped = await client.post(
        f"/v1/orders/{order['id']}/status",
        json={"status": "shipped", "tracking": {"number": "00340434161094042557"}},
        headers=operator,
    )

    assert shipped.status_code == 200, shipped.text
    assert await fulfilment_requests(app) == []
    seen = (await client.get(f"/v1/orders/{order['id']}", headers=operator)).json()
    assert seen["shop_fulfillment"] is None
    assert history(seen, "shop_fulfillment_skipped") == [
        "no shop to update with tracking 00340434161094042557: the order was placed in a manual store"
    ]
