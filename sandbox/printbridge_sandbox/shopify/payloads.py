"""The REST resource JSON that webhook bodies carry (orders, products, the shop), with 64-bit integer ids
and `admin_graphql_api_id`, shaped after Shopify's REST Admin reference and its webhook samples."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from printbridge_sandbox.shopify.state import Fulfillment, Order, Product, Shop, gid, option_lists

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "province_code",
    "zip",
    "country",
    "country_code",
    "phone",
    "latitude",
    "longitude",
)


def money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def rest_time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def money_set(amount: Decimal, currency: str) -> dict[str, Any]:
    entry = {"amount": money(amount), "currency_code": currency}
    return {"shop_money": entry, "presentment_money": dict(entry)}


def address(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    out = {name: value.get(name) for name in ADDRESS_FIELDS}
    names = [part for part in (value.get("first_name"), value.get("last_name")) if part]
    out["name"] = " ".join(names) or None
    return out


def fulfillment_json(order: Order, fulfillment: Fulfillment) -> dict[str, Any]:
    """A fulfillment as the REST Order's `fulfillments[]` carries it."""
    lines = {line.id: line for line in order.line_items}
    tracking_numbers = [fulfillment.tracking_number] if fulfillment.tracking_number else []
    tracking_urls = [fulfillment.tracking_url] if fulfillment.tracking_url else []
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": gid("Fulfillment", fulfillment.id),
        "order_id": order.id,
        "name": f"{order.name}.{fulfillment.number}",
        "status": fulfillment.status.lower(),
        "service": "manual",
        "shipment_status": None,
        "created_at": rest_time(fulfillment.created_at),
        "updated_at": rest_time(fulfillment.updated_at),
        "tracking_company": fulfillment.tracking_company,
        "tracking_number": fulfillment.tracking_number,
        "tracking_numbers": tracking_numbers,
        "tracking_url": fulfillment.tracking_url,
        "tracking_urls": tracking_urls,
        "line_items": [
            {
                "id": line.line_item_id,
                "admin_graphql_api_id": gid("LineItem", line.line_item_id),
                "sku": lines[line.line_item_id].sku,
                "title": lines[line.line_item_id].title,
                "quantity": line.quantity,
            }
            for line in fulfillment.lines
        ],
    }


def _fulfilled(order: Order, line_item_id: int) -> int:
    return sum(
        line.quantity for f in order.fulfillments for line in f.lines if line.line_item_id == line_item_id
    )


