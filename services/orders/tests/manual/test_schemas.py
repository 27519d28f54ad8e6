"""The rules of a manual order (shared by the API and the CSV import): each bad input is refused with an
error located on the field to fix, and a message saying how."""

import copy
import uuid
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from orders.manual.schemas import ManualOrderIn, errors_by_field, field_path
from printbridge_shared.testing import SHIPPING_ADDRESS


def valid_order() -> dict[str, Any]:
    return {
        "reference": "PO-42",
        "currency": "EUR",
        "email": "buyer@brand.example",
        "shipping_address": dict(SHIPPING_ADDRESS),
        "line_items": [
            {
                "product_uid": "flyer_a5_135gsm_4-4",
                "quantity": 500,
                "files": {"front": "https://files.brand.example/front.pdf"},
                "options": {"finish": "matte"},
                "unit_price": "0.12",
            }
        ],
    }


def with_change(path: str, value: Any) -> dict[str, Any]:
    """The valid order with the value at `path` (dots; list indexes as numbers) set, or removed when
    `value` is REMOVE."""
    order = copy.deepcopy(valid_order())
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    target: Any = order
    for part in parents:
        target = target[part]
    if value is REMOVE:
        del target[last]
    elif isinstance(target, list) and last == len(target):
        target.append(value)
    else:
        target[last] = value
    return order


REMOVE = object()
LINE = "line_items.0"


def test_a_complete_order_is_taken_as_given_with_codes_normalised():
    order = ManualOrderIn.model_validate(
        with_change("shipping_address.country_code", "de") | {"currency": "eur", "reference": " PO-42 "}
    )

    assert (order.reference, order.currency, order.shipping_address.country_code) == ("PO-42", "EUR", "DE")
    assert order.line_items[0].unit_price == Decimal("0.12")


@pytest.mark.parametrize(
    ("path", "value", "located", "says"),
    [
        ("currency", REMOVE, "currency", "Field required"),
        ("currency", "EURO", "currency", "ISO 4217"),
        ("currency", "EUO", "currency", "ISO 4217"),
        ("currency", "XAU", "currency", "ISO 4217"),
        ("reference", "   ", "reference", "must not be blank"),
        ("reference", "x" * 256, "reference", "at most 255"),
        ("email", "not-an-address", "email", "not a usable address"),
        ("note", "a\x00b", "note", "control characters"),
        ("shipping_address", REMOVE, "shipping_address", "Field required"),
        ("shipping_address.country_code", "XX", "shipping_address.country_code", "ISO 3166-1 alpha-2"),
        ("shipping_address.country_code", "UK", "shipping_address.country_code", "use GB"),
        ("shipping_address.zip", REMOVE, "shipping_address.zip", "required for an address in DE"),
        ("shipping_address.first_name", REMOVE, "shipping_address.company", "first_name or company"),
        ("shipping_address.last_name", REMOVE, "shipping_address.last_name", "Field required"),
        ("shipping_address.address1", " ", "shipping_address.address1", "must not be blank"),
        ("shipping_address.city", "c" * 101, "shipping_address.city", "at most 100"),
        ("shipping_address.phone", "+49\n30", "shipping_address.phone", "one line"),
        ("shipping_address.city", "a\x07b", "shipping_address.city", "control characters"),
        ("shipping_address.planet", "Mars", "shipping_address.planet", "Extra inputs"),
        ("billing_address", {"last_name": "X"}, "billing_address.address1", "Field required"),
        ("line_items", [], "line_items", "at least 1"),
        ("line_items", [valid_order()["line_items"][0]] * 501, "line_items", "at most 500"),
        (f"{LINE}.product_uid", "Flyer A5", "line_items[0].product_uid", "producer's product id"),
        (f"{LINE}.sku", "POSTER-A2", "line_items[0]", "exactly one of product_uid, sku or template_id"),
        (f"{LINE}.product_uid", REMOVE, "line_items[0]", "got none of them"),
        (f"{LINE}.template_id", "not-a-uuid", "line_items[0].template_id", "UUID"),
        (f"{LINE}.quantity", 0, "line_items[0].quantity", "greater than or equal to 1"),
        (f"{LINE}.quantity", 100_001, "line_items[0].quantity", "less than or equal to 100000"),
        (f"{LINE}.quantity", 1.5, "line_items[0].quantity", "integer"),
        (f"{LINE}.files.front", "ftp://files.brand.example/a.pdf", "line_items[0].files.front", "https://"),
        (f"{LINE}.files.front", "https://", "line_items[0].files.front", "https://"),
        (f"{LINE}.files.front", "https://f.example/" + "a" * 2000, "line_items[0].files.front", "2000"),
        (f"{LINE}.files.Front", "https://f.example/a.pdf", "line_items[0].files.Front", "print area"),
        (
            f"{LINE}.files",
            {f"a{n}": "https://f.example/a.pdf" for n in range(21)},
            "line_items[0].files",
            "20",
        ),
        (f"{LINE}.options", {f"o{n}": "x" for n in range(51)}, "line_items[0].options", "50"),
        (f"{LINE}.options.finish", "m" * 501, "line_items[0].options.finish", "500"),
        (f"{LINE}.unit_price", "-0.01", "line_items[0].unit_price", "greater than or equal to 0"),
        (f"{LINE}.unit_price", "1.2.3", "line_items[0].unit_price", "decimal"),
        (f"{LINE}.unit_price", "NaN", "line_items[0].unit_price", None),
        (f"{LINE}.title", "t" * 256, "line_items[0].title", "at most 255"),
        (
            "line_items.1",
            {"sku": "A", "quantity": 1, "files": {"back": "ftp://x"}},
            "line_items[1].files.back",
            None,
        ),
    ],
)
def test_each_bad_input_is_refused_naming_its_field(path, value, located, says):
    with pytest.raises(ValidationError) as refused:
        ManualOrderIn.model_validate(with_change(path, value))

    errors = errors_by_field(refused.value.errors())
    assert located in [where for where, _ in errors], errors
    if says is not None:
        assert any(says in message for where, message in errors if where == located), errors


@pytest.mark.parametrize("country", ["IE", "HK", "AE"])
def test_an_address_in_a_country_without_postcodes_may_leave_zip_out(country):
    order = with_change("shipping_address.zip", REMOVE)
    order["shipping_address"]["country_code"] = country

    assert ManualOrderIn.model_validate(order).shipping_address.zip is None


def test_a_company_may_stand_in_for_the_first_name():
    order = with_change("shipping_address.first_name", REMOVE)
    order["shipping_address"]["company"] = "Brand GmbH"

    assert ManualOrderIn.model_validate(order).shipping_address.company == "Brand GmbH"


def test_a_line_may_name_a_template_instead_of_a_product():
    template = uuid.uuid4()
    order = with_change(f"{LINE}.product_uid", REMOVE)
    order["line_items"][0]["template_id"] = str(template)

    assert ManualOrderIn.model_validate(order).line_items[0].template_id == template


def test_error_locations_read_like_the_fields_people_write():
    assert field_path(["line_items", 2, "files", "front"]) == "line_items[2].files.front"
    assert field_path(["line_items", 0, "files", "Front", "[key]"]) == "line_items[0].files.Front"
    assert field_path(["shipping_address", "zip"]) == "shipping_address.zip"


@pytest.mark.parametrize("country", ["DE", "GB", "US", "XK", "AX", "SS"])
def test_addresses_in_every_assigned_country_and_kosovo_are_taken(country):
    order = with_change("shipping_address.country_code", country.lower())

    assert ManualOrderIn.model_validate(order).shipping_address.country_code == country
