"""Orders as WooCommerce documents them, normalised to the shop order contract."""

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from connectors.platforms.woocommerce.normalise import NotAnOrder, deleted_version, order_version
from printbridge_shared.events.contracts import ShopLineProperty, ShopOrderReceived

# The example order of /work/shared/platforms (written from WooCommerce's documented field names).
DOCUMENTED_ORDER: dict[str, Any] = {
    "id": 7231,
    "parent_id": 0,
    "number": "7231",
    "order_key": "wc_order_Xk3pQ9aL2mZ1",
    "created_via": "checkout",
    "status": "processing",
    "currency": "EUR",
    "date_created_gmt": "2025-05-14T09:12:44",
    "date_modified_gmt": "2025-05-14T09:13:02",
    "date_paid_gmt": "2025-05-14T09:13:01",
    "total": "84.90",
    "total_tax": "13.56",
    "shipping_total": "4.90",
    "customer_id": 0,
    "customer_note": "Please print on matte paper",
    "payment_method": "stripe",
    "transaction_id": "pi_3PZ0example",
    "billing": {
        "first_name": "Anna",
        "last_name": "Schmidt",
        "company": "Schmidt Design",
        "address_1": "Hauptstr. 12",
        "address_2": "",
        "city": "Berlin",
        "state": "BE",
        "postcode": "10115",
        "country": "DE",
        "email": "anna@example.com",
        "phone": "+49301234567",
    },
    "shipping": {
        "first_name": "Anna",
        "last_name": "Schmidt",
        "company": "Schmidt Design",
        "address_1": "Hauptstr. 12",
        "address_2": "Hinterhaus",
        "city": "Berlin",
        "state": "BE",
        "postcode": "10115",
        "country": "DE",
    },
    "line_items": [
        {
            "id": 991,
            "name": "Business cards - 350g",
            "product_id": 120,
            "variation_id": 134,
            "quantity": 2,
            "sku": "BC-350-MATTE",
            "price": 40,
            "subtotal": "80.00",
            "total": "80.00",
            "meta_data": [
                {"id": 5501, "key": "pa_finish", "value": "matte"},
                {"id": 5502, "key": "_artwork_url", "value": "https://shop.example/uploads/art-991.pdf"},
            ],
        }
    ],
    "shipping_lines": [{"id": 992, "method_id": "flat_rate", "method_title": "DHL", "total": "4.90"}],
    "meta_data": [{"id": 5600, "key": "_wc_order_attribution_source_type", "value": "typein"}],
}


def test_the_documented_example_order_becomes_a_shop_order() -> None:
    version = order_version(DOCUMENTED_ORDER)
    fields = version.fields
    assert not version.cancelled
    assert fields["external_id"] == "7231" and fields["external_number"] == "7231"
    assert fields["currency"] == "EUR"
    assert fields["total_price"] == Decimal("84.90") and str(fields["total_price"]) == "84.90"
    assert fields["total_tax"] == Decimal("13.56") and fields["shipping_price"] == Decimal("4.90")
    assert fields["subtotal_price"] == Decimal("80.00")
    assert fields["email"] == "anna@example.com"
    assert fields["financial_status"] == "paid"
    assert fields["note"] == "Please print on matte paper"
    assert fields["placed_at"] == dt.datetime(2025, 5, 14, 9, 12, 44, tzinfo=dt.UTC)
    assert fields["source_updated_at"] == dt.datetime(2025, 5, 14, 9, 13, 2, tzinfo=dt.UTC)
    assert fields["cancelled_at"] is None
    (line,) = fields["line_items"]
    assert (line.external_id, line.external_product_id, line.external_variant_id) == ("991", "120", "134")
    assert (line.sku, line.title, line.quantity, line.unit_price) == (
        "BC-350-MATTE",
        "Business cards - 350g",
        2,
        Decimal("40.00"),
    )
    assert line.properties == (ShopLineProperty(name="pa_finish", value="matte"),)  # `_` meta is internal
    shipping = fields["shipping_address"]
    assert (shipping.address1, shipping.address2, shipping.zip, shipping.country_code) == (
        "Hauptstr. 12",
        "Hinterhaus",
        "10115",
        "DE",
    )
    assert shipping.province_code == "BE" and shipping.email is None
    assert fields["billing_address"].address2 is None  # "" is no value

    event = ShopOrderReceived(
        **fields,
        store_id="00000000-0000-0000-0000-000000000001",
        customer_id="00000000-0000-0000-0000-000000000002",
        platform="woocommerce",
    )
    assert event.model_dump(mode="json")["total_price"] == "84.90"


@pytest.mark.parametrize(
    ("status", "reason"),
    [("cancelled", "cancelled"), ("refunded", "refunded"), ("trash", "deleted in the shop")],
)
def test_cancelled_refunded_and_trashed_orders_are_cancellations(status: str, reason: str) -> None:
    order = {**DOCUMENTED_ORDER, "status": status, "date_modified_gmt": "2025-05-15T10:00:00"}
    version = order_version(order)
    assert version.cancelled and version.cancel_reason == reason
    assert version.fields["cancelled_at"] == dt.datetime(2025, 5, 15, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "status", ["pending", "on-hold", "completed", "failed", "checkout-draft", "x-custom"]
)
def test_other_statuses_are_not_cancellations(status: str) -> None:
    assert not order_version({**DOCUMENTED_ORDER, "status": status}).cancelled


def test_visible_meta_uses_woocommerces_display_names_and_non_text_values_become_json() -> None:
    order = copy.deepcopy(DOCUMENTED_ORDER)
    order["line_items"][0]["meta_data"] = [
        {"id": 1, "key": "pa_paper", "value": "350g", "display_key": "Paper", "display_value": "350 g matte"},
        {"id": 2, "key": "print_options", "value": {"sides": 2, "corners": "round"}},
        {"id": 3, "key": "_reduced_stock", "value": "2"},
    ]
    (line,) = order_version(order).fields["line_items"]
    assert line.properties == (
        ShopLineProperty(name="Paper", value="350 g matte"),
        ShopLineProperty(name="print_options", value='{"sides":2,"corners":"round"}'),
    )


def test_a_unit_price_that_does_not_divide_evenly_keeps_the_subtotals_precision() -> None:
    order = copy.deepcopy(DOCUMENTED_ORDER)
    order["line_items"][0] |= {"quantity": 3, "subtotal": "10.00", "variation_id": 0, "sku": ""}
    (line,) = order_version(order).fields["line_items"]
    assert line.unit_price == Decimal("3.33")
    assert line.external_variant_id is None and line.sku is None


def test_an_order_without_a_paid_date_is_pending_and_without_times_is_unreadable() -> None:
    unpaid = {**DOCUMENTED_ORDER, "date_paid_gmt": None, "status": "pending"}
    assert order_version(unpaid).fields["financial_status"] == "pending"
    for missing in ("date_modified_gmt", "currency", "total", "id"):
        with pytest.raises(NotAnOrder, match=missing if missing != "id" else "no id"):
            order_version({k: v for k, v in DOCUMENTED_ORDER.items() if k != missing})
    with pytest.raises(NotAnOrder, match="total"):
        order_version({**DOCUMENTED_ORDER, "total": "lots"})


def test_an_order_deleted_for_good_is_its_last_version_cancelled_at_the_deletion() -> None:
    deleted_at = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
    version = deleted_version(order_version(DOCUMENTED_ORDER), deleted_at)
    assert version.cancelled and version.cancel_reason == "deleted in the shop"
    assert version.source_updated_at == deleted_at and version.fields["cancelled_at"] == deleted_at
    assert version.fields["total_price"] == Decimal("84.90")
