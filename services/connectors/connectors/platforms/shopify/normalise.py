"""Shopify orders → `OrderVersion`: the REST resource a webhook carries and the GraphQL node a poll
reads give the same fields, so a webhook and a poll of one version publish it once. Ids are the numeric
strings of Shopify's 64-bit ids (REST `id` = the number at the end of the GraphQL gid); money is the
shop-currency amount as a Decimal."""

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from connectors.platforms.base import OrderVersion
from printbridge_shared.events.contracts import ShopAddress, ShopLineProperty, ShopOrderLine


class OrderUnreadable(ValueError):
    """A payload that is not a Shopify order as documented (says which part)."""


def parse_json(body: bytes) -> Any:
    """Shopify's JSON with its 64-bit integer ids kept exact (Python's ints are) and any non-integer
    number as a Decimal, never a float."""
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise OrderUnreadable(f"the body is not JSON: {error}") from None


def gid_number(gid: Any) -> str:
    """`gid://shopify/Order/5912345678901234567` → `5912345678901234567`."""
    if not isinstance(gid, str) or not gid.startswith("gid://shopify/"):
        raise OrderUnreadable(f"not a Shopify global id: {gid!r}")
    number = gid.rsplit("/", 1)[-1].split("?", 1)[0]
    if not number.isdigit():
        raise OrderUnreadable(f"not a Shopify global id: {gid!r}")
    return number


def product_id(payload: Any) -> str:
    """The product a `products/*` webhook names (its REST `id`)."""
    found = _id(payload.get("id")) if isinstance(payload, dict) else None
    if found is None:
        raise OrderUnreadable("a product delivery without the product's id")
    return found


def _id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise OrderUnreadable(f"not a Shopify id: {value!r}")
    return str(value)