def order_json(shop: Shop, order: Order) -> dict[str, Any]:
    currency = order.currency
    line_items = []
    for line in order.line_items:
        fulfilled = _fulfilled(order, line.id)
        line_items.append(
            {
                "id": line.id,
                "admin_graphql_api_id": gid("LineItem", line.id),
                "variant_id": line.variant_id,
                "product_id": line.product_id,
                "sku": line.sku,
                "title": line.title,
                "variant_title": line.variant_title,
                "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
                "vendor": line.vendor,
                "quantity": line.quantity,
                "current_quantity": 0 if order.cancelled_at else line.quantity,
                "fulfillable_quantity": 0 if order.cancelled_at else line.quantity - fulfilled,
                "price": money(line.price),
                "price_set": money_set(line.price, currency),
                "grams": line.grams,
                "requires_shipping": line.requires_shipping,
                "fulfillment_service": "manual",
                "fulfillment_status": (
                    None if not fulfilled else "fulfilled" if fulfilled >= line.quantity else "partial"
                ),
                "taxable": True,
                "gift_card": False,
                "properties": [{"name": name, "value": value} for name, value in line.properties],
            }
        )
    customer = None
    if order.customer_id is not None:
        ship = order.shipping_address or {}
        customer = {
            "id": order.customer_id,
            "admin_graphql_api_id": gid("Customer", order.customer_id),
            "email": order.email,
            "first_name": ship.get("first_name"),
            "last_name": ship.get("last_name"),
            "phone": order.phone,
        }
    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "app_id": None,
        "name": order.name,
        "number": order.number - 1000,
        "order_number": order.number,
        "token": order.token,
        "email": order.email,
        "contact_email": order.email,
        "phone": order.phone,
        "created_at": rest_time(order.created_at),
        "updated_at": rest_time(order.updated_at),
        "processed_at": rest_time(order.processed_at),
        "cancelled_at": rest_time(order.cancelled_at),
        "cancel_reason": order.cancel_reason,
        "closed_at": rest_time(order.closed_at),
        "confirmed": True,
        "currency": currency,
        "presentment_currency": currency,
        "subtotal_price": money(order.subtotal),
        "subtotal_price_set": money_set(order.subtotal, currency),
        "total_line_items_price": money(order.subtotal),
        "total_line_items_price_set": money_set(order.subtotal, currency),
        "total_price": money(order.total),
        "total_price_set": money_set(order.total, currency),
        "total_tax": money(order.total_tax),
        "total_tax_set": money_set(order.total_tax, currency),
        "total_discounts": money(order.total_discounts),
        "total_discounts_set": money_set(order.total_discounts, currency),
        "total_shipping_price_set": money_set(order.shipping_total, currency),
        "current_total_price": money(Decimal(0) if order.cancelled_at else order.total),
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "test": order.test,
        "tags": ", ".join(order.tags),
        "note": order.note,
        "note_attributes": [{"name": name, "value": value} for name, value in order.note_attributes],
        "source_name": order.source_name,
        "line_items": line_items,
        "shipping_lines": [
            {
                "title": line.get("title"),
                "code": line.get("code"),
                "price": money(Decimal(str(line["price"]))),
                "price_set": money_set(Decimal(str(line["price"])), currency),
                "source": "shopify",
            }
            for line in order.shipping_lines
        ],
        "shipping_address": address(order.shipping_address),
        "billing_address": address(order.billing_address),
        "customer": customer,
        "fulfillments": [fulfillment_json(order, f) for f in order.fulfillments],
        "refunds": [],
        "order_status_url": f"https://{shop.domain}/{shop.id}/orders/{order.token}/authenticate",
    }


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "admin_graphql_api_id": gid("Product", product.id),
        "title": product.title,
        "handle": product.handle,
        "body_html": product.description_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "status": product.status.lower(),
        "tags": "",
        "created_at": rest_time(product.created_at),
        "updated_at": rest_time(product.updated_at),
        "published_at": rest_time(product.created_at) if product.status == "ACTIVE" else None,
        "published_scope": "web",
        "variants": [
            {
                "id": variant.id,
                "admin_graphql_api_id": gid("ProductVariant", variant.id),
                "product_id": product.id,
                "title": variant.title,
                "sku": variant.sku,
                "price": money(variant.price),
                "position": variant.position,
                **{f"option{n}": value for n, value in _option_values(variant.options)},
                "created_at": rest_time(variant.created_at),
                "updated_at": rest_time(variant.updated_at),
            }
            for variant in product.variants
        ],
        "options": [
            {"product_id": product.id, "name": name, "position": position, "values": values}
            for position, (name, values) in enumerate(option_lists(product), start=1)
        ],
        "images": [
            {"product_id": product.id, "position": position, "src": url}
            for position, url in enumerate(product.image_urls, start=1)
        ],
    }


def product_deleted_json(product_id: int) -> dict[str, Any]:
    return {"id": product_id}


def shop_json(shop: Shop) -> dict[str, Any]:
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "currency": shop.currency,
        "iana_timezone": "Etc/UTC",
        "created_at": rest_time(shop.created_at),
        "plan_name": "basic",
    }


def _option_values(options: dict[str, str]) -> list[tuple[int, str | None]]:
    """REST's `option1`…`option3`: the variant's option values in order, None where it has fewer."""
    values: list[str | None] = list(options.values())[:3]
    return list(enumerate(values + [None] * (3 - len(values)), start=1))
