"""A Pressero product answer as a product version: names read case-insensitively, the printer's part
number before the public one, `IsActive` as a flag or its text, no price, unreadable without an id."""

import datetime as dt

import pytest

from connectors.platforms.pressero import products

READ_AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def test_a_product_is_one_variant_with_its_own_id_and_the_printers_part_number() -> None:
    version = products.product_version(
        {
            "ProductId": "5f1c0d9e-0000-4000-8000-00000000000a",
            "ProductName": " Business cards ",
            "UrlName": "business-cards",
            "PrintersPartNum": "BC-350",
            "PublicPartNum": "PUB-1",
            "IsActive": True,
        },
        READ_AT,
    )
    assert (version.external_id, version.title, version.handle) == (
        "5f1c0d9e-0000-4000-8000-00000000000a",
        "Business cards",
        "business-cards",
    )
    assert (version.active, version.platform_status, version.source_updated_at) == (True, "active", READ_AT)
    (variant,) = version.variants
    assert (variant.external_id, variant.sku, variant.title, variant.options, variant.price) == (
        version.external_id,
        "BC-350",
        "Business cards",
        {},
        None,
    )


def test_names_in_any_case_the_public_part_number_as_fallback_and_a_textual_flag() -> None:
    version = products.product_version(
        {
            "productid": "abc",
            "productname": "Flyer",
            "printerspartnum": "",
            "publicpartnum": "FLY",
            "isactive": "False",
        },
        READ_AT,
    )
    assert (version.variants[0].sku, version.active, version.platform_status, version.handle) == (
        "FLY",
        False,
        "inactive",
        None,
    )


@pytest.mark.parametrize("product", [{}, {"ProductName": "No id"}, {"ProductId": "  "}, ["not", "an object"]])
def test_a_product_without_an_id_is_unreadable(product: object) -> None:
    with pytest.raises(products.ProductUnreadable):
        products.product_version(product, READ_AT)


def test_deleted_reads_the_flag_in_any_case() -> None:
    assert products.deleted({"IsDeleted": True}) and products.deleted({"isdeleted": "true"})
    assert (
        not products.deleted({"IsDeleted": False}) and not products.deleted({}) and not products.deleted(None)
    )
