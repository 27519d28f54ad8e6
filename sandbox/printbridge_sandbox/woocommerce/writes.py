"""Creating products through `wc/v3` as WooCommerce does: `POST products` (simple or variable, with
attributes, images and meta_data), `POST products/<id>/variations` and `POST products/<id>/variations/batch`.

WooCommerce's own checks and words: a SKU used by another product or variation is `product_invalid_sku`
("Invalid or duplicated SKU.", 400); a body with an `id` is `woocommerce_rest_product_exists`; a batch of
more than 100 items is `woocommerce_rest_request_entity_too_large` (413); a batch answers each item on its
own (an item that failed carries `error` {code, message, data.status}, id 0). A slug in use gets WordPress's
`-2`, `-3` … suffix. A created product fires `product.created`; variations added to a product fire
`product.updated` for it. `PUT products/<id>` changes the plain fields (name, status, description, sku,
regular_price); `DELETE products/<id>` moves the product to the bin, or with `force=true` deletes it and
its variations. (A key without write permission never gets here: `auth.key_permission_error`.)"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response

from printbridge_sandbox.woocommerce.shapes import product_json, rest_url, variation_json
from printbridge_sandbox.woocommerce.state import Meta, Product, Site, Variation, now
from printbridge_sandbox.woocommerce.wire import WPError, json_response

PRODUCT_TYPES = ("simple", "grouped", "external", "variable")
PRODUCT_STATUSES = ("draft", "pending", "private", "publish")
MAX_BATCH = 100
SKU_ERROR = ("product_invalid_sku", "Invalid or duplicated SKU.")


def _slug_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"


def unique_slug(site: Site, wanted: str) -> str:
    """WordPress's wp_unique_post_slug(): the slug, or with `-2`, `-3` … when another product has it."""
    taken = {product.slug for product in site.products.values()}
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def sku_taken(site: Site, sku: str) -> bool:
    """wc_product_has_unique_sku(): every product and variation of the site counts."""
    for product in site.products.values():
        if product.sku == sku or any(v.sku == sku for v in product.variations):
            return True
    return False


def _money(value: Any, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise WPError(
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            400,
            params={name: f"{name} is not of type string."},
        ) from None
    return amount


def _invalid(name: str, message: str) -> WPError:
    return WPError("rest_invalid_param", f"Invalid parameter(s): {name}", 400, params={name: message})


def _metas(site: Site, given: Any) -> list[Meta]:
    if given is None:
        return []
    if not isinstance(given, list) or not all(isinstance(m, dict) and m.get("key") for m in given):
        raise _invalid("meta_data", "meta_data[0][key] is a required property of meta_data[0].")
    return [Meta(site.next_meta_id(), str(m["key"]), m.get("value"), None, None) for m in given]


def _attributes(given: Any) -> list[dict[str, Any]]:
    if given is None:
        return []
    if not isinstance(given, list):
        raise _invalid("attributes", "attributes is not of type array.")
    attributes = []
    for attribute in given:
        if not isinstance(attribute, dict) or not attribute.get("name"):
            continue  # WooCommerce skips an attribute without a name
        options = attribute.get("options") or []
        if isinstance(options, str):
            options = [part.strip() for part in options.split("|") if part.strip()]
        attributes.append(
            {
                "name": str(attribute["name"]),
                "options": [str(o) for o in options],
                "variation": bool(attribute.get("variation")),
            }
        )
    return attributes


def create_product(site: Site, body: dict[str, Any]) -> Product:
    """The product a `POST products` body makes (raises WPError as WooCommerce answers)."""
    if body.get("id"):
        raise WPError("woocommerce_rest_product_exists", "Cannot create existing product.", 400)
    kind = body.get("type") or "simple"
    if kind not in PRODUCT_TYPES:
        raise _invalid("type", f"type is not one of {', '.join(PRODUCT_TYPES)}.")
    status = body.get("status") or "publish"
    if status not in PRODUCT_STATUSES:
        raise _invalid("status", f"status is not one of {', '.join(PRODUCT_STATUSES)}.")
    sku = str(body.get("sku") or "")
    if sku and sku_taken(site, sku):
        raise WPError(*SKU_ERROR, 400, resource_id=0)
    images = body.get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, dict) and i.get("src") for i in images):
        raise _invalid("images", "images[0][src] must be a URL.")
    for image in images:
        if not str(image["src"]).startswith(("http://", "https://")):
            raise WPError(
                "woocommerce_product_image_upload_error", f"Error getting remote image {image['src']}.", 400
            )
    name = str(body.get("name") or "")
    moment = now()
    product = Product(
        id=site.next_post_id(),
        name=name,
        slug=unique_slug(site, str(body.get("slug") or _slug_of(name))),
        type=kind,
        status=status,
        sku=sku,
        regular_price=_money(body.get("regular_price"), "regular_price") if kind != "variable" else None,
        created_at=moment,
        modified_at=moment,
        attributes=_attributes(body.get("attributes")),
        variations=[],
        meta_data=_metas(site, body.get("meta_data")),
        description=str(body.get("description") or ""),
        images=[str(image["src"]) for image in images],
    )
    site.products[product.id] = product
    return product


