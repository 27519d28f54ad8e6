"""Shipments pushed to Pressero, as a public integrator's `UpdateShipments` sends them (its models
`OrderShipmentData`, `Shipment`, `ShipmentData`): `POST /api/V2/Orders/Shipments` with

    {"OrderId": "<order GUID>", "SiteShippingMethodName": "<text>",
     "ShipmentInfo": {"ShipDate": "<ISO 8601>", "Tracking": "<number>", "Cost": 0,
                      "Items": [{"OrderItemId": "<item GUID>"}]}}

answered `{"Code": 200, "Data": {"ShipmentId": "<GUID>"}}`. Names are matched case-insensitively, as
ASP.NET's JSON binding does. What Pressero refuses is not public: the sandbox answers a malformed body 400
and an order or item the caller's subscriber does not have 404, each `{Code, Message, Data: null}` as its
other refusals, and changes nothing then."""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from printbridge_sandbox.pressero.state import Order, Pressero, Shipment, Subscriber


class ShipmentRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _lower(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ShipmentRefused(400, f"{name} must be a string.")
    return value


def _ship_date(value: Any) -> dt.datetime:
    if not isinstance(value, str) or not value:
        raise ShipmentRefused(400, "ShipmentInfo.ShipDate is required: an ISO 8601 date and time.")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ShipmentRefused(
            400, f"ShipmentInfo.ShipDate {value!r} is not an ISO 8601 date and time."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _cost(value: Any) -> Decimal:
    if value is None:
        return Decimal("0")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ShipmentRefused(400, "ShipmentInfo.Cost must be a number.")
    try:
        cost = Decimal(str(value))
    except InvalidOperation:
        raise ShipmentRefused(400, "ShipmentInfo.Cost must be a number.") from None
    if not cost.is_finite() or cost < 0:
        raise ShipmentRefused(400, "ShipmentInfo.Cost must be a number of 0 or more.")
    return cost


def _order(pressero: Pressero, subscriber: Subscriber, order_id: Any) -> Order:
    if not isinstance(order_id, str) or not order_id.strip():
        raise ShipmentRefused(400, "OrderId is required: the order's GUID.")
    try:
        wanted = str(uuid.UUID(order_id.strip()))
    except ValueError:
        raise ShipmentRefused(400, f"OrderId {order_id!r} is not a GUID.") from None
    for order in pressero.orders.values():
        if order.id == wanted and order.site.subscriber is subscriber:
            return order
    raise ShipmentRefused(404, f"Order {order_id} not found.")


def record_shipment(pressero: Pressero, subscriber: Subscriber, raw: Any) -> str:
    """Checks the body, then records one row per item under a new ShipmentId (returned)."""
    if not isinstance(raw, dict):
        raise ShipmentRefused(400, "The request is invalid.")
    body = _lower(raw)
    order = _order(pressero, subscriber, body.get("orderid"))
    method = _text(body.get("siteshippingmethodname"), "SiteShippingMethodName")
    info = body.get("shipmentinfo")
    if not isinstance(info, dict):
        raise ShipmentRefused(400, "ShipmentInfo is required.")
    shipment_info = _lower(info)
    ship_date = _ship_date(shipment_info.get("shipdate"))
    tracking = _text(shipment_info.get("tracking"), "ShipmentInfo.Tracking")
    cost = _cost(shipment_info.get("cost"))
    given = shipment_info.get("items")
    if not isinstance(given, list) or not given:
        raise ShipmentRefused(400, "ShipmentInfo.Items must name at least one OrderItemId.")
    items_by_id = {item.id: item for item in order.items}
    chosen = []
    for entry in given:
        item_id = str(_lower(entry).get("orderitemid") or "").strip().lower()
        item = items_by_id.get(item_id)
        if item is None:
            raise ShipmentRefused(404, f"Order item {item_id or '(none)'} not found in order {order.number}.")
        if item in chosen:
            raise ShipmentRefused(400, f"Order item {item.id} is named twice.")
        if item.is_denied:
            raise ShipmentRefused(400, f"Order item {item.id} was denied and cannot be shipped.")
        chosen.append(item)
    shipment_id = str(uuid.uuid4())
    for item in chosen:
        order.shipments.append(
            Shipment(shipment_id, order.id, item.id, item.number, ship_date, method, tracking, cost)
        )
    return shipment_id
