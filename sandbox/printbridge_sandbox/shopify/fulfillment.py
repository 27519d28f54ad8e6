"""`fulfillmentCreate` as Shopify documents it for the FulfillmentOrder model: the app names fulfillment
orders and, per fulfillment order, the fulfillment order line items and quantities to ship (none named:
everything that remains), with one tracking number, URL and carrier. Invalid input is answered with
`userErrors` and changes nothing; the most common integrator mistake, an order LineItem id where a
FulfillmentOrderLineItem id belongs, is one of them. A fulfillment lowers the remaining quantities, moves
each fulfillment order to IN_PROGRESS or CLOSED, the order to PARTIALLY_FULFILLED or FULFILLED, and fires
orders/partially_fulfilled or orders/fulfilled, then orders/updated."""

from dataclasses import dataclass, field
from typing import Any

from printbridge_sandbox.shopify.payloads import order_json
from printbridge_sandbox.shopify.state import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    Order,
    Shop,
    State,
    gid,
    now,
    parse_gid,
)
from printbridge_sandbox.shopify.webhooks import Webhooks

FULFILLABLE = ("OPEN", "IN_PROGRESS")
QUANTITY_ERROR = "Invalid fulfillment order line item quantity requested."


@dataclass
class Checked:
    """The input as it will be applied (quantity per fulfillment order line), or the user errors."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    order: Order | None = None
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    quantities: dict[int, tuple[FulfillmentOrderLine, int]] = field(default_factory=dict)

    def error(self, path: list[str], message: str) -> None:
        self.errors.append({"field": path, "message": message})


def _find(shop: Shop, fo_id: int | None) -> tuple[Order, FulfillmentOrder] | None:
    for order in shop.orders.values():
        for fo in order.fulfillment_orders:
            if fo.id == fo_id:
                return order, fo
    return None


def _lines(
    order: Order, fo: FulfillmentOrder, given: list[dict[str, Any]] | None, path: list[str], checked: Checked
) -> None:
    if not given:
        for line in fo.line_items:
            if line.remaining_quantity > 0:
                checked.quantities[line.id] = (line, line.remaining_quantity)
        return
    own = {line.id: line for line in fo.line_items}
    order_line_ids = {line.id for line in order.line_items}
    wanted: dict[int, int] = {}
    for index, item in enumerate(given):
        item_path = [*path, "fulfillmentOrderLineItems", str(index)]
        line_id = parse_gid(item["id"], "FulfillmentOrderLineItem")
        if line_id is None or line_id not in own:
            if parse_gid(item["id"], "LineItem") in order_line_ids:
                message = (
                    f"Fulfillment order line item {item['id']} does not exist on fulfillment order "
                    f"{gid('FulfillmentOrder', fo.id)}: it is the order's LineItem id; use the id of "
                    "the fulfillment order's line item (fulfillmentOrder.lineItems.id)."
                )
            else:
                message = (
                    f"Fulfillment order line item {item['id']} does not exist on fulfillment order "
                    f"{gid('FulfillmentOrder', fo.id)}."
                )
            checked.error([*item_path, "id"], message)
            continue
        quantity = item["quantity"]
        wanted[line_id] = wanted.get(line_id, 0) + quantity
        if quantity <= 0 or wanted[line_id] > own[line_id].remaining_quantity:
            checked.error([*item_path, "quantity"], QUANTITY_ERROR)
            continue
        checked.quantities[line_id] = (own[line_id], wanted[line_id])


def check(shop: Shop, given: dict[str, Any]) -> Checked:
    checked = Checked()
    groups = given["lineItemsByFulfillmentOrder"]
    if not groups:
        checked.error(
            ["fulfillment", "lineItemsByFulfillmentOrder"], "Line items by fulfillment order can't be blank."
        )
    for index, group in enumerate(groups):
        path = ["fulfillment", "lineItemsByFulfillmentOrder", str(index)]
        fo_gid = group["fulfillmentOrderId"]
        found = _find(shop, parse_gid(fo_gid, "FulfillmentOrder"))
        if found is None:
            checked.error([*path, "fulfillmentOrderId"], f"Fulfillment order {fo_gid} does not exist.")
            continue
        order, fo = found
        if fo in checked.fulfillment_orders:
            checked.error(
                [*path, "fulfillmentOrderId"], f"Fulfillment order {fo_gid} is given more than once."
            )
            continue
        if checked.order is not None and checked.order is not order:
            checked.error(
                [*path, "fulfillmentOrderId"], "All fulfillment orders must belong to the same order."
            )
            continue
        checked.order = order
        checked.fulfillment_orders.append(fo)
        if fo.status not in FULFILLABLE:
            checked.error(
                [*path, "fulfillmentOrderId"],
                f"Fulfillment order {fo.id} has an unfulfillable status= {fo.status.lower()}.",
            )
            continue
        _lines(order, fo, group.get("fulfillmentOrderLineItems"), path, checked)
    tracking = given.get("trackingInfo") or {}
    url = tracking.get("url")
    if url is not None and not (url.startswith("https://") or url.startswith("http://")):
        checked.error(["fulfillment", "trackingInfo", "url"], "Tracking url is invalid.")
    return checked


def fulfillment_create(
    state: State, webhooks: Webhooks, shop: Shop, given: dict[str, Any], message: str | None
) -> tuple[Fulfillment | None, Order | None, list[dict[str, Any]]]:
    checked = check(shop, given)
    if checked.errors:
        return None, None, checked.errors
    order = checked.order
    assert order is not None, "a checked fulfillment names at least one fulfillment order"
    moment = now()
    lines = []
    for line, quantity in checked.quantities.values():
        line.remaining_quantity -= quantity
        lines.append(
            FulfillmentLine(
                id=state.ids.next("FulfillmentLineItem"),
                line_item_id=line.line_item_id,
                fulfillment_order_line_id=line.id,
                quantity=quantity,
            )
        )
    for fo in checked.fulfillment_orders:
        fo.status = "CLOSED" if all(line.remaining_quantity == 0 for line in fo.line_items) else "IN_PROGRESS"
        fo.updated_at = moment
    tracking = given.get("trackingInfo") or {}
    fulfillment = Fulfillment(
        id=state.ids.next("Fulfillment"),
        number=len(order.fulfillments) + 1,
        status="SUCCESS",
        created_at=moment,
        updated_at=moment,
        lines=lines,
        fulfillment_order_ids=[fo.id for fo in checked.fulfillment_orders],
        tracking_number=tracking.get("number"),
        tracking_url=tracking.get("url"),
        tracking_company=tracking.get("company"),
        notify_customer=bool(given.get("notifyCustomer")),
        message=message,
    )
    order.fulfillments.append(fulfillment)
    remaining = sum(line.remaining_quantity for fo in order.fulfillment_orders for line in fo.line_items)
    order.fulfillment_status = "partial" if remaining else "fulfilled"
    order.updated_at = moment
    payload = order_json(shop, order)
    webhooks.emit(shop, "orders/partially_fulfilled" if remaining else "orders/fulfilled", payload)
    webhooks.emit(shop, "orders/updated", payload)
    return fulfillment, order, []
