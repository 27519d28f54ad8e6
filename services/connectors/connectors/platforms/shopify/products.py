"""Shop products from Shopify's GraphQL Admin API: the queries (products by `updated_at`, variants paged
per product) and their normalisation to `ProductVersion`.

A page's requested cost stays under Shopify's 1000-point query limit: 20 products with up to 20
variants each (a variant and its selected options cost 2) request 2 + 20 * (1 + 2 + 20 * 2) = 862
points; a product with more variants gets the rest paged, 100 at a time. Shopify charges what a page
really returned, so a shop of small products costs far less than it requested."""

from typing import Any

from connectors.platforms import drafts
from connectors.platforms.base import ProductVersion
from connectors.platforms.shopify.normalise import OrderUnreadable, gid_number, parse_money, parse_time
from printbridge_shared.events.contracts import ShopProductPublishRequested, ShopVariant

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


# Create & publish: the product made for a request has the handle `pb-<request id>` and carries the
# request id in a metafield. productSet upserts by that handle, so even a call whose answer was lost
# (and is sent again) leaves one product.
REQUEST_NAMESPACE, REQUEST_KEY = "printbridge", "request_id"
PRODUCT_BY_HANDLE_QUERY = f"""
query PrintbridgeProductByHandle($identifier: ProductIdentifierInput!) {{
  productByIdentifier(identifier: $identifier) {{ {PRODUCT_FIELDS} }}
}}
"""
PRODUCT_SET_MUTATION = f"""
mutation PrintbridgePublishProduct($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {{
  productSet(input: $input, identifier: $identifier, synchronous: true) {{
    product {{ {PRODUCT_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""


def product_set_input(draft: ShopProductPublishRequested, handle: str) -> dict[str, Any]:
    """The `ProductSetInput` for a draft (API 2026-10: a variant's `sku` and `price` are its own fields).
    A draft without options becomes Shopify's one "Title" / "Default Title" variant."""
    names = list(draft.options)
    if names:
        options = [
            {
                "name": name,
                "position": position,
                "values": [{"name": value} for value in drafts.option_values(draft, name)],
            }
            for position, name in enumerate(names, start=1)
        ]
    else:
        options = [{"name": DEFAULT_OPTION[0], "position": 1, "values": [{"name": DEFAULT_OPTION[1]}]}]
    variants = []
    for variant in draft.variants:
        chosen = [{"optionName": name, "name": variant.options.get(name, "")} for name in names]
        variants.append(
            {
                "optionValues": chosen or [{"optionName": DEFAULT_OPTION[0], "name": DEFAULT_OPTION[1]}],
                "sku": variant.sku,
                "price": str(variant.price),
            }
        )
    given: dict[str, Any] = {
        "title": draft.title,
        "handle": handle,
        "descriptionHtml": drafts.description_html(draft.description),
        "status": "ACTIVE",
        "productOptions": options,
        "variants": variants,
        "files": [{"originalSource": url, "contentType": "IMAGE"} for url in draft.image_urls],
        "metafields": [
            {
                "namespace": REQUEST_NAMESPACE,
                "key": REQUEST_KEY,
                "type": "single_line_text_field",
                "value": str(draft.request_id),
            }
        ],
    }
    if draft.product_type:
        given["productType"] = draft.product_type
    return given


def user_errors_text(errors: list[Any]) -> str:
    """Shopify's userErrors as one sentence each: `input.variants.0.price: Price must be …`."""
    parts = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        where = ".".join(str(part) for part in error.get("field") or [])
        message = str(error.get("message") or error.get("code") or "refused")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "Shopify refused the product."
