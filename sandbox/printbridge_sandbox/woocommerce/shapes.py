"""Resources in the JSON shape of WooCommerce REST API v3 (what `GET /wc/v3/<resource>s/<id>` returns,
and therefore what a webhook delivers)."""

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from printbridge_sandbox.woocommerce.state import (
    LineItem,
    Meta,
    Order,
    OrderNote,
    Product,
    Site,
    Variation,
    Webhook,
)
from printbridge_sandbox.woocommerce.wire import money, wp_date

WC_VERSION = "9.8.5"
WP_VERSION = "6.8.1"
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}


def rest_url(site: Site, route: str) -> str:
    """`rest_url()`: below `/wp-json/` with pretty permalinks, else `index.php?rest_route=/…`."""
    if site.pretty_permalinks:
        return f"{site.home_url}/wp-json/{route.lstrip('/')}"
    return f"{site.home_url}/index.php?{urlencode({'rest_route': '/' + route.lstrip('/')})}"


def links(site: Site, self_route: str, collection_route: str) -> dict[str, Any]:
    return {
        "self": [{"href": rest_url(site, self_route)}],
        "collection": [{"href": rest_url(site, collection_route)}],
    }


def meta_json(meta: Meta) -> dict[str, Any]:
    return {"id": meta.id, "key": meta.key, "value": meta.value}


def item_meta_json(meta: Meta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "key": meta.key,
        "value": meta.value,
        "display_key": meta.display_key if meta.display_key is not None else meta.key,
        "display_value": meta.display_value if meta.display_value is not None else meta.value,
    }


def _price(value: Decimal) -> float | int:
    # WooCommerce computes a line's price as total / quantity in PHP: a number, not a string.
    return int(value) if value == value.to_integral_value() else float(value)


def line_item_json(item: LineItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "quantity": item.quantity,
        "tax_class": "",
        "subtotal": money(item.total),
        "subtotal_tax": money(item.total_tax),
        "total": money(item.total),
        "total_tax": money(item.total_tax),
        "taxes": [],
        "meta_data": [item_meta_json(meta) for meta in item.meta_data],
        "sku": item.sku,
        "price": _price(item.price),
        "image": {"id": "", "src": ""},
        "parent_name": item.parent_name,
    }


def order_json(site: Site, order: Order) -> dict[str, Any]:
    zone = site.timezone
    return {
        "id": order.id,
        "parent_id": 0,
        "status": order.status,
        "currency": order.currency,
        "version": WC_VERSION,
        "prices_include_tax": False,
        "date_created": wp_date(order.created_at, zone),
        "date_modified": wp_date(order.modified_at, zone),
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": money(order.shipping_total),
        "shipping_tax": "0.00",
        "cart_tax": money(order.total_tax),
        "total": money(order.total),
        "total_tax": money(order.total_tax),
        "customer_id": order.customer_id,
        "order_key": order.order_key,
        "billing": dict(order.billing),
        "shipping": dict(order.shipping),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": order.created_via,
        "customer_note": order.customer_note,
        "date_completed": wp_date(order.completed_at, zone),
        "date_paid": wp_date(order.paid_at, zone),
        "cart_hash": "",
        "number": str(order.id),
        "meta_data": [meta_json(meta) for meta in order.meta_data],
        "line_items": [line_item_json(item) for item in order.line_items],
        "tax_lines": [],
        "shipping_lines": [
            {
                "id": line.id,
                "method_title": line.method_title,
                "method_id": line.method_id,
                "instance_id": "",
                "total": money(line.total),
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
            }
            for line in order.shipping_lines
        ],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "payment_url": (
            f"{site.home_url}/checkout/order-pay/{order.id}/?pay_for_order=true&key={order.order_key}"
        ),
        "is_editable": order.status in ("pending", "on-hold", "checkout-draft"),
        "needs_payment": order.status in ("pending", "failed"),
        "needs_processing": True,
        "date_created_gmt": wp_date(order.created_at),
        "date_modified_gmt": wp_date(order.modified_at),
        "date_completed_gmt": wp_date(order.completed_at),
        "date_paid_gmt": wp_date(order.paid_at),
        "currency_symbol": CURRENCY_SYMBOLS.get(order.currency, order.currency),
        "_links": links(site, f"wc/v3/orders/{order.id}", "wc/v3/orders"),
    }


