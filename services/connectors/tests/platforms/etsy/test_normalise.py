"""Receipts → order versions: exact money, personalisation as line properties, paid/unpaid/cancelled."""

import datetime as dt
from decimal import Decimal

import pytest

from connectors.platforms.etsy.normalise import ReceiptUnreadable, money, receipt_version

from .conftest import DOCUMENTED_RECEIPT, receipt


def test_the_documented_receipt_becomes_an_order_with_exact_money_and_string_ids():
    version = receipt_version(DOCUMENTED_RECEIPT)
    assert version is not None and not version.cancelled
    fields = version.fields
    assert fields["external_id"] == "3456789012"
    assert (fields["currency"], fields["total_price"]) == ("USD", Decimal("46.50"))
    assert fields["subtotal_price"] == Decimal("42.00")
    assert fields["shipping_price"] == Decimal("4.50")
    assert fields["email"] == "buyer@example.com"
    assert fields["note"] == "Gift - no invoice please"
    assert fields["placed_at"] == dt.datetime.fromtimestamp(1747213964, dt.UTC)
    assert fields["source_updated_at"] == dt.datetime.fromtimestamp(1747214020, dt.UTC)
    address = fields["shipping_address"]
    assert (address.first_name, address.last_name) == ("Jamie", "Lee")
    assert (address.address1, address.address2, address.city) == ("221 Baker Street", "Apt 4", "Portland")
    assert (address.province, address.zip, address.country_code) == ("OR", "97205", "US")


def test_variations_become_line_properties_and_the_chosen_options_the_variant_title():
    (line,) = receipt_version(DOCUMENTED_RECEIPT).fields["line_items"]
    assert (line.external_id, line.external_product_id, line.external_variant_id) == (
        "4011223344",
        "1500112233",
        "9988776655",
    )
    assert (line.sku, line.quantity, line.unit_price) == ("POSTER-A3-MATTE", 2, Decimal("21.00"))
    assert [(p.name, p.value) for p in line.properties] == [
        ("Size", "A3"),
        ("Personalization", "Portland 2025"),
    ]
    assert line.variant_title == "A3"


@pytest.mark.parametrize(
    ("bag", "expected"),
    [
        ({"amount": 4650, "divisor": 100, "currency_code": "USD"}, Decimal("46.50")),
        ({"amount": 1999, "divisor": 1000, "currency_code": "BHD"}, Decimal("1.999")),
        ({"amount": 500, "divisor": 1, "currency_code": "JPY"}, Decimal("500")),
        ({"amount": 10, "divisor": 3, "currency_code": "XXX"}, Decimal(10) / Decimal(3)),
    ],
)
def test_money_is_amount_over_divisor_as_an_exact_decimal(bag, expected):
    value, _currency = money(bag, "grandtotal")
    assert isinstance(value, Decimal) and value == expected


def test_a_float_amount_or_a_zero_divisor_is_unreadable():
    with pytest.raises(ReceiptUnreadable, match="amount"):
        money({"amount": 46.5, "divisor": 100, "currency_code": "USD"}, "grandtotal")
    with pytest.raises(ReceiptUnreadable, match="divisor"):
        money({"amount": 4650, "divisor": 0, "currency_code": "USD"}, "grandtotal")


def test_an_unpaid_receipt_is_no_order_yet():
    unpaid = receipt(status="payment processing", is_paid=False)
    unpaid["transactions"][0]["paid_timestamp"] = None
    assert receipt_version(unpaid) is None


def test_a_receipt_cancelled_after_it_was_paid_is_a_cancellation():
    version = receipt_version(receipt(status="Canceled", updated=1747300000))
    assert version is not None and version.cancelled
    assert version.cancel_reason == "canceled"
    assert version.fields["cancelled_at"] == dt.datetime.fromtimestamp(1747300000, dt.UTC)


def test_a_receipt_cancelled_before_it_was_paid_is_nothing():
    never_paid = receipt(status="Canceled", is_paid=False)
    never_paid["transactions"][0]["paid_timestamp"] = None
    assert receipt_version(never_paid) is None


def test_a_receipt_without_an_id_is_unreadable():
    with pytest.raises(ReceiptUnreadable, match="receipt_id"):
        receipt_version(receipt(receipt_id=None))


def test_a_receipt_refunded_in_full_is_a_cancellation_and_one_refunded_in_part_an_order():
    refunded = receipt_version(receipt(status="Fully Refunded"))
    assert refunded is not None and refunded.cancelled and refunded.cancel_reason == "refunded"
    partly = receipt_version(receipt(status="Partially Refunded"))
    assert partly is not None and not partly.cancelled


def test_a_paid_status_counts_as_paid_where_is_paid_is_missing():
    bare = receipt(status="Completed")
    del bare["is_paid"]
    bare["transactions"][0]["paid_timestamp"] = None
    version = receipt_version(bare)
    assert version is not None and version.fields["financial_status"] == "completed"
