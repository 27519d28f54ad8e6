"""Etsy receipts → `OrderVersion`. Only paid receipts are orders: an unpaid one (`payment processing`,
an open e-check) is skipped until it is paid; a receipt cancelled (or refunded in full) after it was paid
is a cancellation, one cancelled before it was paid is nothing. Money (`{amount, divisor,
currency_code}`) becomes an exact Decimal; ids are strings; the buyer's personalisation and chosen
options (`transactions[].variations`) become the line's properties."""

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from connectors.platforms.base import OrderVersion
from printbridge_shared.events.contracts import ShopAddress, ShopLineProperty, ShopOrderLine

CANCELLED = frozenset({"canceled", "cancelled"})
# Refunded in full: nothing is to be produced any more, which for a print producer is a cancellation.
REFUNDED = "fully refunded"
PAID_STATUSES = frozenset({"paid", "completed", "partially refunded", REFUNDED})


class ReceiptUnreadable(ValueError):
    """A payload that is not an Etsy receipt as documented (says which part)."""


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReceiptUnreadable(f"{where}: not an object")
    return value


def _id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ReceiptUnreadable(f"{where}: not an Etsy id: {value!r}")
    return str(value)


def _optional_id(value: Any, where: str) -> str | None:
    return None if value is None else _id(value, where)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def money(value: Any, where: str) -> tuple[Decimal, str]:
    """`{amount: 4650, divisor: 100, currency_code: "USD"}` → (Decimal("46.50"), "USD"), exactly."""
    bag = _object(value, where)
    amount, divisor, currency = bag.get("amount"), bag.get("divisor"), bag.get("currency_code")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ReceiptUnreadable(f"{where}: amount is not an integer")
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor <= 0:
        raise ReceiptUnreadable(f"{where}: divisor is not a positive integer")
    if not isinstance(currency, str) or not currency:
        raise ReceiptUnreadable(f"{where}: no currency_code")
    exponent = len(str(divisor)) - 1
    if divisor == 10**exponent:
        return Decimal(amount).scaleb(-exponent), currency
    return Decimal(amount) / Decimal(divisor), currency


def _optional_money(value: Any, where: str) -> Decimal | None:
    return None if value is None else money(value, where)[0]


def _time(value: Any, where: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReceiptUnreadable(f"{where}: not a unix time")
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


def _first(receipt: dict[str, Any], *names: str) -> Any:
    """The first of the field's names that is present (the spec spells some fields two ways)."""
    return next((receipt[name] for name in names if receipt.get(name) is not None), None)


def _address(receipt: dict[str, Any]) -> ShopAddress | None:
    if not any(receipt.get(k) for k in ("name", "first_line", "city", "zip", "country_iso")):
        return None
    name = _text(receipt.get("name")) or ""
    first, _, last = name.rpartition(" ")
    try:
        return ShopAddress(
            first_name=first or None,
            last_name=last or None,
            address1=_text(receipt.get("first_line")),
            address2=_text(receipt.get("second_line")),
            city=_text(receipt.get("city")),
            province=_text(receipt.get("state")),
            zip=_text(receipt.get("zip")),
            country_code=_text(receipt.get("country_iso")),
            email=_text(receipt.get("buyer_email")),
        )
    except ValidationError as error:
        raise ReceiptUnreadable(f"address: {error.errors()[0]['msg']}") from None


def _line(value: Any) -> ShopOrderLine:
    transaction = _object(value, "transactions[]")
    variations = [v for v in transaction.get("variations") or [] if isinstance(v, dict)]
    properties = tuple(
        ShopLineProperty(name=str(v["formatted_name"]), value=str(v.get("formatted_value") or ""))
        for v in variations
        if v.get("formatted_name") is not None
    )
    chosen = [p for p, v in zip(properties, variations, strict=False) if v.get("value_id")]
    try:
        return ShopOrderLine(
            external_id=_id(transaction.get("transaction_id"), "transactions[].transaction_id"),
            external_product_id=_optional_id(transaction.get("listing_id"), "transactions[].listing_id"),
            external_variant_id=_optional_id(transaction.get("product_id"), "transactions[].product_id"),
            sku=_text(transaction.get("sku")),
            title=_text(transaction.get("title")) or "",
            variant_title=" / ".join(p.value for p in chosen) or None,
            quantity=transaction.get("quantity"),
            unit_price=money(transaction.get("price"), "transactions[].price")[0],
            properties=properties,
        )
    except ValidationError as error:
        raise ReceiptUnreadable(f"transactions[]: {error.errors()[0]['msg']}") from None


def was_paid(receipt: dict[str, Any]) -> bool:
    if receipt.get("is_paid") is True or str(receipt.get("status") or "").strip().lower() in PAID_STATUSES:
        return True
    transactions = receipt.get("transactions") or []
    return any(isinstance(t, dict) and t.get("paid_timestamp") for t in transactions)


def _note(receipt: dict[str, Any]) -> str | None:
    parts = [_text(receipt.get("message_from_buyer"))]
    if receipt.get("is_gift") and _text(receipt.get("gift_message")):
        parts.append(f"Gift message: {_text(receipt.get('gift_message'))}")
    return "\n".join(p for p in parts if p) or None


def receipt_version(payload: Any) -> OrderVersion | None:
    """The order version of a receipt; None for one that is no order (never paid)."""
    receipt = _object(payload, "receipt")
    if not was_paid(receipt):
        return None
    status = str(receipt.get("status") or "").strip().lower()
    total, currency = money(receipt.get("grandtotal"), "grandtotal")
    updated = _time(_first(receipt, "updated_timestamp", "update_timestamp"), "updated_timestamp")
    cancelled = status in CANCELLED or status == REFUNDED
    fields: dict[str, Any] = {
        "external_id": _id(receipt.get("receipt_id"), "receipt_id"),
        "external_number": _id(receipt.get("receipt_id"), "receipt_id"),
        "currency": currency,
        "total_price": total,
        "subtotal_price": _optional_money(receipt.get("subtotal"), "subtotal"),
        "total_tax": _optional_money(receipt.get("total_tax_cost"), "total_tax_cost"),
        "shipping_price": _optional_money(receipt.get("total_shipping_cost"), "total_shipping_cost"),
        "email": _text(receipt.get("buyer_email")),
        "financial_status": status or "paid",
        "test": False,
        "note": _note(receipt),
        "placed_at": _time(_first(receipt, "created_timestamp", "create_timestamp"), "created_timestamp"),
        "source_updated_at": updated,
        "cancelled_at": updated if cancelled else None,
        "line_items": tuple(_line(t) for t in receipt.get("transactions") or []),
        "shipping_address": _address(receipt),
        "billing_address": None,
    }
    reason = ("refunded" if status == REFUNDED else "canceled") if cancelled else None
    return OrderVersion(fields=fields, cancelled=cancelled, cancel_reason=reason)
