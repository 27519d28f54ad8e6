"""What the catalog's tests share: a valid product body and the caller kinds that may only read."""

import uuid
from typing import Any

import httpx
import pytest

from mapping.models import messaging
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import AuthKeys, bearer, recorded_events

PRODUCTS = "/v1/catalog/products"
CUSTOMER_ROLES = ("admin", "viewer", "store_manager", "order_manager")


def product(uid: str = "flyer_a5_135gsm", **changes: Any) -> dict[str, Any]:
    return {
        "product_uid": uid,
        "name": "Flyer A5 135 g",
        "type": "flyer",
        "attributes": {"paper": ["matte", "gloss"], "size": ["A5"]},
        "print_areas": [
            {
                "name": "front",
                "formats": ["pdf", "png"],
                "trim_width_mm": 148,
                "trim_height_mm": 210,
                "bleed_mm": 3,
                "min_dpi": 300,
            }
        ],
        **changes,
    }


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(PRODUCTS, json=product(**body), headers=headers)


async def catalog_events(app: Any) -> list[Envelope]:
    return [
        envelope
        for envelope in await recorded_events(app.state.db, messaging.outbox)
        if envelope.type == "catalog_product.changed"
    ]


@pytest.fixture(params=CUSTOMER_ROLES)
def customer_user(request: pytest.FixtureRequest, auth: AuthKeys) -> dict[str, str]:
    """A customer user of each role: reads the catalog, never writes it."""
    stores = [uuid.uuid4()] if request.param == "store_manager" else None
    return bearer(auth.customer_user_token(role=request.param, store_ids=stores))