def note_json(site: Site, order: Order, note: OrderNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "author": note.author,
        "date_created": wp_date(note.created_at, site.timezone),
        "date_created_gmt": wp_date(note.created_at),
        "note": note.note,
        "customer_note": note.customer_note,
        "_links": {
            **links(site, f"wc/v3/orders/{order.id}/notes/{note.id}", f"wc/v3/orders/{order.id}/notes"),
            "up": [{"href": rest_url(site, f"wc/v3/orders/{order.id}")}],
        },
    }


def _optional_money(value: Decimal | None) -> str:
    return "" if value is None else money(value)


def product_json(site: Site, product: Product) -> dict[str, Any]:
    zone = site.timezone
    prices = [v.regular_price for v in product.variations if v.regular_price is not None]
    price = min(prices) if prices else product.regular_price
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "permalink": f"{site.home_url}/product/{product.slug}/",
        "date_created": wp_date(product.created_at, zone),
        "date_created_gmt": wp_date(product.created_at),
        "date_modified": wp_date(product.modified_at, zone),
        "date_modified_gmt": wp_date(product.modified_at),
        "type": product.type,
        "status": product.status,
        "featured": False,
        "catalog_visibility": "visible",
        "description": product.description,
        "short_description": "",
        "sku": product.sku,
        "price": _optional_money(price),
        "regular_price": "" if product.type == "variable" else _optional_money(product.regular_price),
        "sale_price": "",
        "on_sale": False,
        "purchasable": price is not None,
        "virtual": False,
        "downloadable": False,
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "categories": [],
        "tags": [],
        "images": [
            {"id": 0, "src": src, "name": src.rsplit("/", 1)[-1], "alt": ""} for src in product.images
        ],
        "attributes": [
            {
                "id": 0,
                "name": attribute["name"],
                "position": position,
                "visible": True,
                "variation": attribute.get("variation", product.type == "variable"),
                "options": list(attribute["options"]),
            }
            for position, attribute in enumerate(product.attributes)
        ],
        "variations": [variation.id for variation in product.variations],
        "meta_data": [meta_json(meta) for meta in product.meta_data],
        "_links": links(site, f"wc/v3/products/{product.id}", "wc/v3/products"),
    }


def variation_json(site: Site, product: Product, variation: Variation) -> dict[str, Any]:
    zone = site.timezone
    return {
        "id": variation.id,
        "date_created": wp_date(variation.created_at, zone),
        "date_created_gmt": wp_date(variation.created_at),
        "date_modified": wp_date(variation.modified_at, zone),
        "date_modified_gmt": wp_date(variation.modified_at),
        "description": "",
        "permalink": f"{site.home_url}/product/{product.slug}/?variation_id={variation.id}",
        "sku": variation.sku,
        "price": _optional_money(variation.regular_price),
        "regular_price": _optional_money(variation.regular_price),
        "sale_price": "",
        "on_sale": False,
        "status": variation.status,
        "purchasable": variation.regular_price is not None,
        "virtual": False,
        "downloadable": False,
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "attributes": [
            {"id": 0, "name": attribute["name"], "option": attribute["option"]}
            for attribute in variation.attributes
        ],
        "meta_data": [meta_json(meta) for meta in variation.meta_data],
        "_links": {
            **links(
                site,
                f"wc/v3/products/{product.id}/variations/{variation.id}",
                f"wc/v3/products/{product.id}/variations",
            ),
            "up": [{"href": rest_url(site, f"wc/v3/products/{product.id}")}],
        },
    }


HOOKS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
    "product.created": ["woocommerce_process_product_meta", "woocommerce_new_product"],
    "product.updated": ["woocommerce_process_product_meta", "woocommerce_update_product"],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
}


def webhook_json(site: Site, webhook: Webhook) -> dict[str, Any]:
    zone = site.timezone
    return {
        "id": webhook.id,
        "name": webhook.name,
        "status": webhook.status,
        "topic": webhook.topic,
        "resource": webhook.resource,
        "event": webhook.event,
        "hooks": HOOKS.get(webhook.topic, []),
        "delivery_url": webhook.delivery_url,
        "date_created": wp_date(webhook.created_at, zone),
        "date_created_gmt": wp_date(webhook.created_at),
        "date_modified": wp_date(webhook.modified_at, zone),
        "date_modified_gmt": wp_date(webhook.modified_at),
        "_links": links(site, f"wc/v3/webhooks/{webhook.id}", "wc/v3/webhooks"),
    }
