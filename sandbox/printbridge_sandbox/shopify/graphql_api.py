"""The GraphQL Admin API: a real executor (graphql-core) over the SDL in schema.graphql, resolvers that read
the sandbox's state and check the token's access scopes, Shopify's calculated query cost and a leaky bucket
per shop and app."""

import base64
import binascii
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    execute,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)
from graphql.utilities import value_from_ast_untyped

from printbridge_sandbox.shopify import search
from printbridge_sandbox.shopify.fulfillment import FULFILLABLE, fulfillment_create
from printbridge_sandbox.shopify.payloads import money
from printbridge_sandbox.shopify.product_set import product_set
from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.shopify.state import (
    Bucket,
    Fulfillment,
    FulfillmentOrder,
    Installation,
    LineItem,
    Order,
    Product,
    Shop,
    State,
    Subscription,
    Variant,
    gid,
    now,
    option_lists,
    parse_gid,
)
from printbridge_sandbox.shopify.webhooks import Webhooks

Info = GraphQLResolveInfo[Any]
SCHEMA: GraphQLSchema = build_schema((Path(__file__).parent / "schema.graphql").read_text())
MAX_PAGE = 250
MAX_QUERY_COST = 1000
MUTATION_COST = 10
SCOPES_DOC = "https://shopify.dev/api/usage/access-scopes"
RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
FULFILLMENT_ORDER_SCOPES = (
    "read_merchant_managed_fulfillment_orders",
    "read_assigned_fulfillment_orders",
    "read_third_party_fulfillment_orders",
)
TOPIC_SCOPES = {"ORDERS": "read_orders", "PRODUCTS": "read_products"}


def _endpoint_type(_value: Any, _info: Info, _type: Any) -> str:
    return "WebhookHttpEndpoint"


endpoint_union = SCHEMA.type_map["WebhookSubscriptionEndpoint"]
assert isinstance(endpoint_union, GraphQLUnionType)
endpoint_union.resolve_type = _endpoint_type


@dataclass
class Context:
    state: State
    settings: ShopifySettings
    webhooks: Webhooks
    shop: Shop
    installation: Installation
    api_version: str

    def has_scope(self, scope: str) -> bool:
        granted = set(self.installation.scopes)
        return scope in granted or (scope.startswith("read_") and "write_" + scope[5:] in granted)

    def require(self, info: Info, *scopes: str) -> None:
        if any(self.has_scope(scope) for scope in scopes):
            return
        required = " or ".join(f"`{scope}`" for scope in scopes)
        raise GraphQLError(
            f"Access denied for {info.field_name} field. Required access: {required} access scope.",
            extensions={
                "code": "ACCESS_DENIED",
                "documentation": SCOPES_DOC,
                "requiredAccess": f"{required} access scope.",
            },
        )


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


# ---- connections and cursors -----------------------------------------------------------------------------


def _encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise GraphQLError(
            "Invalid cursor for current pagination.", extensions={"code": "BAD_REQUEST"}
        ) from exc
    if not isinstance(key, list):
        raise GraphQLError("Invalid cursor for current pagination.", extensions={"code": "BAD_REQUEST"})
    return tuple(key)


