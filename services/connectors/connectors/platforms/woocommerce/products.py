"""Shop products from WooCommerce's REST API (`wc/v3/products`, a variable product's
`products/{id}/variations`) as `ProductVersion`s.

A simple product is its own one variant (its id, SKU and price); a variable product's variants are its
variations, each with its attribute values as options. WooCommerce does not move a product's
`date_modified` when only a variation changes: the `product.updated` webhook (which names the
variation's parent) and the daily full sync catch those."""

import datetime as dt
from typing import Any

from connectors.platforms.base import ProductVersion
from connectors.platforms.woocommerce.normalise import NotAnOrder, optional_money, parse_gmt
from printbridge_shared.events.contracts import ShopVariant

# The shop sells a product only when it is published; `draft`, `pending` and `private` are not for sale.
SELLING = "publish"
# What the products listing leaves out and what a product fetched on its own may still be: a product
# in the bin is gone for us.
GONE = "trash"


class ProductUnreadable(NotAnOrder):
    """A payload that is not a WooCommerce product we can read; the message says what."""


def _id(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ProductUnreadable(f"{name} is not an id: {value!r}")
    return str(value)


def _sku(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def variation_variant(variation: Any) -> tuple[ShopVariant, dt.datetime]:
    """A variation as a variant, with its own modification time."""
    if not isinstance(variation, dict):
        raise ProductUnreadable(f"a variation is not an object: {variation!r}")
    options = {
        str(attribute.get("name")): str(attribute.get("option"))
        for attribute in variation.get("attributes") or []
        if isinstance(attribute, dict) and attribute.get("name")
    }
    variant_id = _id(variation.get("id"), "variation id")
    variant = ShopVariant(
        external_id=variant_id,
        sku=_sku(variation.get("sku")),
        title=" / ".join(options.values()) or f"Variation {variant_id}",
        options=options,
        price=optional_money(variation.get("price"), "variation price"),
    )
    return variant, parse_gmt(variation.get("date_modified_gmt"), "variation date_modified_gmt")


def product_version(product: Any, variations: list[Any]) -> ProductVersion:
    """A product (with every variation of a variable product) as a product version; its time is the
    newest of the product's and its variations'."""
    if not isinstance(product, dict):
        raise ProductUnreadable(f"the product is not an object: {product!r}")
    product_id = _id(product.get("id"), "product id")
    title = str(product.get("name") or "")
    modified = parse_gmt(product.get("date_modified_gmt"), "product date_modified_gmt")
    status = str(product.get("status") or "")
    if product.get("type") == "variable":
        read = [variation_variant(variation) for variation in variations]
        variants = tuple(variant for variant, _ in read)
        modified = max([modified, *(when for _, when in read)])
    else:
        variants = (
            ShopVariant(
                external_id=product_id,
                sku=_sku(product.get("sku")),
                title=title,
                price=optional_money(product.get("price"), "product price"),
            ),
        )
    return ProductVersion(
        external_id=product_id,
        title=title,
        handle=product.get("slug") or None,
        product_type=str(product.get("type") or "") or None,
        active=status == SELLING,
        platform_status=status,
        variants=variants,
        source_updated_at=modified,
    )
