"""Shop products from Shopify's GraphQL Admin API: the queries (products by `updated_at`, variants paged
per product) and their normalisation to `ProductVersion`.

A page's requested cost stays under Shopify's 1000-point query limit: 20 products with up to 20
variants each (a variant and its selected options cost 2) request 2 + 20 * (1 + 2 + 20 * 2) = 862
points; a product with more variants gets the rest paged, 100 at a time. Shopify charges what a page
really returned, so a shop of small products costs far less than it requested."""

from typing import Any

from connectors.platforms.base import ProductVersion
from connectors.platforms.shopify.normalise import OrderUnreadable, gid_number, parse_money, parse_time
from printbridge_shared.events.contracts import ShopVariant

PRODUCTS_PAGE = 20
VARIANTS_PAGE = 20
MORE_VARIANTS_PAGE = 100
# Statuses in which the shop sells the product (UNLISTED: sold by direct link, hidden from search).
SELLING = frozenset({"ACTIVE", "UNLISTED"})
# What Shopify calls the one variant of a product without options.
DEFAULT_OPTION = ("Title", "Default Title")

VARIANT_FIELDS = "id title sku price selectedOptions { name value }"
PRODUCT_FIELDS = f"""
id title handle status productType updatedAt
variants(first: {VARIANTS_PAGE}) {{
  pageInfo {{ hasNextPage endCursor }}
  edges {{ node {{ {VARIANT_FIELDS} }} }}
}}
"""
PRODUCTS_QUERY = f"""
query PrintbridgeProducts($first: Int!, $after: String, $query: String) {{
  products(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {PRODUCT_FIELDS} }} }}
  }}
}}
"""
PRODUCT_QUERY = f"""
query PrintbridgeProduct($id: ID!) {{
  product(id: $id) {{ {PRODUCT_FIELDS} }}
}}
"""
PRODUCT_VARIANTS_QUERY = f"""
query PrintbridgeProductVariants($id: ID!, $after: String) {{
  product(id: $id) {{
    variants(first: {MORE_VARIANTS_PAGE}, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {VARIANT_FIELDS} }} }}
    }}
  }}
}}
"""


class ProductUnreadable(OrderUnreadable):
    """A product that is not as Shopify documents it (says which part)."""


def _variant(node: Any, product_title: str) -> ShopVariant:
    if not isinstance(node, dict):
        raise ProductUnreadable(f"variant: not an object: {node!r}")
    options = {
        str(option.get("name")): str(option.get("value"))
        for option in node.get("selectedOptions") or []
        if isinstance(option, dict) and (option.get("name"), option.get("value")) != DEFAULT_OPTION
    }
    title = node.get("title")
    if not isinstance(title, str) or not title or title == DEFAULT_OPTION[1]:
        title = product_title
    sku = node.get("sku")
    return ShopVariant(
        external_id=gid_number(node.get("id")),
        sku=sku if isinstance(sku, str) and sku else None,
        title=title,
        options=options,
        price=None if node.get("price") in (None, "") else parse_money(node.get("price"), "variant.price"),
    )


def from_graphql(node: Any, variants: list[Any]) -> ProductVersion:
    """A GraphQL `Product` (with every variant node) as a product version."""
    if not isinstance(node, dict):
        raise ProductUnreadable(f"product: not an object: {node!r}")
    title = node.get("title")
    if not isinstance(title, str):
        raise ProductUnreadable(f"product.title: not a text: {title!r}")
    status = str(node.get("status") or "")
    return ProductVersion(
        external_id=gid_number(node.get("id")),
        title=title,
        handle=node.get("handle") or None,
        product_type=node.get("productType") or None,
        active=status in SELLING,
        platform_status=status.lower(),
        variants=tuple(_variant(variant, title) for variant in variants),
        source_updated_at=parse_time(node.get("updatedAt"), "product.updatedAt"),
    )
