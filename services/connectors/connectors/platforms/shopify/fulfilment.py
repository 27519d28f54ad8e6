"""Fulfilment back to a Shopify shop through its FulfillmentOrders (GraphQL Admin API): the order's
fulfillment orders are read, each request line (our order line's external id: the order LineItem's
number) is matched through `lineItem { id }` to the fulfillment order line item that carries it, and one
`fulfillmentCreate` per fulfillment order ships those FULFILLMENT-ORDER line item ids (never the order's
line item ids, which Shopify refuses: docs/connectors-shopify.md). Only fulfillment orders that are OPEN
or IN_PROGRESS and line items with a `remainingQuantity` are used.

Before shipping, the order's fulfillments are looked at: one with the request's tracking number means
the shipment was made already (a request sent again, or an attempt whose answer was lost), and so does
nothing remaining of the request's lines."""

from dataclasses import dataclass, field
from typing import Any

from connectors.platforms.base import FulfilmentRefused
from connectors.platforms.shopify.normalise import OrderUnreadable, gid_number
from printbridge_shared.events.contracts import ShopFulfillmentRequested

FULFILMENT_SCOPE = "write_merchant_managed_fulfillment_orders"
FULFILLABLE = frozenset({"OPEN", "IN_PROGRESS"})
# Fulfillments that hold a shipment (a cancelled or failed one does not).
LIVE_FULFILLMENT = frozenset({"SUCCESS", "OPEN", "PENDING"})
# Within Shopify's 1000-point query limit: 5 fulfillment orders of up to 50 line items, 20 fulfillments
# (more fulfillment orders and line items are paged).
FULFILLMENT_ORDERS_PAGE = 5
FO_LINES_PAGE = 50
FULFILLMENTS_PAGE = 20

FO_LINE_FIELDS = "id remainingQuantity totalQuantity lineItem { id }"
FULFILLMENT_ORDER_FIELDS = f"""
id status
lineItems(first: {FO_LINES_PAGE}) {{
  pageInfo {{ hasNextPage endCursor }}
  edges {{ node {{ {FO_LINE_FIELDS} }} }}
}}
"""
FULFILLMENT_ORDERS_QUERY = f"""
query PrintbridgeFulfillmentOrders($id: ID!) {{
  order(id: $id) {{
    id
    fulfillments(first: {FULFILLMENTS_PAGE}) {{ id status trackingInfo(first: 5) {{ number }} }}
    fulfillmentOrders(first: {FULFILLMENT_ORDERS_PAGE}) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {FULFILLMENT_ORDER_FIELDS} }} }}
    }}
  }}
}}
"""
MORE_FULFILLMENT_ORDERS_QUERY = f"""
query PrintbridgeMoreFulfillmentOrders($id: ID!, $after: String) {{
  order(id: $id) {{
    fulfillmentOrders(first: {FULFILLMENT_ORDERS_PAGE}, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {FULFILLMENT_ORDER_FIELDS} }} }}
    }}
  }}
}}
"""
MORE_FO_LINES_QUERY = f"""
query PrintbridgeMoreFulfillmentOrderLines($id: ID!, $after: String) {{
  fulfillmentOrder(id: $id) {{
    lineItems(first: {FO_LINES_PAGE}, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {FO_LINE_FIELDS} }} }}
    }}
  }}
}}
"""
FULFILLMENT_CREATE_MUTATION = """
mutation PrintbridgeFulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { number url company } }
    userErrors { field message }
  }
}
"""
SCOPES_QUERY = "query PrintbridgeScopes { currentAppInstallation { accessScopes { handle } } }"

RESHIP_FIX = (
    "Check the order in the Shopify admin: fulfil it there by hand with the tracking, or correct the order "
    "and report the parcel's tracking again."
)


def order_gid(external_id: str) -> str:
    return f"gid://shopify/Order/{external_id}"


def _nodes(connection: Any) -> list[dict[str, Any]]:
    edges = connection.get("edges") if isinstance(connection, dict) else None
    return [e["node"] for e in edges or [] if isinstance(e, dict) and isinstance(e.get("node"), dict)]


def shipped_before(order: dict[str, Any], number: str) -> list[str]:
    """The ids of the order's live fulfillments that carry tracking `number`."""
    found = []
    for fulfillment in order.get("fulfillments") or []:
        if not isinstance(fulfillment, dict) or fulfillment.get("status") not in LIVE_FULFILLMENT:
            continue
        numbers = [
            info.get("number") for info in fulfillment.get("trackingInfo") or [] if isinstance(info, dict)
        ]
        if number in numbers:
            found.append(str(fulfillment.get("id")))
    return found


def live_fulfillments(order: dict[str, Any]) -> list[str]:
    return [
        str(f.get("id"))
        for f in order.get("fulfillments") or []
        if isinstance(f, dict) and f.get("status") in LIVE_FULFILLMENT
    ]


@dataclass
class Plan:
    """What to ship: per fulfillment order id, its line item ids and quantities (in the order found)."""

    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Request lines whose line item no fulfillment order of the order carries.
    unknown: list[str] = field(default_factory=list)


def plan(request: ShopFulfillmentRequested, order: dict[str, Any]) -> Plan:
    """Matches the request's lines to the fulfillment order line items that carry them (through
    `lineItem.id`), taking what remains on fulfillable fulfillment orders, at most the line's quantity."""
    carried: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for fo in _nodes(order.get("fulfillmentOrders")):
        for item in _nodes(fo.get("lineItems")):
            line_item = item.get("lineItem")
            if not isinstance(line_item, dict):
                continue
            try:
                number = gid_number(line_item.get("id"))
            except OrderUnreadable:
                continue
            carried.setdefault(number, []).append(
                (str(fo.get("id")), {**item, "fo_status": fo.get("status")})
            )
    result = Plan()
    for line in request.lines:
        places = carried.get(line.external_id)
        if not places:
            result.unknown.append(line.external_id)
            continue
        wanted = line.quantity
        for fo_id, item in places:
            remaining = item.get("remainingQuantity")
            if wanted <= 0 or item["fo_status"] not in FULFILLABLE or not isinstance(remaining, int):
                continue
            take = min(wanted, remaining)
            if take > 0:
                result.groups.setdefault(fo_id, []).append({"id": str(item["id"]), "quantity": take})
                wanted -= take
    return result


def fulfillment_input(
    request: ShopFulfillmentRequested, fo_id: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    tracking = {"number": request.tracking.number}
    if request.tracking.url:
        tracking["url"] = request.tracking.url
    if request.tracking.company:
        tracking["company"] = request.tracking.company
    return {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items}],
        "trackingInfo": tracking,
        "notifyCustomer": request.notify_customer,
    }


def user_errors_text(errors: list[Any]) -> str:
    parts = []
    for error in errors:
        if isinstance(error, dict):
            where = ".".join(str(part) for part in error.get("field") or [])
            message = str(error.get("message") or "refused")
            parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "Shopify refused the fulfillment."


def refused(errors: list[Any]) -> FulfilmentRefused:
    return FulfilmentRefused(f"Shopify refused the fulfillment: {user_errors_text(errors)}", RESHIP_FIX)
