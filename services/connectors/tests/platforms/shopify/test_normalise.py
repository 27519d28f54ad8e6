import datetime as dt
import json
from decimal import Decimal

import pytest

from connectors.platforms.shopify.normalise import OrderUnreadable, from_graphql, from_rest, parse_json


def graphql_order() -> tuple[dict, list[dict]]:
    """The §A4 order as the GraphQL Admin API gives it (the documented field names)."""
    money = lambda amount: {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}  # noqa: E731
    node = {
        "id": "gid://shopify/Order/5912345678901234567",
        "name": "#1042",
        "email": "anna@example.com",
        "createdAt": "2025-10-14T07:12:44Z",
        "processedAt": "2025-10-14T07:12:44Z",
        "updatedAt": "2025-10-14T07:12:46Z",
        "cancelledAt": None,
        "cancelReason": None,
        "currencyCode": "EUR",
        "test": False,
        "note": "Bitte matt laminieren",
        "displayFinancialStatus": "PAID",
        "totalPriceSet": money("64.9"),
        "subtotalPriceSet": money("59.9"),
        "totalTaxSet": money("10.36"),
        "totalShippingPriceSet": money("5.0"),
        "shippingAddress": {
            "firstName": "Anna",
            "lastName": "Muster",
            "company": None,
            "address1": "Hauptstraße 5",
            "address2": "2. OG",
            "city": "Berlin",
            "province": None,
            "provinceCode": None,
            "zip": "10115",
            "country": "Germany",
            "countryCodeV2": "DE",
            "phone": "+49301234567",
        },
        "billingAddress": None,
    }
    lines = [
        {
            "id": "gid://shopify/LineItem/14123456789012345678",
            "sku": "POSTER-A2-MATT",
            "title": "Poster",
            "variantTitle": "A2 / Matt",
            "quantity": 2,
            "originalUnitPriceSet": money("24.95"),
            "variant": {"id": "gid://shopify/ProductVariant/45123456789012"},
            "product": {"id": "gid://shopify/Product/8123456789012"},
            "customAttributes": [
                {"key": "_artwork_url", "value": "https://cdn.example.com/u/abc123.pdf"},
                {"key": "Personalisation", "value": "Für Oma"},
            ],
        }
    ]
    return node, lines


def test_the_documented_webhook_order_keeps_its_64_bit_ids_exact_and_money_as_decimals(rest_order):
    body = json.dumps(rest_order(), ensure_ascii=False).encode()
    version = from_rest(parse_json(body))
    fields = version.fields
    assert version.external_id == "5912345678901234567"
    assert fields["external_number"] == "#1042"
    assert fields["total_price"] == Decimal("64.90") and isinstance(fields["total_price"], Decimal)
    assert fields["subtotal_price"] == Decimal("59.90")
    assert fields["total_tax"] == Decimal("10.36")
    assert fields["shipping_price"] == Decimal("5.00")
    assert fields["financial_status"] == "paid"
    assert fields["source_updated_at"] == dt.datetime(2025, 10, 14, 7, 12, 46, tzinfo=dt.UTC)
    assert fields["placed_at"] == dt.datetime(2025, 10, 14, 7, 12, 44, tzinfo=dt.UTC)
    (line,) = fields["line_items"]
    assert line.external_id == "14123456789012345678"  # above 2^63: a float would have rounded it
    assert (line.external_product_id, line.external_variant_id) == ("8123456789012", "45123456789012")
    assert line.unit_price == Decimal("24.95") and line.quantity == 2
    assert [(p.name, p.value) for p in line.properties] == [
        ("_artwork_url", "https://cdn.example.com/u/abc123.pdf"),
        ("Personalisation", "Für Oma"),
    ]
    assert fields["shipping_address"].country_code == "DE"
    assert fields["shipping_address"].address1 == "Hauptstraße 5"
    assert fields["billing_address"] is None
    assert not version.cancelled


def test_a_cancelled_order_is_a_cancellation_with_its_reason(rest_order):
    version = from_rest(rest_order(cancelled_at="2025-10-15T10:00:00+02:00", cancel_reason="customer"))
    assert version.cancelled
    assert version.cancel_reason == "customer"
    assert version.fields["cancelled_at"] == dt.datetime(2025, 10, 15, 8, tzinfo=dt.UTC)


def test_a_poll_and_a_webhook_of_the_same_version_agree(rest_order):
    webhook = from_rest(parse_json(json.dumps(rest_order()).encode()))
    poll = from_graphql(*graphql_order())
    assert poll.fields == webhook.fields
    assert poll.external_id == webhook.external_id


def test_graphql_enums_become_the_rest_words():
    node, lines = graphql_order()
    node.update(
        cancelledAt="2025-10-15T08:00:00Z", cancelReason="FRAUD", displayFinancialStatus="PARTIALLY_REFUNDED"
    )
    version = from_graphql(node, lines)
    assert version.cancelled and version.cancel_reason == "fraud"
    assert version.fields["financial_status"] == "partially_refunded"


def test_prices_sent_as_json_numbers_do_not_pass_through_floats(rest_order):
    body = json.dumps(rest_order()).replace('"64.90"', "64.90").encode()
    assert from_rest(parse_json(body)).fields["total_price"] == Decimal("64.90")


@pytest.mark.parametrize(
    "change",
    [
        {"id": None},
        {"id": 1.5},
        {"currency": None},
        {"total_price": "lots"},
        {"updated_at": "yesterday"},
        {"updated_at": "2025-10-14T09:12:46"},
        {"line_items": [{"id": 1, "title": "x", "quantity": "two", "price": "1.00"}]},
        {"line_items": ["not an object"]},
    ],
)
def test_a_payload_that_is_not_a_documented_order_says_what_is_wrong(rest_order, change):
    with pytest.raises(OrderUnreadable):
        from_rest(rest_order(**change))


def test_a_body_that_is_not_json_is_unreadable():
    with pytest.raises(OrderUnreadable):
        parse_json(b"{not json")