def create_variation(site: Site, product: Product, body: dict[str, Any]) -> Variation:
    """A variation of `product` from a `POST …/variations` body (raises WPError as WooCommerce answers)."""
    if body.get("id"):
        raise WPError(
            "woocommerce_rest_product_variation_exists", "Cannot create existing product_variation.", 400
        )
    sku = str(body.get("sku") or "")
    if sku and sku_taken(site, sku):
        raise WPError(*SKU_ERROR, 400, resource_id=0)
    attributes = []
    for attribute in body.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("name") and attribute.get("option") is not None:
            attributes.append({"name": str(attribute["name"]), "option": str(attribute["option"])})
    moment = now()
    variation = Variation(
        id=site.next_post_id(),
        sku=sku,
        regular_price=_money(body.get("regular_price"), "regular_price"),
        attributes=attributes,
        created_at=moment,
        modified_at=moment,
        status=str(body.get("status") or "publish"),
        meta_data=_metas(site, body.get("meta_data")),
    )
    product.variations.append(variation)
    product.modified_at = moment
    return variation


def item_error(error: WPError) -> dict[str, Any]:
    """One failed item of a batch, as WooCommerce answers it."""
    return {
        "id": 0,
        "error": {"code": error.code, "message": error.message, "data": {"status": error.status}},
    }


def batch_variations(site: Site, product: Product, body: dict[str, Any]) -> dict[str, Any]:
    """`POST …/variations/batch`: `create` items made one by one (updates and deletes are not simulated)."""
    create = body.get("create") or []
    if not isinstance(create, list):
        raise _invalid("create", "create is not of type array.")
    if len(create) + len(body.get("update") or []) + len(body.get("delete") or []) > MAX_BATCH:
        raise WPError(
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {MAX_BATCH} items for this request.",
            413,
        )
    if body.get("update") or body.get("delete"):
        raise WPError("rest_invalid_param", "The sandbox's variations batch creates only.", 400)
    created = []
    for item in create:
        try:
            created.append(
                variation_json(
                    site, product, create_variation(site, product, item if isinstance(item, dict) else {})
                )
            )
        except WPError as error:
            created.append(item_error(error))
    return {"create": created}


def created(site: Site, product: Product) -> Response:
    return json_response(
        product_json(site, product), 201, {"Location": rest_url(site, f"wc/v3/products/{product.id}")}
    )


def update_product(site: Site, product: Product, body: dict[str, Any]) -> Product:
    """The plain fields of a `PUT products/<id>` body applied (raises WPError as WooCommerce answers)."""
    status = body.get("status")
    if status is not None and status not in PRODUCT_STATUSES:
        raise _invalid("status", f"status is not one of {', '.join(PRODUCT_STATUSES)}.")
    sku = body.get("sku")
    if sku and sku != product.sku and sku_taken(site, str(sku)):
        raise WPError(*SKU_ERROR, 400, resource_id=product.id)
    if body.get("name") is not None:
        product.name = str(body["name"])
    if status is not None:
        product.status = status
    if body.get("description") is not None:
        product.description = str(body["description"])
    if sku is not None:
        product.sku = str(sku)
    if "regular_price" in body and product.type != "variable":
        product.regular_price = _money(body.get("regular_price"), "regular_price")
    product.modified_at = now()
    return product
