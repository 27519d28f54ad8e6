"""Which fulfillment order line items a fulfilment request ships (platforms/shopify/fulfilment.py): the
request names our order lines (the order's LineItem numbers), the mutation must name the FULFILLMENT
ORDER line items that carry them, only on fulfillment orders that can still be fulfilled and at most
what remains; a fulfillment with the tracking number means shipped already."""

import datetime as dt
import uuid
from typing import Any

from connectors.platforms.shopify import fulfilment
from printbridge_shared.events.contracts import ShopFulfillmentRequested


def request(*lines: tuple[str, int]) -> ShopFulfillmentRequested:
    return ShopFulfillmentRequested.model_validate(
        {
            "request_id": uuid.uuid4(),
            "order_id": uuid.uuid4(),
            "store_id": uuid.uuid4(),
            "customer_id": uuid.uuid4(),
            "platform": "shopify",
            "external_order_id": "450789469",
            "lines": [{"external_id": external_id, "quantity": quantity} for external_id, quantity in lines],
            "tracking": {"number": "1Z1", "company": "UPS"},
            "requested_at": dt.datetime.now(dt.UTC),
        }
    )


def fo(fo_id: int, status: str, *items: tuple[int, int, int]) -> dict[str, Any]:
    """A fulfillment order node: items as (FO line item id, order line item id, remaining)."""
    return {
        "node": {
            "id": f"gid://shopify/FulfillmentOrder/{fo_id}",
            "status": status,
            "lineItems": {
                "edges": [
                    {
                        "node": {
                            "id": f"gid://shopify/FulfillmentOrderLineItem/{item_id}",
                            "remainingQuantity": remaining,
                            "totalQuantity": remaining,
                            "lineItem": {"id": f"gid://shopify/LineItem/{line_id}"},
                        }
                    }
                    for item_id, line_id, remaining in items
                ]
            },
        }
    }


def order(*fos: dict[str, Any], fulfillments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": "gid://shopify/Order/450789469",
        "fulfillmentOrders": {"edges": list(fos)},
        "fulfillments": fulfillments or [],
    }


def test_the_fulfillment_order_line_item_id_is_shipped_never_the_order_line_item_id():
    plan = fulfilment.plan(
        request(("466157049", 2)), order(fo(1046000778, "OPEN", (1058000001, 466157049, 2)))
    )

    assert plan.groups == {
        "gid://shopify/FulfillmentOrder/1046000778": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/1058000001", "quantity": 2}
        ]
    }
    assert "LineItem/466157049" not in str(plan.groups)


def test_closed_fulfillment_orders_and_nothing_remaining_are_skipped_and_quantities_capped():
    plan = fulfilment.plan(
        request(("1", 5), ("2", 1)),
        order(
            fo(10, "CLOSED", (100, 1, 3)),
            fo(11, "IN_PROGRESS", (110, 1, 2), (111, 2, 0)),
            fo(12, "OPEN", (120, 1, 4)),
        ),
    )

    assert plan.groups == {
        "gid://shopify/FulfillmentOrder/11": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/110", "quantity": 2}
        ],
        "gid://shopify/FulfillmentOrder/12": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/120", "quantity": 3}
        ],
    }
    assert plan.unknown == []


def test_a_line_no_fulfillment_order_carries_is_named():
    plan = fulfilment.plan(request(("999", 1)), order(fo(10, "OPEN", (100, 1, 1))))

    assert (plan.groups, plan.unknown) == ({}, ["999"])


def test_a_live_fulfillment_with_the_tracking_number_is_found_and_a_cancelled_one_is_not():
    shipped = order(
        fulfillments=[
            {"id": "gid://shopify/Fulfillment/1", "status": "CANCELLED", "trackingInfo": [{"number": "1Z1"}]},
            {"id": "gid://shopify/Fulfillment/2", "status": "SUCCESS", "trackingInfo": [{"number": "1Z1"}]},
            {"id": "gid://shopify/Fulfillment/3", "status": "SUCCESS", "trackingInfo": [{"number": "OTHER"}]},
        ]
    )

    assert fulfilment.shipped_before(shipped, "1Z1") == ["gid://shopify/Fulfillment/2"]


def test_the_input_carries_the_tracking_and_notifies_the_customer():
    data = request(("1", 1))

    given = fulfilment.fulfillment_input(
        data, "gid://shopify/FulfillmentOrder/7", [{"id": "x", "quantity": 1}]
    )

    assert given == {
        "lineItemsByFulfillmentOrder": [
            {
                "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/7",
                "fulfillmentOrderLineItems": [{"id": "x", "quantity": 1}],
            }
        ],
        "trackingInfo": {"number": "1Z1", "company": "UPS"},
        "notifyCustomer": True,
    }
