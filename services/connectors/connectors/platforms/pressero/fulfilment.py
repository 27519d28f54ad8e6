"""Fulfilment back to a Pressero site (integrator-derived, like the rest of the Pressero API we call:
docs/connectors-pressero.md): `POST {admin}/api/V2/Orders/Shipments` with
`{OrderId, SiteShippingMethodName, ShipmentInfo: {ShipDate, Tracking, Cost, Items: [{OrderItemId}]}}` →
`{Code: 200, Data: {ShipmentId}}`. The call names the order and items by their GUIDs, while our orders
keep the order NUMBER (the API addresses orders by it) and each item's GUID (`OrderItemId`; an item
without one is `<order number>-<item number>`): the order's details and items are read first for the
order GUID and each item's number.

An item's shipments (`GET /api/v2/orders/{orderNumber}/item/{itemNumber}/Shipments` →
`[{ShipmentId, …, ShipTracking}]`) tell whether it has the shipment already: an item with one whose
tracking is the request's is not sent again (a request sent again, an attempt whose answer was lost)."""

from typing import Any

from connectors.platforms.base import FulfilmentRefused
from connectors.platforms.pressero.client import lower_keys
from printbridge_shared.events.contracts import ShopFulfillmentRequested

DEFAULT_METHOD = "Shipping"
FIX = (
    "Check the order in Pressero's admin: add the shipment with the tracking there, or correct the order "
    "and report the parcel's tracking again."
)


def item_numbers(
    request: ShopFulfillmentRequested, order_number: str, items: Any
) -> tuple[dict[str, str], list[str]]:
    """For each request line, its item's number by its GUID (`OrderItemId`); and the lines no item of the
    order matches."""
    rows = [lower_keys(row) for row in items] if isinstance(items, list) else []
    found: dict[str, str] = {}
    unknown: list[str] = []
    for line in request.lines:
        for row in rows:
            guid = str(row.get("orderitemid") or "").strip()
            number = str(row.get("orderitemnumber") or "").strip()
            if line.external_id in (guid, f"{order_number}-{number}") and guid and number:
                found[guid] = number
                break
        else:
            unknown.append(line.external_id)
    return found, unknown


def shipments_with(shipments: Any, tracking: str) -> list[str]:
    rows = [lower_keys(row) for row in shipments] if isinstance(shipments, list) else []
    return [str(row.get("shipmentid")) for row in rows if str(row.get("shiptracking") or "") == tracking]


def shipment_body(
    request: ShopFulfillmentRequested,
    order_guid: str,
    item_guids: list[str],
    ship_date: str,
    method: str | None,
) -> dict[str, Any]:
    return {
        "OrderId": order_guid,
        "SiteShippingMethodName": request.tracking.company or method or DEFAULT_METHOD,
        "ShipmentInfo": {
            "ShipDate": ship_date,
            "Tracking": request.tracking.number,
            "Cost": 0,
            "Items": [{"OrderItemId": guid} for guid in item_guids],
        },
    }


def refused(message: str) -> FulfilmentRefused:
    return FulfilmentRefused(f"Pressero refused the shipment: {message}", FIX)


def no_order(number: str) -> FulfilmentRefused:
    return FulfilmentRefused(
        f"Pressero has no order {number} for this account.",
        "Nothing to send: the order is not in Pressero any more; tell the buyer the tracking yourself.",
    )
