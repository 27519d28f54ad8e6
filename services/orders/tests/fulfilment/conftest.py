"""Fulfilment's tests place orders the way resolution's tests do (a mapped flyer order, routed; a manual
order whose print file a real HTTPS file server serves) and report them shipped through the production
API; the asks orders makes of connectors are read from its outbox."""

from typing import Any

import pytest

from orders.models import messaging
from printbridge_shared.events.contracts import ShopFulfillmentRequested
from printbridge_shared.testing import recorded_events

from ..resolution.conftest import (  # noqa: F401  (fixtures shared with resolution's tests)
    allow_private_urls,
    catalog_product,
    files_app,
    files_url,
    flyer_order,
    mapping,
    reaches,
    read_order,
    recheck_interval_s,
    routed_order,
    shop_variant_id,
    tls_files,
)


async def fulfilment_requests(app: Any) -> list[ShopFulfillmentRequested]:
    """The `shop_fulfillment.requested` events orders recorded, oldest first."""
    return [
        ShopFulfillmentRequested.model_validate(envelope.data)
        for envelope in await recorded_events(app.state.db, messaging.outbox)
        if envelope.type == ShopFulfillmentRequested.event_type
    ]


@pytest.fixture
def report(client, operator):
    """Reports a production step of an order as the producer's MIS does; the answer's JSON."""

    async def post(order_id: str, status: str, **body: Any) -> dict[str, Any]:
        answer = await client.post(
            f"/v1/orders/{order_id}/status", json={"status": status, **body}, headers=operator
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    return post


@pytest.fixture
def claimed_order(client, operator, routed_order):  # noqa: F811  (the fixture imported above)
    """A routed order claimed by production (two lines when `lines=2`), printed when `printed`."""

    async def place(external_id: str = "5001", lines: int = 1, printed: bool = True) -> dict[str, Any]:
        order = await routed_order(external_id, lines=lines)
        claimed = await client.post(f"/v1/production/orders/{order['id']}/claim", headers=operator)
        assert claimed.status_code == 200, claimed.text
        if printed:
            answer = await client.post(
                f"/v1/orders/{order['id']}/status", json={"status": "printed"}, headers=operator
            )
            assert answer.status_code == 200, answer.text
        return order

    return place


def history(order: dict[str, Any], *kinds: str) -> list[str]:
    """The details of the order's history entries of these kinds, oldest first."""
    return [entry["detail"] for entry in order["history"] if entry["kind"] in kinds]
