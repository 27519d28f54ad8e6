"""A WooCommerce order (REST v3 / webhook JSON) as one version of the platform-neutral shop order.

- `id` → `external_id` (a string), `number` → `external_number`; `date_created_gmt` → `placed_at`,
  `date_modified_gmt` → `source_updated_at` (both UTC, as WooCommerce writes them without an offset).
- Cancelled are `cancelled`, `refunded` (nothing is left to produce) and `trash` (deleted in the
  shop); their reason says which. `failed` is not: a failed payment can still be paid.
- Money (strings in WooCommerce) becomes `Decimal`; a line's `unit_price` is its `subtotal` (before
  order discounts) divided by its quantity.
- A line's visible `meta_data` (keys not starting with `_`, WordPress's mark for internal meta) become its
  properties, named by `display_key`/`display_value` where WooCommerce gives them.
- `financial_status`: `refunded`, else `paid` when `date_paid_gmt` is set, else `pending`."""

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.platforms.base import OrderVersion
from printbridge_shared.events.contracts import ShopAddress, ShopLineProperty, ShopOrderLine

CANCELLED_STATUSES = {"cancelled": "cancelled", "refunded": "refunded", "trash": "deleted in the shop"}


class NotAnOrder(ValueError):
    """The payload is not a WooCommerce order we can read; the message says what is missing."""


def parse_gmt(value: Any, name: str) -> dt.datetime:
    """WooCommerce's `*_gmt` times: ISO 8601 without an offset, in UTC."""
    if not isinstance(value, str) or not value:
        raise NotAnOrder(f"{name} is missing")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise NotAnOrder(f"{name} is not a time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _money(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise NotAnOrder(f"{name} is missing")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise NotAnOrder(f"{name} is not an amount: {value!r}") from None
    if not amount.is_finite():
        raise NotAnOrder(f"{name} is not an amount: {value!r}")
    return amount


def optional_money(value: Any, name: str) -> Decimal | None:
    return None if value is None or value == "" else _money(value, name)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _id(value: Any) -> str | None:
    """A WooCommerce id as a string; 0 (none, e.g. a deleted product) as None."""
    if value is None or value == 0 or value == "0" or value == "":
        return None
    return str(value)


def _address(part: Any) -> ShopAddress | None:
    if not isinstance(part, dict):
        return None
    address = ShopAddress(
        first_name=_text(part.get("first_name")),
        last_name=_text(part.get("last_name")),
        company=_text(part.get("company")),
        address1=_text(part.get("address_1")),
        address2=_text(part.get("address_2")),
        city=_text(part.get("city")),
        province_code=_text(part.get("state")),
        zip=_text(part.get("postcode")),
        country_code=_text(part.get("country")),
        phone=_text(part.get("phone")),
        email=_text(part.get("email")),
    )
    return address if any(address.model_dump().values()) else None


def _property_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _properties(meta_data: Any) -> tuple[ShopLineProperty, ...]:
    properties = []
    for meta in meta_data if isinstance(meta_data, list) else []:
        if not isinstance(meta, dict):
            continue
        key = meta.get("key")
        if not isinstance(key, str) or not key or key.startswith("_"):
            continue
        name = meta.get("display_key") if isinstance(meta.get("display_key"), str) else None
        value = meta.get("display_value", meta.get("value"))
        if not isinstance(value, str):
            value = meta.get("value")
        properties.append(ShopLineProperty(name=name or key, value=_property_value(value)))
    return tuple(properties)


def _unit_price(line: dict[str, Any], quantity: int, where: str) -> Decimal:
    subtotal = optional_money(line.get("subtotal"), f"{where}.subtotal")
    if subtotal is None or quantity <= 0:
        return _money(line.get("price"), f"{where}.price")
    places = max(2, -int(subtotal.as_tuple().exponent))
    return (subtotal / quantity).quantize(Decimal(1).scaleb(-places))


def _line(line: Any, index: int) -> ShopOrderLine:
    where = f"line_items[{index}]"
    if not isinstance(line, dict) or line.get("id") in (None, ""):
        raise NotAnOrder(f"{where} has no id")
    try:
        quantity = int(line.get("quantity") or 0)
    except (TypeError, ValueError):
        raise NotAnOrder(f"{where}.quantity is not a number") from None
    return ShopOrderLine(
        external_id=str(line["id"]),
        external_product_id=_id(line.get("product_id")),
        external_variant_id=_id(line.get("variation_id")),
        sku=_text(line.get("sku")),
        title=_text(line.get("name")) or "",
        quantity=quantity,
        unit_price=_unit_price(line, quantity, where),
        properties=_properties(line.get("meta_data")),
    )


def order_version(order: Any) -> OrderVersion:
    """Raises `NotAnOrder` when a field the contract needs is missing or unreadable."""
    if not isinstance(order, dict) or order.get("id") in (None, "", 0):
        raise NotAnOrder("not an order: no id")
    modified = parse_gmt(order.get("date_modified_gmt"), "date_modified_gmt")
    created = parse_gmt(order.get("date_created_gmt") or order.get("date_modified_gmt"), "date_created_gmt")
    status = str(order.get("status") or "")
    lines_raw = order.get("line_items") or []
    if not isinstance(lines_raw, list):
        raise NotAnOrder("line_items is not a list")
    lines = tuple(_line(line, index) for index, line in enumerate(lines_raw))
    subtotals = [optional_money(line.get("subtotal"), "subtotal") for line in lines_raw]
    currency = _text(order.get("currency"))
    if currency is None:
        raise NotAnOrder("currency is missing")
    billing = _address(order.get("billing"))
    cancel_reason = CANCELLED_STATUSES.get(status)
    if status == "refunded":
        financial_status = "refunded"
    elif order.get("date_paid_gmt"):
        financial_status = "paid"
    else:
        financial_status = "pending"
    fields: dict[str, Any] = {
        "external_id": str(order["id"]),
        "external_number": _text(order.get("number")),
        "currency": currency.upper(),
        "total_price": _money(order.get("total"), "total"),
        "subtotal_price": sum((s for s in subtotals if s is not None), Decimal(0)) if lines else None,
        "total_tax": optional_money(order.get("total_tax"), "total_tax"),
        "shipping_price": optional_money(order.get("shipping_total"), "shipping_total"),
        "email": billing.email if billing else None,
        "financial_status": financial_status,
        "test": False,
        "note": _text(order.get("customer_note")),
        "placed_at": created,
        "source_updated_at": modified,
        "cancelled_at": modified if cancel_reason else None,
        "line_items": lines,
        "shipping_address": _address(order.get("shipping")),
        "billing_address": billing,
    }
    return OrderVersion(fields=fields, cancelled=cancel_reason is not None, cancel_reason=cancel_reason)


def deleted_version(last_known: OrderVersion, deleted_at: dt.datetime) -> OrderVersion:
    """An order deleted for good in the shop (its re-fetch finds nothing): its last known version,
    cancelled at the time the deletion was delivered."""
    fields = {**last_known.fields, "source_updated_at": deleted_at, "cancelled_at": deleted_at}
    return OrderVersion(fields=fields, cancelled=True, cancel_reason="deleted in the shop")
