"""A Pressero order (its details and its items, or the rows `Orders/Search` lists for it) as one
version of the platform-neutral shop order. Only approved items go on: denied and waiting items are
left out, and an order without an approved item is no version at all (None).

- `OrderNumber` → `external_id` and `external_number` (the API addresses orders by number);
  `OrderDate` → `placed_at`. Times without an offset are UTC.
- `source_updated_at`: Pressero gives no modification time per order, so it is the newest of the order
  date and the approval dates (`ApprovedDate`) of its approved items. An unchanged order keeps it (a
  poll publishes nothing); an item approved later moves it on (one `updated`). An approved item
  without an approval date leaves it where it was: the intake then tells the versions apart by their
  contents and publishes what the API has now.
- Money: an item's `Price` is its line's price; `unit_price` = Price / Quantity. When every item is
  approved the order's totals are Pressero's (`OrderTotal`, `OrderShipping`, `OrderTax`); otherwise
  the approved items' prices (and their own `Shipping`/`ItemTax` where given).
- An item's `Attributes`, `ProductAttributeName/Value1..10` and `ProductFormField/Value1..10` become its
  properties; `PrinterPartNumber` (else `ClientPartNumber`) its SKU."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.platforms.base import OrderVersion
from connectors.platforms.pressero.client import lower_keys
from printbridge_shared.events.contracts import ShopAddress, ShopLineProperty, ShopOrderLine

DEFAULT_CURRENCY = "USD"


class NotAnOrder(ValueError):
    """The data is not a Pressero order we can read; the message says what is missing."""


def parse_time(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise NotAnOrder(f"{name} is missing")
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise NotAnOrder(f"{name} is not a time: {value!r}") from None
    parsed = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    return parsed.replace(microsecond=0)


def _money(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_approved(item: dict[str, Any]) -> bool:
    return _flag(item.get("isapproved")) and not _flag(item.get("isdenied"))


def _address(fields: dict[str, Any], prefix: str) -> ShopAddress | None:
    def part(name: str) -> str | None:
        return _text(fields.get(f"{prefix}{name}".lower()))

    country = part("Country")
    address = ShopAddress(
        first_name=part("FirstName"),
        last_name=part("LastName"),
        company=part("Business"),
        address1=part("Address1"),
        address2=" ".join(p for p in (part("Address2"), part("Address3")) if p) or None,
        city=part("City"),
        province=part("StateProvince"),
        zip=part("Postal"),
        country=country,
        country_code=country.upper() if country and len(country) == 2 else None,
        phone=part("Phone"),
        email=part("Email"),
    )
    return address if any(address.model_dump().values()) else None


def _properties(item: dict[str, Any]) -> tuple[ShopLineProperty, ...]:
    pairs: list[tuple[str, str]] = []
    for attribute in item.get("attributes") or []:
        fields = lower_keys(attribute)
        name = _text(fields.get("attributename") or fields.get("name"))
        value = _text(fields.get("attributevalue") or fields.get("value"))
        if name and value is not None:
            pairs.append((name, value))
    for index in range(1, 11):
        for name_key, value_key in (
            (f"productattributename{index}", f"productattributevalue{index}"),
            (f"productformfield{index}", f"productformvalue{index}"),
        ):
            name, value = _text(item.get(name_key)), _text(item.get(value_key))
            if name and value is not None and (name, value) not in pairs:
                pairs.append((name, value))
    return tuple(ShopLineProperty(name=n, value=v) for n, v in pairs)


def _line(item: dict[str, Any], order_number: str) -> ShopOrderLine:
    number = _text(item.get("orderitemnumber"))
    try:
        quantity = int(item.get("quantity") or 0)
    except (TypeError, ValueError):
        raise NotAnOrder(f"item {number}: Quantity is not a number") from None
    price = _money(item.get("price"))
    if price is None:
        raise NotAnOrder(f"item {number}: Price is missing")
    unit = (price / quantity).quantize(Decimal("0.0001")) if quantity > 0 else price
    return ShopOrderLine(
        external_id=_text(item.get("orderitemid")) or f"{order_number}-{number}",
        external_product_id=_text(item.get("productid")),
        external_variant_id=None,
        sku=_text(item.get("printerpartnumber")) or _text(item.get("clientpartnumber")),
        title=_text(item.get("productname")) or _text(item.get("itemname")) or "",
        quantity=quantity,
        unit_price=unit,
        properties=_properties(item),
    )


def order_version(order: Any, items: Any, currency: str | None = None) -> OrderVersion | None:
    """`order`: the order's details (or its first search row); `items`: its item rows. None when no
    item is approved. Raises `NotAnOrder` when a field the contract needs is missing or unreadable."""
    fields = lower_keys(order)
    number = _text(fields.get("ordernumber"))
    if number is None:
        raise NotAnOrder("not an order: no OrderNumber")
    rows = [lower_keys(i) for i in items] if isinstance(items, list) else None
    if rows is None:
        raise NotAnOrder("the order's items are not a list")
    rows.sort(key=lambda r: int(r.get("orderitemnumber") or 0))
    approved = [r for r in rows if is_approved(r)]
    if not approved:
        return None
    placed_at = parse_time(fields.get("orderdate") or approved[0].get("orderdate"), "OrderDate")
    updated_at = placed_at
    for row in approved:
        if _text(row.get("approveddate")):
            updated_at = max(updated_at, parse_time(row.get("approveddate"), "ApprovedDate"))
    lines = tuple(_line(r, number) for r in approved)
    prices = [_money(r.get("price")) or Decimal(0) for r in approved]
    subtotal = sum(prices, Decimal(0))
    everything = len(approved) == len(rows)

    def item_sum(name: str) -> Decimal | None:
        found = [m for m in (_money(r.get(name)) for r in approved) if m is not None]
        return sum(found, Decimal(0)) if found else None

    shipping = _money(fields.get("ordershipping")) if everything else item_sum("shipping")
    tax = _money(fields.get("ordertax")) if everything else item_sum("itemtax")
    total = _money(fields.get("ordertotal")) if everything else None
    if total is None:
        total = subtotal + (shipping or 0) + (tax or 0)
    code = _text(fields.get("currency") or fields.get("currencycode")) or currency or DEFAULT_CURRENCY
    po_number = _text(fields.get("ponumber"))
    paid = all(_flag(r.get("ispaid")) for r in approved)
    address_source = fields if any(k.startswith("shipto") for k in fields) else approved[0]
    billing = _address(address_source, "BillTo")
    return OrderVersion(
        fields={
            "external_id": number,
            "external_number": number,
            "currency": code.upper(),
            "total_price": total,
            "subtotal_price": subtotal,
            "total_tax": tax,
            "shipping_price": shipping,
            "email": (billing.email if billing else None) or _text(fields.get("orderedbyemail")),
            "financial_status": "paid" if paid else "pending",
            "test": False,
            "note": f"PO {po_number}" if po_number else None,
            "placed_at": placed_at,
            "source_updated_at": updated_at,
            "cancelled_at": None,
            "line_items": lines,
            "shipping_address": _address(address_source, "ShipTo"),
            "billing_address": billing,
        }
    )
