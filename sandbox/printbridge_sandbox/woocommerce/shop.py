"""What happens in a shop — orders placed and changed, products edited, keys issued — and the webhook
events each change fires, shared by the control API and the REST API."""

import re
import secrets
import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from printbridge_sandbox.woocommerce import schemas
from printbridge_sandbox.woocommerce.deliveries import Deliverer
from printbridge_sandbox.woocommerce.shapes import order_json, product_json
from printbridge_sandbox.woocommerce.state import (
    ApiKey,
    LineItem,
    Meta,
    Order,
    OrderNote,
    Product,
    Sandbox,
    ShippingLine,
    Site,
    Variation,
    now,
)
from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors

# wc_get_order_statuses(): the names WooCommerce shows (and writes into status change notes).
STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
}
# A note's `author` in the REST API: "system" for WooCommerce's own, else the user's display name.
SYSTEM_AUTHOR = "system"
ADMIN_AUTHOR = "admin"
ADDRESS_FIELDS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode")


def _utc(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def create_site(sandbox: Sandbox, spec: schemas.SiteCreate, *, default_base_url: str) -> Site:
    slug = spec.slug or "shop-" + secrets.token_hex(4)
    if slug in sandbox.sites:
        raise Conflict(f"a site {slug!r} exists already", errors=field_errors("body", "slug", msg="taken"))
    home_url = (
        str(spec.home_url).rstrip("/") if spec.home_url else f"{default_base_url.rstrip('/')}/sites/{slug}"
    )
    site = Site(
        slug=slug,
        scheme=spec.scheme,
        woocommerce=spec.woocommerce,
        home_url=home_url,
        timezone=ZoneInfo(spec.timezone),
        currency=spec.currency,
        name=spec.name,
        allow_http_callback=spec.allow_http_callback,
        pretty_permalinks=spec.pretty_permalinks,
    )
    sandbox.sites[slug] = site
    return site


def create_key(site: Site, spec: schemas.KeyCreate) -> ApiKey:
    key = ApiKey(
        key_id=site.next_key_id(),
        consumer_key="ck_" + secrets.token_hex(20),
        consumer_secret="cs_" + secrets.token_hex(20),
        permissions=spec.permissions,
        description=spec.description,
        created_at=now(),
    )
    site.keys[key.key_id] = key
    return key


def update_key(site: Site, key_id: int, spec: schemas.KeyUpdate) -> ApiKey:
    key = site.keys.get(key_id)
    if key is None:
        raise NotFound(f"site {site.slug} has no key {key_id}")
    if spec.permissions is not None:
        key.permissions = spec.permissions
    if spec.description is not None:
        key.description = spec.description
    return key


def revoke_key(site: Site, key_id: int) -> None:
    if site.keys.pop(key_id, None) is None:
        raise NotFound(f"site {site.slug} has no key {key_id}")


# -- orders ------------------------------------------------------------------------------------------


def _metas(site: Site, metas: list[schemas.MetaIn]) -> list[Meta]:
    return [Meta(site.next_meta_id(), m.key, m.value, m.display_key, m.display_value) for m in metas]


def _set_metas(site: Site, current: list[Meta], changes: list[schemas.MetaIn]) -> None:
    for change in changes:
        existing = next((meta for meta in current if meta.key == change.key), None)
        if existing is None:
            current.extend(_metas(site, [change]))
        else:
            existing.value = change.value
            existing.display_key, existing.display_value = change.display_key, change.display_value


def _address(address: schemas.Address, *, billing: bool) -> dict[str, str]:
    fields = {name: getattr(address, name) for name in ADDRESS_FIELDS}
    fields["country"] = address.country
    if billing:
        fields["email"] = address.email or ""
        fields["phone"] = address.phone or ""
    elif address.phone is not None:
        fields["phone"] = address.phone  # WooCommerce 5.6+ has a shipping phone
    return fields


def _line_item(site: Site, spec: schemas.LineItemIn, index: int) -> LineItem:
    where = ("body", "line_items", str(index))
    product: Product | None = None
    variation: Variation | None = None
    if spec.variation_id is not None:
        found = site.variation(spec.variation_id)
        if found is None:
            raise InvalidInput(
                f"site {site.slug} has no variation {spec.variation_id}",
                errors=field_errors(*where, "variation_id", msg="no such variation"),
            )
        product, variation = found
    elif spec.product_id is not None:
        product = site.products.get(spec.product_id)
        if product is None:
            raise InvalidInput(
                f"site {site.slug} has no product {spec.product_id}",
                errors=field_errors(*where, "product_id", msg="no such product"),
            )
    elif spec.sku:
        product, variation = _by_sku(site, spec.sku)
    sku = (
        spec.sku if spec.sku is not None else (variation.sku if variation else product.sku if product else "")
    )
    catalogue_price = (variation.regular_price if variation else None) or (
        product.regular_price if product else None
    )
    price = spec.price if spec.price is not None else catalogue_price
    if price is None:
        raise InvalidInput(
            "a line item needs a price (its product has none)",
            errors=field_errors(*where, "price", msg="required when the product has no price"),
        )
    name = spec.name
    if name is None and product is not None:
        options = ", ".join(attribute["option"] for attribute in variation.attributes) if variation else ""
        name = f"{product.name} - {options}" if options else product.name
    if name is None:
        raise InvalidInput(
            "a line item without a product needs a name",
            errors=field_errors(*where, "name", msg="required without product_id/variation_id"),
        )
    return LineItem(
        id=site.next_item_id(),
        name=name,
        product_id=product.id if product else 0,
        variation_id=variation.id if variation else 0,
        quantity=spec.quantity,
        sku=sku,
        price=price,
        total_tax=spec.total_tax,
        meta_data=_metas(site, spec.meta_data),
        parent_name=product.name if variation and product else None,
    )


def _by_sku(site: Site, sku: str) -> tuple[Product | None, Variation | None]:
    for product in site.products.values():
        for variation in product.variations:
            if variation.sku == sku:
                return product, variation
        if product.sku == sku:
            return product, None
    return None, None


def _order_key() -> str:
    return "wc_order_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(13))


def place_order(site: Site, spec: schemas.OrderCreate, deliverer: Deliverer) -> Order:
    created = _utc(spec.date_created_gmt) if spec.date_created_gmt else now()
    paid = spec.status in ("processing", "completed")
    order = Order(
        id=site.next_post_id(),
        status=spec.status,
        currency=spec.currency or site.currency,
        order_key=_order_key(),
        created_at=created,
        modified_at=created,
        billing=_address(spec.billing, billing=True),
        shipping=_address(spec.shipping, billing=False),
        line_items=[_line_item(site, item, index) for index, item in enumerate(spec.line_items)],
        shipping_lines=[
            ShippingLine(site.next_item_id(), line.method_id, line.method_title, line.total)
            for line in spec.shipping_lines
        ],
        meta_data=_metas(site, spec.meta_data),
        customer_id=spec.customer_id,
        customer_note=spec.customer_note,
        payment_method=spec.payment_method,
        payment_method_title=spec.payment_method_title,
        transaction_id=spec.transaction_id,
        created_via=spec.created_via,
        paid_at=created if paid else None,
        completed_at=created if spec.status == "completed" else None,
    )
    site.orders[order.id] = order
    # WooCommerce skips drafts: a checkout draft is invisible to webhooks until it becomes an order.
    if order.status != "checkout-draft":
        deliverer.emit(site, "order.created", order_json(site, order))
    return order


def get_order(site: Site, order_id: int) -> Order:
    order = site.orders.get(order_id)
    if order is None:
        raise NotFound(f"site {site.slug} has no order {order_id}")
    return order


def set_order_status(site: Site, order: Order, status: str, moment: datetime, *, by_user: bool) -> None:
    """WC_Order::set_status() and its status transition: a change from one status to another adds the
    note "Order status changed from X to Y." (WooCommerce's wording and status names), the system's when
    the change came through the REST API, the merchant's when made in the admin (`by_user`)."""
    previous = order.status
    order.status = status
    if previous != status and {previous, status}.isdisjoint({"trash"}):
        order.notes.append(
            OrderNote(
                id=site.next_note_id(),
                note=f"Order status changed from {STATUS_NAMES[previous]} to {STATUS_NAMES[status]}.",
                customer_note=False,
                author=ADMIN_AUTHOR if by_user else SYSTEM_AUTHOR,
                created_at=moment,
            )
        )
    if status in ("processing", "completed") and order.paid_at is None:
        order.paid_at = moment
    if status == "completed" and order.completed_at is None:
        order.completed_at = moment


def order_changed(site: Site, order: Order, previous_status: str, deliverer: Deliverer) -> None:
    """Fires what WooCommerce fires for a saved change: trashing is `order.deleted`, untrashing
    `order.restored`, a draft becoming an order `order.created`, anything else `order.updated`."""
    if order.status == "trash":
        if previous_status != "trash":
            deliverer.emit(site, "order.deleted", {"id": order.id})
        return
    if previous_status == "trash":
        deliverer.emit(site, "order.restored", order_json(site, order))
    elif previous_status == "checkout-draft" and order.status != "checkout-draft":
        deliverer.emit(site, "order.created", order_json(site, order))
    elif order.status != "checkout-draft":
        deliverer.emit(site, "order.updated", order_json(site, order))


def update_order(site: Site, order_id: int, spec: schemas.OrderUpdate, deliverer: Deliverer) -> Order:
    order = get_order(site, order_id)
    previous_status = order.status
    moment = _utc(spec.date_modified_gmt) if spec.date_modified_gmt else now()
    if spec.status is not None:
        set_order_status(site, order, spec.status, moment, by_user=True)
    if spec.billing is not None:
        order.billing = _address(spec.billing, billing=True)
    if spec.shipping is not None:
        order.shipping = _address(spec.shipping, billing=False)
    if spec.line_items is not None:
        order.line_items = [_line_item(site, item, index) for index, item in enumerate(spec.line_items)]
    if spec.meta_data is not None:
        _set_metas(site, order.meta_data, spec.meta_data)
    if spec.customer_note is not None:
        order.customer_note = spec.customer_note
    if spec.transaction_id is not None:
        order.transaction_id = spec.transaction_id
    order.modified_at = moment
    order_changed(site, order, previous_status, deliverer)
    return order


def delete_order(site: Site, order_id: int, *, force: bool, deliverer: Deliverer) -> Order:
    """Trash (default) or delete for good; both fire `order.deleted` with `{"id": N}` once."""
    order = get_order(site, order_id)
    previous_status = order.status
    if force:
        del site.orders[order_id]
        if previous_status != "trash":
            deliverer.emit(site, "order.deleted", {"id": order.id})
        return order
    order.status = "trash"
    order.modified_at = now()
    order_changed(site, order, previous_status, deliverer)
    return order


# -- products ----------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"


def _variation(site: Site, spec: schemas.VariationIn, moment: datetime) -> Variation:
    return Variation(
        id=site.next_post_id(),
        sku=spec.sku,
        regular_price=spec.regular_price,
        attributes=[{"name": a.name, "option": a.option} for a in spec.attributes],
        created_at=moment,
        modified_at=moment,
        meta_data=_metas(site, spec.meta_data),
    )


def create_product(site: Site, spec: schemas.ProductCreate, deliverer: Deliverer) -> Product:
    if spec.variations and spec.type != "variable":
        raise InvalidInput(
            "only a variable product has variations",
            errors=field_errors("body", "variations", msg="needs type=variable"),
        )
    moment = now()
    product = Product(
        id=site.next_post_id(),
        name=spec.name,
        slug=spec.slug or _slug(spec.name),
        type=spec.type,
        status=spec.status,
        sku=spec.sku,
        regular_price=spec.regular_price if spec.type == "simple" else None,
        created_at=moment,
        modified_at=moment,
        attributes=[{"name": a.name, "options": list(a.options)} for a in spec.attributes],
        variations=[],
        meta_data=_metas(site, spec.meta_data),
    )
    product.variations = [_variation(site, variation, moment) for variation in spec.variations]
    site.products[product.id] = product
    deliverer.emit(site, "product.created", product_json(site, product))
    return product


def get_product(site: Site, product_id: int) -> Product:
    product = site.products.get(product_id)
    if product is None:
        raise NotFound(f"site {site.slug} has no product {product_id}")
    return product


def update_product(site: Site, product_id: int, spec: schemas.ProductUpdate, deliverer: Deliverer) -> Product:
    product = get_product(site, product_id)
    moment = now()
    if spec.name is not None:
        product.name = spec.name
    if spec.status is not None:
        product.status = spec.status
    if spec.sku is not None:
        product.sku = spec.sku
    if spec.regular_price is not None:
        product.regular_price = spec.regular_price
    if spec.meta_data is not None:
        _set_metas(site, product.meta_data, spec.meta_data)
    unknown = set(spec.remove_variation_ids) - {variation.id for variation in product.variations}
    if unknown:
        raise InvalidInput(
            f"product {product_id} has no variation {sorted(unknown)}",
            errors=field_errors("body", "remove_variation_ids", msg="not a variation of this product"),
        )
    product.variations = [v for v in product.variations if v.id not in spec.remove_variation_ids]
    product.variations += [_variation(site, variation, moment) for variation in spec.add_variations]
    product.modified_at = moment
    deliverer.emit(site, "product.updated", product_json(site, product))
    return product


def delete_product(site: Site, product_id: int, deliverer: Deliverer) -> Product:
    product = get_product(site, product_id)
    del site.products[product_id]
    deliverer.emit(site, "product.deleted", {"id": product.id})
    return product
