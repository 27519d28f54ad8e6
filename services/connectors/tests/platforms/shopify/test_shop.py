import pytest

from connectors.platforms.shopify.shop import InvalidShop, normalise_shop


@pytest.mark.parametrize(
    "given",
    [
        "acme",
        "ACME",
        " acme.myshopify.com ",
        "acme.myshopify.com",
        "https://acme.myshopify.com",
        "https://acme.myshopify.com/admin",
        "https://acme.myshopify.com/admin/orders/",
        "http://acme.myshopify.com/",
        "https://admin.shopify.com/store/acme",
        "https://admin.shopify.com/store/acme/orders/123",
        "admin.shopify.com/store/Acme",
    ],
)
def test_every_documented_form_of_a_shop_becomes_its_myshopify_hostname(given):
    assert normalise_shop(given) == "acme.myshopify.com"


def test_a_handle_with_digits_and_hyphens_is_kept():
    assert normalise_shop("print-shop-42") == "print-shop-42.myshopify.com"


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "-acme",
        "acme_shop",
        "acme.example.com",
        "acme.myshopify.com.evil.example",
        "evil.example/acme.myshopify.com",
        "https://admin.shopify.com/",
        "https://admin.shopify.com/stores/acme",
        "https://admin.shopify.com/store/",
        "ftp://acme.myshopify.com",
        "https://user:pw@acme.myshopify.com",
        "https://acme.myshopify.com:8443",
        "https://acme.myshopify.com/admin?redirect=https://evil.example",
        "acme shop",
        "https://[::1]",
    ],
)
def test_anything_else_is_refused_naming_the_shop_field_with_the_fix(given):
    with pytest.raises(InvalidShop) as refused:
        normalise_shop(given)
    assert refused.value.status == 422
    assert refused.value.extra["errors"][0]["loc"] == ["body", "shop"]
    assert "acme.myshopify.com" in refused.value.detail
