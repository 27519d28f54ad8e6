"""Shop products from WooCommerce's REST API (`wc/v3/products`, a variable product's
`products/{id}/variations`) as `ProductVersion`s.

A simple product is its own one variant (its id, SKU and price); a variable product's variants are its
variations, each with its attribute values as options. WooCommerce does not move a product's
`date_modified` when only a variation changes: the `product.updated` webhook (which names the
variation's parent) and the daily full sync catch those."""

import datetime as dt
from typing import Any

from connectors.platforms import drafts
from connectors.platforms.base import ProductVersion, PublishRefused
from connectors.platforms.woocommerce.normalise import NotAnOrder, optional_money, parse_gmt
from printbridge_shared.events.contracts import ShopProductPublishRequested, ShopVariant

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


# Create & publish: the product made for a request has the slug `pb-<request id>` (WooCommerce's REST API
# cannot filter products by meta, but by slug it can) and carries the request id in this meta key.
REQUEST_META = "_printbridge_request_id"
BATCH = 100  # WooCommerce takes at most 100 items per batch request


def product_body(draft: ShopProductPublishRequested, slug: str) -> dict[str, Any]:
    """The `POST products` body for a draft: a variable product with one attribute per option
    (`variation: true`) when the draft has options, else a simple product carrying its one variant's SKU
    and price. It starts as a draft and is published once its variations exist."""
    body: dict[str, Any] = {
        "name": draft.title,
        "slug": slug,
        "status": "draft",
        "description": drafts.description_html(draft.description),
        "images": [{"src": url} for url in draft.image_urls],
        "meta_data": [{"key": REQUEST_META, "value": str(draft.request_id)}],
    }
    if draft.options:
        body["type"] = "variable"
        body["attributes"] = [
            {
                "name": name,
                "position": position,
                "visible": True,
                "variation": True,
                "options": drafts.option_values(draft, name),
            }
            for position, name in enumerate(draft.options)
        ]
        return body
    if len(draft.variants) != 1:
        raise PublishRefused(
            "A product without options has exactly one variant in WooCommerce; the draft has "
            f"{len(draft.variants)}: name its options."
        )
    [variant] = draft.variants
    return body | {"type": "simple", "sku": variant.sku, "regular_price": str(variant.price)}


def variations_to_create(draft: ShopProductPublishRequested, existing: list[Any]) -> list[dict[str, Any]]:
    """The `create` items for the draft's variants the product does not have yet (by SKU): a product
    found half-made by an earlier attempt gets only what it lacks."""
    have = {str(v.get("sku")) for v in existing if isinstance(v, dict) and v.get("sku")}
    return [
        {
            "sku": variant.sku,
            "regular_price": str(variant.price),
            "attributes": [{"name": name, "option": variant.options[name]} for name in draft.options],
        }
        for variant in draft.variants
        if variant.sku not in have
    ]


def batch_refusals(answer: Any) -> list[str]:
    """WooCommerce's words for each item of a batch answer that failed."""
    items = answer.get("create") if isinstance(answer, dict) else None
    refusals = []
    for item in items or []:
        error = item.get("error") if isinstance(item, dict) else None
        if isinstance(error, dict):
            refusals.append(f"{error.get('message') or 'refused'} ({error.get('code') or 'error'})")
    return refusals