def connection(
    items: list[Any],
    key: Callable[[Any], tuple[Any, ...]],
    node: Callable[[Any], dict[str, Any]],
    args: dict[str, Any],
    reverse: bool = False,
) -> dict[str, Any]:
    first, last, after, before = args.get("first"), args.get("last"), args.get("after"), args.get("before")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(
                f"The {name} argument must be between 0 and {MAX_PAGE}.", extensions={"code": "BAD_REQUEST"}
            )
    ordered = sorted(items, key=key, reverse=reverse)

    def beyond(item_key: tuple[Any, ...], cursor_key: tuple[Any, ...]) -> bool:
        try:
            return item_key < cursor_key if reverse else item_key > cursor_key
        except TypeError as exc:  # a cursor of another sort key
            raise GraphQLError(
                "Invalid cursor for current pagination.", extensions={"code": "BAD_REQUEST"}
            ) from exc

    has_previous = has_next = False
    if after:
        cursor_key = _decode_cursor(after)
        before_count = len(ordered)
        ordered = [item for item in ordered if beyond(key(item), cursor_key)]
        has_previous = len(ordered) < before_count
    if before:
        cursor_key = _decode_cursor(before)
        before_count = len(ordered)
        ordered = [item for item in ordered if beyond(cursor_key, key(item))]
        has_next = len(ordered) < before_count
    if first is not None:
        has_next = has_next or len(ordered) > first
        ordered = ordered[:first]
    if last is not None:
        has_previous = has_previous or len(ordered) > last
        ordered = ordered[len(ordered) - last :] if last else []
    cursors = [_encode_cursor(key(item)) for item in ordered]
    nodes = [node(item) for item in ordered]
    return {
        "edges": [{"cursor": cursor, "node": value} for cursor, value in zip(cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


# ---- nodes -----------------------------------------------------------------------------------------------


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    value = {"amount": money(amount), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": dict(value)}


def attributes(pairs: Iterable[tuple[str, str | None]]) -> list[dict[str, Any]]:
    return [{"key": name, "value": value} for name, value in pairs]


def product_node(ctx: Context, product: Product) -> dict[str, Any]:
    return {
        "id": gid("Product", product.id),
        "legacyResourceId": str(product.id),
        "title": product.title,
        "handle": product.handle,
        "status": product.status,
        "vendor": product.vendor,
        "productType": product.product_type,
        "descriptionHtml": product.description_html,
        "createdAt": iso(product.created_at),
        "updatedAt": iso(product.updated_at),
        "options": lambda _info, **args: [
            {
                "id": gid("ProductOption", product.id * 10 + position),
                "name": name,
                "position": position,
                "values": values,
            }
            for position, (name, values) in enumerate(option_lists(product), start=1)
        ][: args.get("first") or None],
        "metafield": lambda _info, key, namespace=None: _metafield(product, namespace, key),
        "variants": lambda _info, **args: connection(
            product.variants, lambda v: (v.position, v.id), lambda v: variant_node(ctx, product, v), args
        ),
    }


def _metafield(product: Product, namespace: str | None, key: str) -> dict[str, Any] | None:
    namespace = namespace or "custom"
    value = product.metafields.get((namespace, key))
    if value is None:
        return None
    return {
        "id": gid("Metafield", abs(hash((product.id, namespace, key))) % 10**9),
        "namespace": namespace,
        "key": key,
        "value": value,
        "type": "single_line_text_field",
    }


def variant_node(ctx: Context, product: Product, variant: Variant) -> dict[str, Any]:
    return {
        "id": gid("ProductVariant", variant.id),
        "legacyResourceId": str(variant.id),
        "title": variant.title,
        "displayName": f"{product.title} - {variant.title}",
        "sku": variant.sku,
        "price": money(variant.price),
        "position": variant.position,
        "selectedOptions": [{"name": name, "value": value} for name, value in variant.options.items()],
        "createdAt": iso(variant.created_at),
        "updatedAt": iso(variant.updated_at),
        "product": lambda _info: product_node(ctx, product),
    }


def address_node(value: dict[str, Any] | None, address_id: int) -> dict[str, Any] | None:
    if value is None:
        return None
    names = [part for part in (value.get("first_name"), value.get("last_name")) if part]
    return {
        "id": gid("MailingAddress", address_id) + "?model_name=Address",
        "firstName": value.get("first_name"),
        "lastName": value.get("last_name"),
        "name": " ".join(names) or None,
        "company": value.get("company"),
        "address1": value.get("address1"),
        "address2": value.get("address2"),
        "city": value.get("city"),
        "province": value.get("province"),
        "provinceCode": value.get("province_code"),
        "zip": value.get("zip"),
        "country": value.get("country"),
        "countryCodeV2": value.get("country_code"),
        "phone": value.get("phone"),
        "latitude": value.get("latitude"),
        "longitude": value.get("longitude"),
    }


def line_item_node(ctx: Context, order: Order, line: LineItem) -> dict[str, Any]:
    def variant(_info: Info) -> dict[str, Any] | None:
        found = ctx.shop.product_of_variant(line.variant_id) if line.variant_id else None
        return variant_node(ctx, *found) if found else None

    def product(_info: Info) -> dict[str, Any] | None:
        found = ctx.shop.products.get(line.product_id) if line.product_id else None
        return product_node(ctx, found) if found else None

    return {
        "id": gid("LineItem", line.id),
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "title": line.title,
        "variantTitle": line.variant_title,
        "sku": line.sku,
        "vendor": line.vendor,
        "quantity": line.quantity,
        "currentQuantity": 0 if order.cancelled_at else line.quantity,
        "requiresShipping": line.requires_shipping,
        "originalUnitPriceSet": money_bag(line.price, order.currency),
        "originalTotalSet": money_bag(line.price * line.quantity, order.currency),
        "variant": variant,
        "product": product,
        "customAttributes": attributes(line.properties),
    }


def fulfillment_order_node(ctx: Context, order: Order, fo: FulfillmentOrder) -> dict[str, Any]:
    lines = {line.id: line for line in order.line_items}

    def fo_line(item: Any) -> dict[str, Any]:
        return {
            "id": gid("FulfillmentOrderLineItem", item.id),
            "sku": lines[item.line_item_id].sku,
            "totalQuantity": item.total_quantity,
            "remainingQuantity": item.remaining_quantity,
            "lineItem": line_item_node(ctx, order, lines[item.line_item_id]),
        }

    return {
        "id": gid("FulfillmentOrder", fo.id),
        "status": fo.status,
        "createdAt": iso(fo.created_at),
        "updatedAt": iso(fo.updated_at),
        "orderId": gid("Order", order.id),
        "orderName": order.name,
        "lineItems": lambda _info, **args: connection(fo.line_items, lambda i: (i.id,), fo_line, args),
        "supportedActions": [{"action": "CREATE_FULFILLMENT", "externalUrl": None}]
        if fo.status in FULFILLABLE
        else [],
    }


def fulfillment_node(ctx: Context, order: Order, fulfillment: Fulfillment) -> dict[str, Any]:
    lines = {line.id: line for line in order.line_items}

    def fulfillment_line(item: Any) -> dict[str, Any]:
        return {
            "id": gid("FulfillmentLineItem", item.id),
            "quantity": item.quantity,
            "lineItem": line_item_node(ctx, order, lines[item.line_item_id]),
        }

    tracking = {
        "number": fulfillment.tracking_number,
        "url": fulfillment.tracking_url,
        "company": fulfillment.tracking_company,
    }
    given = any(value is not None for value in tracking.values())
    return {
        "id": gid("Fulfillment", fulfillment.id),
        "legacyResourceId": str(fulfillment.id),
        "name": f"{order.name}.{fulfillment.number}",
        "status": fulfillment.status,
        "createdAt": iso(fulfillment.created_at),
        "updatedAt": iso(fulfillment.updated_at),
        "totalQuantity": sum(line.quantity for line in fulfillment.lines),
        "trackingInfo": lambda _info, first=None: ([tracking] if given else [])[:first],
        "fulfillmentLineItems": lambda _info, **args: connection(
            fulfillment.lines, lambda i: (i.id,), fulfillment_line, args
        ),
    }


def order_node(ctx: Context, order: Order) -> dict[str, Any]:
    currency = order.currency

    def fulfillment_orders(info: Info, **args: Any) -> dict[str, Any]:
        ctx.require(info, *FULFILLMENT_ORDER_SCOPES)
        return connection(
            order.fulfillment_orders,
            lambda fo: (fo.id,),
            lambda fo: fulfillment_order_node(ctx, order, fo),
            args,
        )

    customer = None
    if order.customer_id is not None:
        ship = order.shipping_address or {}
        customer = {
            "id": gid("Customer", order.customer_id),
            "legacyResourceId": str(order.customer_id),
            "email": order.email,
            "firstName": ship.get("first_name"),
            "lastName": ship.get("last_name"),
            "phone": order.phone,
        }
    fulfillment = order.fulfillment_status
    return {
        "id": gid("Order", order.id),
        "legacyResourceId": str(order.id),
        "name": order.name,
        "createdAt": iso(order.created_at),
        "updatedAt": iso(order.updated_at),
        "processedAt": iso(order.processed_at),
        "cancelledAt": iso(order.cancelled_at),
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "closed": order.closed_at is not None,
        "closedAt": iso(order.closed_at),
        "email": order.email,
        "phone": order.phone,
        "currencyCode": currency,
        "presentmentCurrencyCode": currency,
        "totalPriceSet": money_bag(order.total, currency),
        "subtotalPriceSet": money_bag(order.subtotal, currency),
        "totalTaxSet": money_bag(order.total_tax, currency),
        "totalShippingPriceSet": money_bag(order.shipping_total, currency),
        "totalDiscountsSet": money_bag(order.total_discounts, currency),
        "test": order.test,
        "note": order.note,
        "tags": list(order.tags),
        "customAttributes": attributes(order.note_attributes),
        "displayFinancialStatus": order.financial_status.upper(),
        "displayFulfillmentStatus": {"fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED"}.get(
            fulfillment or "", "UNFULFILLED"
        ),
        "sourceName": order.source_name,
        "customer": customer,
        "shippingAddress": address_node(order.shipping_address, order.id + 1),
        "billingAddress": address_node(order.billing_address, order.id + 2),
        "lineItems": lambda _info, **args: connection(
            order.line_items, lambda line: (line.id,), lambda line: line_item_node(ctx, order, line), args
        ),
        "fulfillmentOrders": fulfillment_orders,
        "fulfillments": lambda _info, first=None: [
            fulfillment_node(ctx, order, f) for f in order.fulfillments[:first]
        ],
    }


def subscription_node(sub: Subscription, versions: list[str]) -> dict[str, Any]:
    return {
        "id": gid("WebhookSubscription", sub.id),
        "legacyResourceId": str(sub.id),
        "topic": sub.topic,
        "format": sub.format,
        "uri": sub.uri,
        "callbackUrl": sub.uri,
        "endpoint": {"callbackUrl": sub.uri},
        "includeFields": list(sub.include_fields),
        "filter": sub.filter,
        "apiVersion": {
            "handle": sub.api_version,
            "displayName": sub.api_version,
            "supported": sub.api_version in versions,
        },
        "createdAt": iso(sub.created_at),
        "updatedAt": iso(sub.updated_at),
    }


# ---- search fields ---------------------------------------------------------------------------------------

ORDER_FIELDS = {
    "id": search.FieldSpec("number", lambda o: o.id),
    "name": search.FieldSpec("string", lambda o: [o.name, str(o.number)]),
    "created_at": search.FieldSpec("date", lambda o: o.created_at),
    "updated_at": search.FieldSpec("date", lambda o: o.updated_at),
    "processed_at": search.FieldSpec("date", lambda o: o.processed_at),
    "email": search.FieldSpec("string", lambda o: o.email),
    "financial_status": search.FieldSpec("string", lambda o: o.financial_status),
    "fulfillment_status": search.FieldSpec("string", lambda o: o.fulfillment_status or "unfulfilled"),
    "status": search.FieldSpec(
        "string",
        lambda o: ["any", "cancelled" if o.cancelled_at else ("closed" if o.closed_at else "open")],
    ),
    "test": search.FieldSpec("bool", lambda o: o.test),
    "tag": search.FieldSpec("string", lambda o: o.tags),
    "sku": search.FieldSpec("string", lambda o: [line.sku for line in o.line_items if line.sku]),
}
PRODUCT_FIELDS = {
    "id": search.FieldSpec("number", lambda p: p.id),
    "title": search.FieldSpec("string", lambda p: p.title),
    "handle": search.FieldSpec("string", lambda p: p.handle),
    "status": search.FieldSpec("string", lambda p: p.status),
    "vendor": search.FieldSpec("string", lambda p: p.vendor),
    "product_type": search.FieldSpec("string", lambda p: p.product_type),
    "sku": search.FieldSpec("string", lambda p: [v.sku for v in p.variants if v.sku]),
    "created_at": search.FieldSpec("date", lambda p: p.created_at),
    "updated_at": search.FieldSpec("date", lambda p: p.updated_at),
}
ORDER_SORT = {
    "ID": lambda o: (o.id,),
    "CREATED_AT": lambda o: (o.created_at.isoformat(), o.id),
    "UPDATED_AT": lambda o: (o.updated_at.isoformat(), o.id),
    "PROCESSED_AT": lambda o: (o.processed_at.isoformat(), o.id),
    "ORDER_NUMBER": lambda o: (o.number, o.id),
    "TOTAL_PRICE": lambda o: (str(o.total.quantize(Decimal("0.01"))).zfill(20), o.id),
    "CURRENT_TOTAL_PRICE": lambda o: (str(o.total.quantize(Decimal("0.01"))).zfill(20), o.id),
    "CUSTOMER_NAME": lambda o: (_person(o.shipping_address), o.id),
    "DESTINATION": lambda o: (
        ((o.shipping_address or {}).get("country") or "")
        + "/"
        + ((o.shipping_address or {}).get("city") or ""),
        o.id,
    ),
    "FINANCIAL_STATUS": lambda o: (o.financial_status, o.id),
    "FULFILLMENT_STATUS": lambda o: (o.fulfillment_status or "", o.id),
    "PO_NUMBER": lambda o: ("", o.id),
    "RELEVANCE": lambda o: (o.id,),
    "TOTAL_ITEMS_QUANTITY": lambda o: (sum(line.quantity for line in o.line_items), o.id),
}
PRODUCT_SORT = {
    "ID": lambda p: (p.id,),
    "TITLE": lambda p: (p.title.lower(), p.id),
    "CREATED_AT": lambda p: (p.created_at.isoformat(), p.id),
    "UPDATED_AT": lambda p: (p.updated_at.isoformat(), p.id),
    "INVENTORY_TOTAL": lambda p: (0, p.id),
    "PRODUCT_TYPE": lambda p: (p.product_type.lower(), p.id),
    "PUBLISHED_AT": lambda p: (p.created_at.isoformat(), p.id),
    "RELEVANCE": lambda p: (p.id,),
    "VENDOR": lambda p: (p.vendor.lower(), p.id),
}


def _person(address: dict[str, Any] | None) -> str:
    address = address or {}
    return " ".join(part for part in (address.get("first_name"), address.get("last_name")) if part).lower()


def _matcher(
    query: str | None, fields: dict[str, search.FieldSpec], default: list[str]
) -> Callable[[Any], bool]:
    try:
        return search.matcher(query, fields, default)
    except search.SearchSyntaxError as exc:
        raise GraphQLError(f"Invalid search query: {exc}", extensions={"code": "BAD_REQUEST"}) from exc


# ---- root resolvers --------------------------------------------------------------------------------------


def _ctx(info: Info) -> Context:
    context = info.context
    assert isinstance(context, Context)
    return context


def resolve_shop(_root: Any, info: Info) -> dict[str, Any]:
    shop = _ctx(info).shop
    return {
        "id": gid("Shop", shop.id),
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "myshopifyDomain": shop.domain,
        "currencyCode": shop.currency,
        "ianaTimezone": "Etc/UTC",
        "createdAt": iso(shop.created_at),
    }


def resolve_installation(_root: Any, info: Info) -> dict[str, Any]:
    installation = _ctx(info).installation
    return {
        "id": gid("AppInstallation", installation.id),
        "accessScopes": [
            {"handle": scope, "description": scope.replace("_", " ")} for scope in installation.scopes
        ],
    }


def resolve_products(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = _ctx(info)
    ctx.require(info, "read_products")
    wanted = _matcher(args.get("query"), PRODUCT_FIELDS, ["title", "sku", "handle"])
    items = [product for product in ctx.shop.products.values() if wanted(product)]
    return connection(
        items, PRODUCT_SORT[args["sortKey"]], lambda p: product_node(ctx, p), args, bool(args.get("reverse"))
    )


def resolve_product(_root: Any, info: Info, id: str) -> dict[str, Any] | None:
    ctx = _ctx(info)
    ctx.require(info, "read_products")
    product_id = parse_gid(id, "Product")
    product = ctx.shop.products.get(product_id) if product_id else None
    return product_node(ctx, product) if product else None


def resolve_product_by_identifier(
    _root: Any, info: Info, identifier: dict[str, Any]
) -> dict[str, Any] | None:
    ctx = _ctx(info)
    ctx.require(info, "read_products")
    products = ctx.shop.products.values()
    if identifier.get("id"):
        product_id = parse_gid(identifier["id"], "Product")
        found = ctx.shop.products.get(product_id) if product_id else None
    elif identifier.get("handle"):
        found = next((p for p in products if p.handle == identifier["handle"]), None)
    elif identifier.get("customId"):
        custom = identifier["customId"]
        key = (custom.get("namespace") or "custom", custom["key"])
        found = next((p for p in products if p.metafields.get(key) == custom["value"]), None)
    else:
        raise GraphQLError(
            "An identifier needs an id, a handle or a customId", extensions={"code": "BAD_REQUEST"}
        )
    return product_node(ctx, found) if found else None


def resolve_product_set(
    _root: Any,
    info: Info,
    input: dict[str, Any],
    synchronous: bool = True,
    identifier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ctx = _ctx(info)
    ctx.require(info, "write_products")
    if not synchronous:
        raise GraphQLError(
            "The sandbox runs productSet synchronously only (synchronous: true)",
            extensions={"code": "BAD_REQUEST"},
        )
    product, errors = product_set(ctx.state, ctx.webhooks, ctx.shop, input, identifier)
    return {
        "product": product_node(ctx, product) if product else None,
        "productSetOperation": None,
        "userErrors": errors,
    }


def resolve_fulfillment_create(
    _root: Any, info: Info, fulfillment: dict[str, Any], message: str | None = None
) -> dict[str, Any]:
    ctx = _ctx(info)
    ctx.require(info, "write_merchant_managed_fulfillment_orders")
    created, order, errors = fulfillment_create(ctx.state, ctx.webhooks, ctx.shop, fulfillment, message)
    return {
        "fulfillment": fulfillment_node(ctx, order, created) if created and order else None,
        "userErrors": errors,
    }


def resolve_variant(_root: Any, info: Info, id: str) -> dict[str, Any] | None:
    ctx = _ctx(info)
    ctx.require(info, "read_products")
    variant_id = parse_gid(id, "ProductVariant")
    found = ctx.shop.product_of_variant(variant_id) if variant_id else None
    return variant_node(ctx, *found) if found else None


def resolve_orders(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = _ctx(info)
    ctx.require(info, "read_orders")
    wanted = _matcher(args.get("query"), ORDER_FIELDS, ["name", "email", "sku"])
    items = [order for order in ctx.shop.orders.values() if wanted(order)]
    return connection(
        items, ORDER_SORT[args["sortKey"]], lambda o: order_node(ctx, o), args, bool(args.get("reverse"))
    )


def resolve_order(_root: Any, info: Info, id: str) -> dict[str, Any] | None:
    ctx = _ctx(info)
    ctx.require(info, "read_orders")
    order_id = parse_gid(id, "Order")
    order = ctx.shop.orders.get(order_id) if order_id else None
    return order_node(ctx, order) if order else None


def resolve_fulfillment_order(_root: Any, info: Info, id: str) -> dict[str, Any] | None:
    ctx = _ctx(info)
    ctx.require(info, *FULFILLMENT_ORDER_SCOPES)
    fo_id = parse_gid(id, "FulfillmentOrder")
    for order in ctx.shop.orders.values():
        for fo in order.fulfillment_orders:
            if fo.id == fo_id:
                return fulfillment_order_node(ctx, order, fo)
    return None


def _own_subscriptions(ctx: Context) -> list[Subscription]:
    return [
        sub
        for sub in ctx.state.subscriptions.values()
        if sub.shop == ctx.shop.domain and sub.client_id == ctx.installation.client_id
    ]


def resolve_subscriptions(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = _ctx(info)
    items = _own_subscriptions(ctx)
    if args.get("topics"):
        items = [sub for sub in items if sub.topic in args["topics"]]
    uri = args.get("uri") or args.get("callbackUrl")
    if uri:
        items = [sub for sub in items if sub.uri == uri]
    if args.get("format"):
        items = [sub for sub in items if sub.format == args["format"]]
    sort = (lambda s: (s.id,)) if args["sortKey"] == "ID" else (lambda s: (s.created_at.isoformat(), s.id))
    versions = ctx.settings.api_versions
    return connection(items, sort, lambda s: subscription_node(s, versions), args, bool(args.get("reverse")))


def resolve_subscription(_root: Any, info: Info, id: str) -> dict[str, Any] | None:
    ctx = _ctx(info)
    sub_id = parse_gid(id, "WebhookSubscription")
    for sub in _own_subscriptions(ctx):
        if sub.id == sub_id:
            return subscription_node(sub, ctx.settings.api_versions)
    return None


def _subscription_input(
    ctx: Context, topic: str | None, given: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    uri = given.get("uri") or given.get("callbackUrl")
    field = "uri" if given.get("uri") else "callbackUrl"
    if not uri:
        errors.append({"field": ["webhookSubscription", "callbackUrl"], "message": "Address can't be blank"})
    elif not (uri.startswith("https://") or uri.startswith("http://")):
        errors.append({"field": ["webhookSubscription", field], "message": "Address is invalid"})
    if given.get("format") == "XML":
        errors.append(
            {"field": ["webhookSubscription", "format"], "message": "The sandbox delivers JSON only"}
        )
    if topic is not None:
        scope = TOPIC_SCOPES.get(topic.split("_", 1)[0])
        if scope and not ctx.has_scope(scope):
            errors.append(
                {
                    "field": ["topic"],
                    "message": (
                        "You do not have permission to create or update webhooks with "
                        f"{topic.lower().replace('_', '/', 1)} topic. "
                        f"This topic requires the `{scope}` access scope."
                    ),
                }
            )
    return {
        "uri": uri,
        "format": given.get("format") or "JSON",
        "include_fields": list(given.get("includeFields") or []),
        "filter": given.get("filter"),
    }, errors


def resolve_subscription_create(
    _root: Any, info: Info, topic: str, webhookSubscription: dict[str, Any]
) -> dict[str, Any]:
    ctx = _ctx(info)
    values, errors = _subscription_input(ctx, topic, webhookSubscription)
    if not errors and any(sub.topic == topic and sub.uri == values["uri"] for sub in _own_subscriptions(ctx)):
        errors.append(
            {
                "field": ["webhookSubscription", "callbackUrl"],
                "message": "Address for this topic has already been taken",
            }
        )
    if errors:
        return {"webhookSubscription": None, "userErrors": errors}
    moment = now()
    sub = Subscription(
        id=ctx.state.ids.next("WebhookSubscription"),
        shop=ctx.shop.domain,
        client_id=ctx.installation.client_id,
        topic=topic,
        api_version=ctx.api_version,
        created_at=moment,
        updated_at=moment,
        **values,
    )
    ctx.state.subscriptions[sub.id] = sub
    return {"webhookSubscription": subscription_node(sub, ctx.settings.api_versions), "userErrors": []}


def resolve_subscription_update(
    _root: Any, info: Info, id: str, webhookSubscription: dict[str, Any]
) -> dict[str, Any]:
    ctx = _ctx(info)
    sub_id = parse_gid(id, "WebhookSubscription")
    sub = next((s for s in _own_subscriptions(ctx) if s.id == sub_id), None)
    if sub is None:
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
    merged = {"uri": sub.uri, "format": sub.format, "includeFields": sub.include_fields, "filter": sub.filter}
    merged.update({key: value for key, value in webhookSubscription.items() if value is not None})
    if "callbackUrl" in webhookSubscription and "uri" not in webhookSubscription:
        merged["uri"] = webhookSubscription["callbackUrl"]
    values, errors = _subscription_input(ctx, None, merged)
    if errors:
        return {"webhookSubscription": None, "userErrors": errors}
    sub.uri, sub.format, sub.include_fields, sub.filter = (
        values["uri"],
        values["format"],
        values["include_fields"],
        values["filter"],
    )
    sub.updated_at = now()
    return {"webhookSubscription": subscription_node(sub, ctx.settings.api_versions), "userErrors": []}


def resolve_subscription_delete(_root: Any, info: Info, id: str) -> dict[str, Any]:
    ctx = _ctx(info)
    sub_id = parse_gid(id, "WebhookSubscription")
    if sub_id is None or sub_id not in {sub.id for sub in _own_subscriptions(ctx)}:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
    del ctx.state.subscriptions[sub_id]
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


ROOT_RESOLVERS: dict[str, dict[str, Callable[..., Any]]] = {
    "Query": {
        "shop": resolve_shop,
        "currentAppInstallation": resolve_installation,
        "products": resolve_products,
        "product": resolve_product,
        "productByIdentifier": resolve_product_by_identifier,
        "productVariant": resolve_variant,
        "orders": resolve_orders,
        "order": resolve_order,
        "fulfillmentOrder": resolve_fulfillment_order,
        "webhookSubscriptions": resolve_subscriptions,
        "webhookSubscription": resolve_subscription,
    },
    "Mutation": {
        "webhookSubscriptionCreate": resolve_subscription_create,
        "webhookSubscriptionUpdate": resolve_subscription_update,
        "webhookSubscriptionDelete": resolve_subscription_delete,
        "productSet": resolve_product_set,
        "fulfillmentCreate": resolve_fulfillment_create,
    },
}
for _type_name, _fields in ROOT_RESOLVERS.items():
    _root_type = SCHEMA.type_map[_type_name]
    assert isinstance(_root_type, GraphQLObjectType)
    for _field_name, _resolver in _fields.items():
        _root_type.fields[_field_name].resolve = _resolver


# ---- calculated query cost -------------------------------------------------------------------------------


class CostCalculator:
    """Shopify's documented rules: a scalar or enum costs 0, an object 1, a connection 2 plus its page size
    times the cost of one node (1 plus the node's own selections), a mutation 10. The requested cost uses the
    `first`/`last` arguments; the actual cost counts the nodes that came back."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def operation(self, operation: OperationDefinitionNode, data: dict[str, Any] | None, actual: bool) -> int:
        if operation.operation == OperationType.MUTATION:
            return MUTATION_COST * len(self._fields(SCHEMA.type_map["Mutation"], operation.selection_set))
        root = SCHEMA.type_map["Query"]
        return self._selection(root, operation.selection_set, data, actual)

    def _fields(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None
    ) -> list[tuple[FieldNode, Any]]:
        found: list[tuple[FieldNode, Any]] = []
        if selection_set is None:
            return found
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                fields = getattr(parent, "fields", {})
                if selection.name.value in fields:
                    found.append((selection, fields[selection.name.value]))
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    SCHEMA.type_map.get(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                found.extend(self._fields(target or parent, selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = SCHEMA.type_map.get(fragment.type_condition.name.value) or parent
                    found.extend(self._fields(target, fragment.selection_set))
        return found

    def _argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def _selection(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, data: Any, actual: bool
    ) -> int:
        total = 0
        for node, definition in self._fields(parent, selection_set):
            named = get_named_type(definition.type)
            if is_leaf_type(named):
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            if named.name.endswith("Connection"):
                total += 2 + self._connection(named, node, value, actual)
            else:
                element = value[0] if isinstance(value, list) and value else value
                total += 1 + self._selection(named, node.selection_set, element, actual)
        return total

    def _connection(self, connection_type: Any, node: FieldNode, value: Any, actual: bool) -> int:
        node_type = get_named_type(connection_type.fields["nodes"].type)
        selections: list[tuple[SelectionSetNode | None, str]] = []
        for field, _definition in self._fields(connection_type, node.selection_set):
            if field.name.value == "nodes":
                selections.append((field.selection_set, "nodes"))
            elif field.name.value == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                for inner, _ in self._fields(edge_type, field.selection_set):
                    if inner.name.value == "node":
                        selections.append((inner.selection_set, "edges"))
        if actual:
            per_item: list[Any] = []
            if isinstance(value, dict):
                for field, _definition in self._fields(connection_type, node.selection_set):
                    key = field.alias.value if field.alias else field.name.value
                    items = value.get(key)
                    if field.name.value == "nodes" and isinstance(items, list):
                        per_item = items
                    elif field.name.value == "edges" and isinstance(items, list) and not per_item:
                        per_item = [edge.get("node") if isinstance(edge, dict) else None for edge in items]
            count = len(per_item)
        else:
            count = int(self._argument(node, "first") or self._argument(node, "last") or 0)
            per_item = [None] * min(count, 1)
        if not selections or count == 0:
            return 0
        selection = selections[0][0]
        if actual:
            return sum(1 + self._selection(node_type, selection, item, True) for item in per_item)
        return count * (1 + self._selection(node_type, selection, None, False))


# ---- one request -----------------------------------------------------------------------------------------


def bucket_for(state: State, settings: ShopifySettings, shop: str, client_id: str) -> Bucket:
    bucket = state.buckets.get((shop, client_id))
    moment = time.monotonic()
    if bucket is None:
        bucket = state.buckets[(shop, client_id)] = Bucket(available=settings.bucket_size, updated=moment)
    bucket.available = min(
        settings.bucket_size, bucket.available + (moment - bucket.updated) * settings.restore_rate
    )
    bucket.updated = moment
    return bucket


def _cost(requested: int, actual: int | None, bucket: Bucket, settings: ShopifySettings) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": settings.bucket_size,
                "currentlyAvailable": int(bucket.available),
                "restoreRate": settings.restore_rate,
            },
        }
    }


def root_fields(query: str, operation_name: str | None) -> list[str]:
    """The top-level fields of the operation a request runs (through fragments; aliases resolved to the
    field), for the call log; none when the query does not parse or names no single operation."""
    try:
        document = parse(query)
    except GraphQLError:
        return []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    if len(operations) != 1:
        return []
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: list[str] = []
    followed: set[str] = set()

    def collect(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.append(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in followed:
                    followed.add(fragment.name.value)
                    collect(fragment.selection_set)

    collect(operations[0].selection_set)
    return list(dict.fromkeys(names))


def is_mutation(query: str) -> bool:
    """Whether the request's operation is a mutation (for the lost-answer misbehaviour)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION
        for d in document.definitions
    )


def run(
    ctx: Context, query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> dict[str, Any]:
    """One GraphQL request, answered as Shopify does (HTTP 200 with `errors` for anything but auth)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return {"errors": [exc.formatted]}
    problems = validate(SCHEMA, document)
    if problems:
        return {"errors": [problem.formatted for problem in problems]}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    if len(operations) != 1:
        message = (
            f"No operation named '{operation_name}'" if operation_name else "An operation name is required"
        )
        return {"errors": [{"message": message}]}
    operation = operations[0]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    calculator = CostCalculator(fragments, variables or {})
    requested = calculator.operation(operation, None, actual=False)
    bucket = bucket_for(ctx.state, ctx.settings, ctx.shop.domain, ctx.installation.client_id)
    if requested > MAX_QUERY_COST:
        return {
            "errors": [
                {
                    "message": (
                        f"Query cost is {requested}, which exceeds the single query max cost limit "
                        f"({MAX_QUERY_COST})."
                    ),
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": requested,
                        "maxCost": MAX_QUERY_COST,
                        "documentation": RATE_LIMITS_DOC,
                    },
                }
            ],
            "extensions": _cost(requested, None, bucket, ctx.settings),
        }
    if requested > bucket.available:
        return {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC},
                }
            ],
            "extensions": _cost(requested, None, bucket, ctx.settings),
        }
    bucket.available -= requested
    result = execute(
        SCHEMA, document, context_value=ctx, variable_values=variables, operation_name=operation_name
    )
    assert not hasattr(result, "__await__"), "the resolvers are synchronous"
    data = result.data
    actual = calculator.operation(operation, data, actual=True) if data is not None else requested
    actual = min(actual, requested)
    bucket.available = min(ctx.settings.bucket_size, bucket.available + requested - actual)
    bucket.spent += actual
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    body["data"] = data
    body["extensions"] = _cost(requested, actual, bucket, ctx.settings)
    return body