def parse_money(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise OrderUnreadable(f"{where}: not an amount: {value!r}") from None
    if not amount.is_finite():
        raise OrderUnreadable(f"{where}: not an amount: {value!r}")
    return amount


def _optional_money(value: Any, where: str) -> Decimal | None:
    return None if value is None or value == "" else parse_money(value, where)


def parse_time(value: Any, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise OrderUnreadable(f"{where}: not a time: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OrderUnreadable(f"{where}: not a time: {value!r}") from None
    if parsed.tzinfo is None:
        raise OrderUnreadable(f"{where}: a time without its zone: {value!r}")
    return parsed.astimezone(dt.UTC)


def _optional_time(value: Any, where: str) -> dt.datetime | None:
    return None if value is None else parse_time(value, where)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _lower(value: Any) -> str | None:
    text = _text(value)
    return text.lower() if text else None


def _shop_money(money_set: Any, where: str) -> Decimal | None:
    """A GraphQL `MoneyBag` (`{shopMoney {amount}}`) or a REST `*_set` (`{shop_money {amount}}`)."""
    if money_set is None:
        return None
    if not isinstance(money_set, dict):
        raise OrderUnreadable(f"{where}: not a money set")
    money = money_set.get("shopMoney", money_set.get("shop_money"))
    if not isinstance(money, dict):
        raise OrderUnreadable(f"{where}: no shop money")
    return parse_money(money.get("amount"), where)


def _object(payload: Any, where: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise OrderUnreadable(f"{where}: not an object")
    return payload


def _version(fields: dict[str, Any]) -> OrderVersion:
    cancelled_at = fields["cancelled_at"]
    cancel_reason = fields.pop("cancel_reason")
    return OrderVersion(fields=fields, cancelled=cancelled_at is not None, cancel_reason=cancel_reason)


def _validated(build: Any, where: str) -> Any:
    try:
        return build()
    except ValidationError as error:
        raise OrderUnreadable(f"{where}: {error.errors()[0]['msg']}") from None


# REST (webhook payloads) ------------------------------------------------------------------------------


def _rest_address(payload: Any) -> ShopAddress | None:
    if payload is None:
        return None
    address = _object(payload, "address")
    return _validated(
        lambda: ShopAddress(
            first_name=_text(address.get("first_name")),
            last_name=_text(address.get("last_name")),
            company=_text(address.get("company")),
            address1=_text(address.get("address1")),
            address2=_text(address.get("address2")),
            city=_text(address.get("city")),
            province=_text(address.get("province")),
            province_code=_text(address.get("province_code")),
            zip=_text(address.get("zip")),
            country=_text(address.get("country")),
            country_code=_text(address.get("country_code")),
            phone=_text(address.get("phone")),
        ),
        "address",
    )


def _rest_line(payload: Any) -> ShopOrderLine:
    line = _object(payload, "line_items[]")
    properties = tuple(
        ShopLineProperty(name=str(p.get("name")), value="" if p.get("value") is None else str(p.get("value")))
        for p in (line.get("properties") or [])
        if isinstance(p, dict) and p.get("name") is not None
    )
    external_id = _id(line.get("id"))
    if external_id is None:
        raise OrderUnreadable("line_items[]: no id")
    return _validated(
        lambda: ShopOrderLine(
            external_id=external_id,
            external_product_id=_id(line.get("product_id")),
            external_variant_id=_id(line.get("variant_id")),
            sku=_text(line.get("sku")) or None,
            title=_text(line.get("title")) or _text(line.get("name")) or "",
            variant_title=_text(line.get("variant_title")) or None,
            quantity=line.get("quantity"),
            unit_price=parse_money(line.get("price"), "line_items[].price"),
            properties=properties,
        ),
        "line_items[]",
    )


def _rest_shipping(order: dict[str, Any]) -> Decimal | None:
    total = _shop_money(order.get("total_shipping_price_set"), "total_shipping_price_set")
    if total is not None:
        return total
    lines = order.get("shipping_lines")
    if not isinstance(lines, list) or not lines:
        return None
    return sum(
        (
            parse_money(_object(line, "shipping_lines[]").get("price"), "shipping_lines[].price")
            for line in lines
        ),
        Decimal(0),
    )


def from_rest(payload: Any) -> OrderVersion:
    """An `orders/create|updated|cancelled` webhook body (the REST Order resource)."""
    order = _object(payload, "order")
    external_id = _id(order.get("id"))
    if external_id is None:
        raise OrderUnreadable("order: no id")
    currency = order.get("currency")
    if not isinstance(currency, str) or not currency:
        raise OrderUnreadable("order: no currency")
    fields: dict[str, Any] = {
        "external_id": external_id,
        "external_number": _text(order.get("name")),
        "currency": currency,
        "total_price": parse_money(order.get("total_price"), "total_price"),
        "subtotal_price": _optional_money(order.get("subtotal_price"), "subtotal_price"),
        "total_tax": _optional_money(order.get("total_tax"), "total_tax"),
        "shipping_price": _rest_shipping(order),
        "email": _text(order.get("email")) or _text(order.get("contact_email")),
        "financial_status": _lower(order.get("financial_status")),
        "test": bool(order.get("test", False)),
        "note": _text(order.get("note")),
        "placed_at": parse_time(order.get("processed_at") or order.get("created_at"), "processed_at"),
        "source_updated_at": parse_time(order.get("updated_at"), "updated_at"),
        "cancelled_at": _optional_time(order.get("cancelled_at"), "cancelled_at"),
        "cancel_reason": _lower(order.get("cancel_reason")),
        "line_items": tuple(_rest_line(line) for line in order.get("line_items") or []),
        "shipping_address": _rest_address(order.get("shipping_address")),
        "billing_address": _rest_address(order.get("billing_address")),
    }
    return _version(fields)


# GraphQL (polling) ------------------------------------------------------------------------------------

ADDRESS_FIELDS = (
    "firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone"
)
LINE_FIELDS = (
    "id sku title variantTitle quantity originalUnitPriceSet { shopMoney { amount currencyCode } } "
    "variant { id } product { id } customAttributes { key value }"
)
ORDER_FIELDS = f"""
id name email createdAt processedAt updatedAt cancelledAt cancelReason currencyCode test note
displayFinancialStatus
totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
subtotalPriceSet {{ shopMoney {{ amount currencyCode }} }}
totalTaxSet {{ shopMoney {{ amount currencyCode }} }}
totalShippingPriceSet {{ shopMoney {{ amount currencyCode }} }}
shippingAddress {{ {ADDRESS_FIELDS} }}
billingAddress {{ {ADDRESS_FIELDS} }}
"""


def _graphql_address(payload: Any) -> ShopAddress | None:
    if payload is None:
        return None
    address = _object(payload, "address")
    return _validated(
        lambda: ShopAddress(
            first_name=_text(address.get("firstName")),
            last_name=_text(address.get("lastName")),
            company=_text(address.get("company")),
            address1=_text(address.get("address1")),
            address2=_text(address.get("address2")),
            city=_text(address.get("city")),
            province=_text(address.get("province")),
            province_code=_text(address.get("provinceCode")),
            zip=_text(address.get("zip")),
            country=_text(address.get("country")),
            country_code=_text(address.get("countryCodeV2") or address.get("countryCode")),
            phone=_text(address.get("phone")),
        ),
        "address",
    )


def _graphql_line(payload: Any) -> ShopOrderLine:
    line = _object(payload, "lineItems")
    properties = tuple(
        ShopLineProperty(name=str(a.get("key")), value="" if a.get("value") is None else str(a.get("value")))
        for a in (line.get("customAttributes") or [])
        if isinstance(a, dict) and a.get("key") is not None
    )
    variant, product = line.get("variant"), line.get("product")
    return _validated(
        lambda: ShopOrderLine(
            external_id=gid_number(line.get("id")),
            external_product_id=gid_number(product["id"]) if isinstance(product, dict) else None,
            external_variant_id=gid_number(variant["id"]) if isinstance(variant, dict) else None,
            sku=_text(line.get("sku")) or None,
            title=_text(line.get("title")) or "",
            variant_title=_text(line.get("variantTitle")) or None,
            quantity=line.get("quantity"),
            unit_price=_shop_money(line.get("originalUnitPriceSet"), "originalUnitPriceSet"),
            properties=properties,
        ),
        "lineItems",
    )


def from_graphql(node: Any, line_items: list[Any]) -> OrderVersion:
    """An `Order` node of the GraphQL Admin API (fields as in ORDER_FIELDS) with all its line items."""
    order = _object(node, "order")
    total = _shop_money(order.get("totalPriceSet"), "totalPriceSet")
    if total is None:
        raise OrderUnreadable("order: no totalPriceSet")
    currency = order.get("currencyCode")
    if not isinstance(currency, str) or not currency:
        raise OrderUnreadable("order: no currencyCode")
    fields: dict[str, Any] = {
        "external_id": gid_number(order.get("id")),
        "external_number": _text(order.get("name")),
        "currency": currency,
        "total_price": total,
        "subtotal_price": _shop_money(order.get("subtotalPriceSet"), "subtotalPriceSet"),
        "total_tax": _shop_money(order.get("totalTaxSet"), "totalTaxSet"),
        "shipping_price": _shop_money(order.get("totalShippingPriceSet"), "totalShippingPriceSet"),
        "email": _text(order.get("email")),
        "financial_status": _lower(order.get("displayFinancialStatus")),
        "test": bool(order.get("test", False)),
        "note": _text(order.get("note")),
        "placed_at": parse_time(order.get("processedAt") or order.get("createdAt"), "processedAt"),
        "source_updated_at": parse_time(order.get("updatedAt"), "updatedAt"),
        "cancelled_at": _optional_time(order.get("cancelledAt"), "cancelledAt"),
        "cancel_reason": _lower(order.get("cancelReason")),
        "line_items": tuple(_graphql_line(line) for line in line_items),
        "shipping_address": _graphql_address(order.get("shippingAddress")),
        "billing_address": _graphql_address(order.get("billingAddress")),
    }
    return _version(fields)
