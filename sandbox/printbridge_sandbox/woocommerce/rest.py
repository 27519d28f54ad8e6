"""The part of a WordPress + WooCommerce site a client talks to: the home page (API discovery), the
REST index `/wp-json/`, and `wc/v3` — system status, orders (+ notes), products (+ variations), webhooks.

Requests pass the stages WordPress passes them through, in its order: the host (misbehaviour:
unreachable, 429/5xx), authentication (`auth.py`), the key's read/write permission, routing
(`rest_no_route`), parameter validation (`rest_invalid_param`), the controller's permission check
(`woocommerce_rest_cannot_view` … for nobody), the controller."""

import asyncio
import json
import math
import re
import secrets
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from printbridge_sandbox.woocommerce import auth, shop, wcauth, writes
from printbridge_sandbox.woocommerce.deliveries import Deliverer
from printbridge_sandbox.woocommerce.params import Params
from printbridge_sandbox.woocommerce.shapes import (
    WC_VERSION,
    WP_VERSION,
    note_json,
    order_json,
    product_json,
    rest_url,
    variation_json,
    webhook_json,
)
from printbridge_sandbox.woocommerce.state import (
    ORDER_STATUSES,
    WEBHOOK_STATUSES,
    WEBHOOK_TOPICS,
    ApiCall,
    ApiKey,
    Meta,
    OrderNote,
    Reachability,
    Sandbox,
    Site,
    Webhook,
    now,
)
from printbridge_sandbox.woocommerce.wire import WPError, add_query_arg, json_response, no_route

API_LINK_REL = "https://api.w.org/"
WP_NAMESPACES = ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"]
WC_NAMESPACES = [
    "wc/store",
    "wc/store/v1",
    "wc/v1",
    "wc/v2",
    "wc/v3",
    "wc-admin",
    "wc-analytics",
    "wc-telemetry",
]
DENIED = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
}
REDACTED_PARAMS = ("consumer_secret", "oauth_signature")
READ = ("GET",)
EDIT = ("POST", "PUT", "PATCH")


@dataclass
class Call:
    site: Site
    request: Request
    method: str
    args: dict[str, str]
    query: dict[str, Any]
    body: dict[str, Any]
    caller: auth.Caller
    deliverer: Deliverer

    def params(self) -> Params:
        # WP_REST_Request::get_param(): the body wins over the query string.
        return Params({**self.query, **self.body})

    def allow(self, action: str) -> ApiKey:
        """The controller's permission callback: a key passed authentication, or nobody did."""
        if self.caller.key is None:
            code, message = DENIED[action]
            raise WPError(code, message, 401)
        return self.caller.key

    def route_id(self, name: str = "id") -> int:
        return int(self.args[name])


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    path: str  # WordPress notation, e.g. /wc/v3/orders/(?P<id>[\d]+)
    methods: tuple[str, ...]
    handler: Handler


# -- paging ------------------------------------------------------------------------------------------


def paged(call: Call, items: list[Any], page: int, per_page: int, offset: int | None, route: str) -> Response:
    """The slice for the page, with `X-WP-Total`, `X-WP-TotalPages` and the `Link` header WooCommerce
    builds: `prev`/`next` on the collection URL carrying every query parameter of this request."""
    total = len(items)
    pages = math.ceil(total / per_page) if total else 0
    start = offset if offset is not None else (page - 1) * per_page
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    query = [(name, value) for name, value in parse_qsl(call.request.url.query, keep_blank_values=True)]
    base = rest_url(call.site, route)
    links = []
    if page > 1:
        links.append(f'<{_with_page(base, query, min(page - 1, max(pages, 1)))}>; rel="prev"')
    if pages > page:
        links.append(f'<{_with_page(base, query, page + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return json_response(items[start : start + per_page], headers=headers)


def _with_page(base: str, query: list[tuple[str, str]], page: int) -> str:
    kept = [(name, value) for name, value in query if name not in ("page", "rest_route")]
    return add_query_arg(base, [*kept, ("page", str(page))])


def _ordered(items: list[Any], key: Callable[[Any], Any], order: str) -> list[Any]:
    return sorted(items, key=key, reverse=order == "desc")


def _date_filters(params: Params, zone_of_dates: Any) -> dict[str, datetime | None]:
    return {
        name: params.date_time(name, zone_of_dates)
        for name in ("after", "before", "modified_after", "modified_before")
    }


def _in_window(created: datetime, modified: datetime, window: dict[str, datetime | None]) -> bool:
    after, before = window["after"], window["before"]
    modified_after, modified_before = window["modified_after"], window["modified_before"]
    return (
        (after is None or created > after)
        and (before is None or created < before)
        and (modified_after is None or modified > modified_after)
        and (modified_before is None or modified < modified_before)
    )


# -- index -------------------------------------------------------------------------------------------


def _namespaces(site: Site) -> list[str]:
    return WP_NAMESPACES + WC_NAMESPACES if site.woocommerce else list(WP_NAMESPACES)


def _routes_index(site: Site, namespace: str | None = None) -> dict[str, Any]:
    routes: dict[str, Any] = {}
    if not site.woocommerce:
        return routes
    for route in ROUTES:
        if namespace is not None and not route.path.startswith(f"/{namespace}"):
            continue
        methods = list(route.methods)
        routes[route.path] = {
            "namespace": "wc/v3",
            "methods": methods,
            "endpoints": [{"methods": methods, "args": {}}],
        }
    return routes


async def rest_index(call: Call) -> Response:
    site = call.site
    offset = site.timezone.utcoffset(now().replace(tzinfo=None))
    return json_response(
        {
            "name": site.name,
            "description": "Just another WordPress site",
            "url": site.home_url,
            "home": site.home_url,
            "gmt_offset": offset.total_seconds() / 3600 if offset else 0,
            "timezone_string": str(site.timezone),
            "namespaces": _namespaces(site),
            "authentication": {},
            "routes": _routes_index(site),
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }
    )


async def namespace_index(call: Call) -> Response:
    return json_response({"namespace": "wc/v3", "routes": _routes_index(call.site, "wc/v3")})


async def system_status(call: Call) -> Response:
    call.allow("view")
    site = call.site
    return json_response(
        {
            "environment": {
                "home_url": site.home_url,
                "site_url": site.home_url,
                "store_id": site.salt[:32],
                "version": WC_VERSION,
                "wp_version": WP_VERSION,
                "wp_multisite": False,
                "wp_debug_mode": False,
                "language": "en_US",
                "server_info": "nginx/1.26",
                "php_version": "8.3.14",
                "default_timezone": "UTC",
            },
            "database": {"wc_database_version": WC_VERSION},
            "active_plugins": [
                {"plugin": "woocommerce/woocommerce.php", "name": "WooCommerce", "version": WC_VERSION}
            ],
            "theme": {"name": "Storefront", "version": "4.6.0"},
            "settings": {
                "api_enabled": True,
                "force_ssl": False,
                "currency": site.currency,
                "currency_position": "left",
                "thousand_separator": ",",
                "decimal_separator": ".",
                "number_of_decimals": 2,
                "woocommerce_com_connected": "no",
            },
            "security": {"secure_connection": site.scheme == "https", "hide_errors": True},
            "pages": [],
            "post_type_counts": [
                {"type": "shop_order", "count": str(len(site.orders))},
                {"type": "product", "count": str(len(site.products))},
            ],
        }
    )


# -- orders ------------------------------------------------------------------------------------------

ORDER_ORDERBY = ("date", "id", "include", "title", "slug", "modified")


def _order_or_invalid_id(call: Call, action: str, status: int) -> Any:
    """The CRUD controller's order: its permission callback checks the user against an order that
    exists (`view`/`edit`) and lets a missing one through, so a missing order is refused by the
    callback itself — `get_item` with 404, `update_item` with 400 — whoever asks."""
    order = call.site.orders.get(call.route_id())
    if order is None:
        raise WPError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", status)
    call.allow(action)
    return order


async def list_orders(call: Call) -> Response:
    params = call.params()
    page = params.integer("page", 1, minimum=1) or 1
    per_page = params.integer("per_page", 10, minimum=1, maximum=100) or 10
    offset = params.integer("offset", None, minimum=0)
    gmt = params.boolean("dates_are_gmt")
    window = _date_filters(params, None if gmt else call.site.timezone)
    orderby = params.choice("orderby", ORDER_ORDERBY, "date") or "date"
    order = params.choice("order", ("asc", "desc"), "desc") or "desc"
    statuses = params.choices("status", ("any", *ORDER_STATUSES), ["any"])
    include = params.integers("include")
    exclude = params.integers("exclude") or []
    customer = params.integer("customer", None, minimum=0)
    product = params.integer("product", None, minimum=0)
    search = params.text("search")
    params.check()
    call.allow("list")

    def wanted(candidate: Any) -> bool:
        status_ok = candidate.status in statuses or ("any" in statuses and candidate.status != "trash")
        text = " ".join(
            [str(candidate.id), *candidate.billing.values(), *candidate.shipping.values()]
            + [item.name for item in candidate.line_items]
        ).lower()
        return (
            status_ok
            and _in_window(candidate.created_at, candidate.modified_at, window)
            and (include is None or candidate.id in include)
            and candidate.id not in exclude
            and (customer is None or candidate.customer_id == customer)
            and (product is None or any(item.product_id == product for item in candidate.line_items))
            and (search is None or search.lower() in text)
        )

    found = [candidate for candidate in call.site.orders.values() if wanted(candidate)]
    sort_keys: dict[str, Callable[[Any], Any]] = {
        "date": lambda o: (o.created_at, o.id),
        "modified": lambda o: (o.modified_at, o.id),
        "include": lambda o: include.index(o.id) if include else o.id,
    }
    found = _ordered(found, sort_keys.get(orderby, lambda o: o.id), order)
    items = [order_json(call.site, candidate) for candidate in found]
    return paged(call, items, page, per_page, offset, "wc/v3/orders")


async def get_order(call: Call) -> Response:
    return json_response(order_json(call.site, _order_or_invalid_id(call, "view", 404)))


async def update_order(call: Call) -> Response:
    params = call.params()
    status = params.choice("status", ORDER_STATUSES)
    customer_note = params.text("customer_note")
    transaction_id = params.text("transaction_id")
    set_paid = params.boolean("set_paid")
    meta = params.raw("meta_data")
    if meta is not None and not (
        isinstance(meta, list) and all(isinstance(m, dict) and isinstance(m.get("key"), str) for m in meta)
    ):
        params.invalid["meta_data"] = "meta_data[0][key] is not of type string."
    params.check()
    order = _order_or_invalid_id(call, "edit", 400)
    previous_status = order.status
    moment = now()
    if status is not None:
        shop.set_order_status(call.site, order, status, moment, by_user=False)
    if set_paid and order.paid_at is None:
        shop.set_order_status(
            call.site, order, "processing" if status is None else order.status, moment, by_user=False
        )
    if customer_note is not None:
        order.customer_note = customer_note
    if transaction_id is not None:
        order.transaction_id = transaction_id
    for change in meta or []:
        existing = next(
            (m for m in order.meta_data if m.id == change.get("id") or m.key == change["key"]), None
        )
        if existing is None:
            order.meta_data.append(Meta(call.site.next_meta_id(), change["key"], change.get("value")))
        else:
            existing.value = change.get("value")
    order.modified_at = moment
    shop.order_changed(call.site, order, previous_status, call.deliverer)
    return json_response(order_json(call.site, order))


def _noted_order_or_404(call: Call, code: str = "woocommerce_rest_order_invalid_id") -> Any:
    """The order notes controller's own check (listing says `woocommerce_rest_shop_order_invalid_id`,
    the rest `woocommerce_rest_order_invalid_id`; both "Invalid order ID.")."""
    order = call.site.orders.get(call.route_id("order_id"))
    if order is None:
        raise WPError(code, "Invalid order ID.", 404)
    return order


async def list_notes(call: Call) -> Response:
    params = call.params()
    kind = params.choice("type", ("any", "customer", "internal"), "any")
    params.check()
    call.allow("list")
    order = _noted_order_or_404(call, "woocommerce_rest_shop_order_invalid_id")
    notes = [note for note in order.notes if kind == "any" or (kind == "customer") == note.customer_note]
    notes.sort(key=lambda note: (note.created_at, note.id), reverse=True)
    return json_response([note_json(call.site, order, note) for note in notes])


async def create_note(call: Call) -> Response:
    params = call.params()
    params.required("note")
    customer_note = params.boolean("customer_note")
    added_by_user = params.boolean("added_by_user")
    params.check()
    call.allow("create")
    if params.raw("id"):
        raise WPError("woocommerce_rest_shop_order_exists", "Cannot create existing shop_order.", 400)
    order = _noted_order_or_404(call)
    note = OrderNote(
        id=call.site.next_note_id(),
        note=str(params.raw("note")),
        customer_note=customer_note,
        author=shop.ADMIN_AUTHOR if added_by_user else shop.SYSTEM_AUTHOR,
        created_at=now(),
    )
    order.notes.append(note)
    headers = {"Location": rest_url(call.site, f"wc/v3/orders/{order.id}/notes/{note.id}")}
    return json_response(note_json(call.site, order, note), 201, headers)


async def get_note(call: Call) -> Response:
    call.allow("view")
    order = _noted_order_or_404(call)
    note = next((note for note in order.notes if note.id == call.route_id()), None)
    if note is None:
        raise WPError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
    return json_response(note_json(call.site, order, note))


# -- products ----------------------------------------------------------------------------------------

PRODUCT_ORDERBY = ("date", "id", "include", "title", "slug", "modified", "price")
PRODUCT_STATUSES = ("any", "draft", "pending", "private", "publish")


async def list_products(call: Call) -> Response:
    params = call.params()
    page = params.integer("page", 1, minimum=1) or 1
    per_page = params.integer("per_page", 10, minimum=1, maximum=100) or 10
    offset = params.integer("offset", None, minimum=0)
    gmt = params.boolean("dates_are_gmt")
    window = _date_filters(params, None if gmt else call.site.timezone)
    orderby = params.choice("orderby", PRODUCT_ORDERBY, "date") or "date"
    order = params.choice("order", ("asc", "desc"), "desc") or "desc"
    status = params.choice("status", PRODUCT_STATUSES, "any") or "any"
    kind = params.choice("type", ("simple", "grouped", "external", "variable"))
    skus = params.text("sku")
    slug = params.text("slug")
    include = params.integers("include")
    search = params.text("search")
    params.check()
    call.allow("list")
    wanted_skus = {sku.strip() for sku in skus.split(",")} if skus else None
    found = [
        product
        for product in call.site.products.values()
        if (product.status == status or (status == "any" and product.status != "trash"))
        and (kind is None or product.type == kind)
        and (wanted_skus is None or product.sku in wanted_skus)
        and (slug is None or product.slug == slug)
        and (include is None or product.id in include)
        and (search is None or search.lower() in product.name.lower())
        and _in_window(product.created_at, product.modified_at, window)
    ]
    sort_keys: dict[str, Callable[[Any], Any]] = {
        "date": lambda p: (p.created_at, p.id),
        "modified": lambda p: (p.modified_at, p.id),
        "title": lambda p: (p.name.lower(), p.id),
        "slug": lambda p: (p.slug, p.id),
        "include": lambda p: include.index(p.id) if include else p.id,
    }
    found = _ordered(found, sort_keys.get(orderby, lambda p: p.id), order)
    items = [product_json(call.site, product) for product in found]
    return paged(call, items, page, per_page, offset, "wc/v3/products")


def _product_or_404(call: Call, name: str = "id") -> Any:
    product = call.site.products.get(call.route_id(name))
    if product is None:
        raise WPError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    return product


async def get_product(call: Call) -> Response:
    call.allow("view")
    return json_response(product_json(call.site, _product_or_404(call)))


async def list_variations(call: Call) -> Response:
    product = _product_or_404(call, "product_id")
    params = call.params()
    page = params.integer("page", 1, minimum=1) or 1
    per_page = params.integer("per_page", 10, minimum=1, maximum=100) or 10
    offset = params.integer("offset", None, minimum=0)
    order = params.choice("order", ("asc", "desc"), "desc") or "desc"
    sku = params.text("sku")
    params.check()
    call.allow("list")
    found = [v for v in product.variations if sku is None or v.sku == sku]
    found = _ordered(found, lambda v: (v.created_at, v.id), order)
    items = [variation_json(call.site, product, variation) for variation in found]
    return paged(call, items, page, per_page, offset, f"wc/v3/products/{product.id}/variations")


async def create_product(call: Call) -> Response:
    call.allow("create")
    product = writes.create_product(call.site, call.body)
    call.deliverer.emit(call.site, "product.created", product_json(call.site, product))
    return writes.created(call.site, product)


async def update_product(call: Call) -> Response:
    product = _product_or_404(call)
    call.allow("edit")
    writes.update_product(call.site, product, call.body)
    call.deliverer.emit(call.site, "product.updated", product_json(call.site, product))
    return json_response(product_json(call.site, product))


async def delete_product(call: Call) -> Response:
    product = _product_or_404(call)
    params = call.params()
    force = params.boolean("force")
    params.check()
    call.allow("delete")
    if force:
        del call.site.products[product.id]
        call.deliverer.emit(call.site, "product.deleted", {"id": product.id})
    else:
        product.status = "trash"
        product.modified_at = now()
        call.deliverer.emit(call.site, "product.deleted", {"id": product.id})
    return json_response(product_json(call.site, product))


async def create_variation(call: Call) -> Response:
    product = _product_or_404(call, "product_id")
    call.allow("create")
    variation = writes.create_variation(call.site, product, call.body)
    call.deliverer.emit(call.site, "product.updated", product_json(call.site, product))
    return json_response(variation_json(call.site, product, variation), 201)


async def batch_variations(call: Call) -> Response:
    product = _product_or_404(call, "product_id")
    call.allow("create")
    answer = writes.batch_variations(call.site, product, call.body)
    if any("error" not in item for item in answer["create"]):
        call.deliverer.emit(call.site, "product.updated", product_json(call.site, product))
    return json_response(answer)


async def get_variation(call: Call) -> Response:
    product = _product_or_404(call, "product_id")
    call.allow("view")
    variation = next((v for v in product.variations if v.id == call.route_id()), None)
    if variation is None:
        raise WPError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
    return json_response(variation_json(call.site, product, variation))


# -- webhooks ----------------------------------------------------------------------------------------


def _webhook_or_404(call: Call) -> Webhook:
    webhook = call.site.webhooks.get(call.route_id())
    if webhook is None:
        raise WPError("woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.", 404)
    return webhook


def _valid_url(url: Any) -> bool:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://")) and len(url) > 8


def _generated_password(length: int) -> str:
    """`wp_generate_password($length, true, true)`."""
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*()" + "-_ []{}<>~`+=,.;:/?|"
    return "".join(secrets.choice(alphabet) for _ in range(length))


async def list_webhooks(call: Call) -> Response:
    params = call.params()
    page = params.integer("page", 1, minimum=1) or 1
    per_page = params.integer("per_page", 10, minimum=1, maximum=100) or 10
    offset = params.integer("offset", None, minimum=0)
    status = params.choice("status", ("all", *WEBHOOK_STATUSES), "all") or "all"
    order = params.choice("order", ("asc", "desc"), "desc") or "desc"
    params.check()
    call.allow("list")
    found = [w for w in call.site.webhooks.values() if status in ("all", w.status)]
    found = _ordered(found, lambda w: (w.created_at, w.id), order)
    items = [webhook_json(call.site, webhook) for webhook in found]
    return paged(call, items, page, per_page, offset, "wc/v3/webhooks")


async def get_webhook(call: Call) -> Response:
    call.allow("view")
    return json_response(webhook_json(call.site, _webhook_or_404(call)))


def _topic_error() -> WPError:
    return WPError(
        "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.", 400
    )


def _url_error() -> WPError:
    return WPError(
        "woocommerce_rest_shop_webhook_invalid_delivery_url",
        "Webhook delivery URL must be a valid URL starting with http:// or https://.",
        400,
    )


async def create_webhook(call: Call) -> Response:
    params = call.params()
    params.required("topic")
    params.required("delivery_url")
    status = params.choice("status", WEBHOOK_STATUSES, "active") or "active"
    name = params.text("name")
    secret = params.text("secret")
    params.check()
    key = call.allow("create")
    topic = str(params.raw("topic")).lower()
    if topic not in WEBHOOK_TOPICS:
        raise _topic_error()
    if not _valid_url(params.raw("delivery_url")):
        raise _url_error()
    moment = now()
    webhook = Webhook(
        id=call.site.next_webhook_id(),
        name=name or f"Webhook created on {moment.strftime('%B %d, %Y @ %I:%M %p')}",
        status=status,
        topic=topic,
        delivery_url=str(params.raw("delivery_url")),
        # Without one WooCommerce makes a random one it never shows: send your own to verify anything.
        secret=secret or _generated_password(50),
        created_at=moment,
        modified_at=moment,
        key_id=key.key_id,
    )
    call.site.webhooks[webhook.id] = webhook
    if webhook.status == "active":
        # WooCommerce pings before it answers; the outcome only shows in pending_delivery.
        await call.deliverer.ping(call.site, webhook)
    headers = {"Location": rest_url(call.site, f"wc/v3/webhooks/{webhook.id}")}
    return json_response(webhook_json(call.site, webhook), 201, headers)


async def update_webhook(call: Call) -> Response:
    webhook = _webhook_or_404(call)
    params = call.params()
    status = params.choice("status", WEBHOOK_STATUSES)
    name = params.text("name")
    secret = params.text("secret")
    params.check()
    call.allow("edit")
    if params.present("topic"):
        topic = str(params.raw("topic")).lower()
        if topic not in WEBHOOK_TOPICS:
            raise _topic_error()
        webhook.topic = topic
    if params.present("delivery_url"):
        if not _valid_url(params.raw("delivery_url")):
            raise _url_error()
        if params.raw("delivery_url") != webhook.delivery_url:
            webhook.delivery_url = str(params.raw("delivery_url"))
            webhook.pending_delivery = True
    if name is not None:
        webhook.name = name
    if secret is not None:
        webhook.secret = secret
    if status is not None:
        webhook.status = status
    webhook.modified_at = now()
    if webhook.status == "active" and webhook.pending_delivery:
        await call.deliverer.ping(call.site, webhook)
    return json_response(webhook_json(call.site, webhook))


async def delete_webhook(call: Call) -> Response:
    webhook = _webhook_or_404(call)
    params = call.params()
    force = params.boolean("force")
    params.check()
    call.allow("delete")
    if not force:
        raise WPError("woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501)
    del call.site.webhooks[webhook.id]
    return json_response(webhook_json(call.site, webhook))


ID = r"(?P<id>[\d]+)"
ROUTES = (
    Route("/wc/v3", READ, namespace_index),
    Route("/wc/v3/system_status", READ, system_status),
    Route("/wc/v3/orders", READ, list_orders),
    Route(f"/wc/v3/orders/{ID}", READ, get_order),
    Route(f"/wc/v3/orders/{ID}", EDIT, update_order),
    Route(r"/wc/v3/orders/(?P<order_id>[\d]+)/notes", READ, list_notes),
    Route(r"/wc/v3/orders/(?P<order_id>[\d]+)/notes", ("POST",), create_note),
    Route(rf"/wc/v3/orders/(?P<order_id>[\d]+)/notes/{ID}", READ, get_note),
    Route("/wc/v3/products", READ, list_products),
    Route("/wc/v3/products", ("POST",), create_product),
    Route(f"/wc/v3/products/{ID}", READ, get_product),
    Route(f"/wc/v3/products/{ID}", EDIT, update_product),
    Route(f"/wc/v3/products/{ID}", ("DELETE",), delete_product),
    Route(r"/wc/v3/products/(?P<product_id>[\d]+)/variations", READ, list_variations),
    Route(r"/wc/v3/products/(?P<product_id>[\d]+)/variations", ("POST",), create_variation),
    Route(r"/wc/v3/products/(?P<product_id>[\d]+)/variations/batch", EDIT, batch_variations),
    Route(rf"/wc/v3/products/(?P<product_id>[\d]+)/variations/{ID}", READ, get_variation),
    Route("/wc/v3/webhooks", READ, list_webhooks),
    Route("/wc/v3/webhooks", ("POST",), create_webhook),
    Route(f"/wc/v3/webhooks/{ID}", READ, get_webhook),
    Route(f"/wc/v3/webhooks/{ID}", EDIT, update_webhook),
    Route(f"/wc/v3/webhooks/{ID}", ("DELETE",), delete_webhook),
)
_COMPILED = [(re.compile(f"^{route.path}/?$"), route) for route in ROUTES]


def _match(site: Site, method: str, route: str) -> tuple[Route, dict[str, str]] | None:
    if route.rstrip("/") == "":
        return Route("/", READ, rest_index), {}
    if not site.woocommerce:
        return None
    for pattern, candidate in _COMPILED:
        found = pattern.match(route)
        if found and method in candidate.methods:
            return candidate, found.groupdict()
    return None


# -- the host ------------------------------------------------------------------------------------------


def _redacted(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(n, "[redacted]" if n in REDACTED_PARAMS else v) for n, v in pairs])


def _host_failure(site: Site) -> Response | None:
    misbehaviour = site.misbehaviour
    if misbehaviour.reachability is Reachability.down:
        return HTMLResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", 502)
    if misbehaviour.fail_next_calls <= 0:
        return None
    misbehaviour.fail_next_calls -= 1
    status = misbehaviour.fail_status
    headers = {}
    if misbehaviour.retry_after_s is not None and status in (429, 503):
        headers["Retry-After"] = str(misbehaviour.retry_after_s)
    if status == 500:
        # WordPress's fatal-error handler answers REST requests with JSON.
        body = {
            "code": "internal_server_error",
            "message": "<p>There has been a critical error on this website.</p>",
            "data": {"status": 500},
            "additional_errors": [],
        }
        return json_response(body, 500, headers)
    titles = {
        429: "Too Many Requests",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return HTMLResponse(f"<html><body><h1>{status} {titles[status]}</h1></body></html>", status, headers)


async def _hang(site: Site) -> Response:
    try:
        await asyncio.wait_for(site.unhang.wait(), site.misbehaviour.hang_seconds)
    except TimeoutError:
        pass
    return HTMLResponse("<html><body><h1>504 Gateway Time-out</h1></body></html>", 504)


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _form(request: Request, raw: bytes) -> dict[str, Any]:
    """`$_POST`: a form body's parameters (OAuth parameters may travel there)."""
    if _content_type(request) != "application/x-www-form-urlencoded" or not raw:
        return {}
    return auth.php_params(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def _json(request: Request, raw: bytes) -> dict[str, Any]:
    """A JSON body, parsed once a route matched (WordPress refuses bad JSON only then)."""
    if _content_type(request) != "application/json" or not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise WPError(
            "rest_invalid_json", "Invalid JSON body passed.", 400, json_error_message=str(exc)
        ) from exc
    return parsed if isinstance(parsed, dict) else {}


async def serve(request: Request, sandbox: Sandbox, deliverer: Deliverer, slug: str, path: str) -> Response:
    """Everything under `/sites/{slug}/`: `path` is what follows (`wp-json/wc/v3/orders`, `` …)."""
    site = sandbox.sites.get(slug)
    if site is None:
        return HTMLResponse("<html><body><h1>404 Not Found</h1></body></html>", 404)
    call_log = ApiCall(
        number=site.next_call_number(),
        at=now(),
        method=request.method,
        path=request.url.path,
        query=_redacted(request.url.query),
        auth=None,
        key_id=None,
    )
    site.calls.append(call_log)
    response = await _serve(request, site, deliverer, path, call_log)
    call_log.status = response.status_code
    return response


async def _serve(
    request: Request, site: Site, deliverer: Deliverer, path: str, call_log: ApiCall
) -> Response:
    if site.misbehaviour.reachability is Reachability.hang:
        return await _hang(site)
    if site.misbehaviour.response_delay_s > 0:
        await asyncio.sleep(site.misbehaviour.response_delay_s)
    failure = _host_failure(site)
    if failure is not None:
        return failure
    if site.scheme == "https" and request.url.scheme != "https":
        suffix = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{site.home_url}/{path}{suffix}", 301)
    discovery = {"Link": f'<{rest_url(site, "")}>; rel="{API_LINK_REL}"'}
    query = auth.query_params(request.url.query)
    rest_route = query.get("rest_route") if path.strip("/") in ("", "index.php") else None
    if path.startswith("wc-auth/v1/"):
        return await wcauth.handle(site, deliverer, path[len("wc-auth/v1/") :], request.url.query)
    if site.pretty_permalinks and (path == "wp-json" or path.startswith("wp-json/")):
        route = "/" + path[len("wp-json") :].lstrip("/")
    elif isinstance(rest_route, str):
        route = "/" + rest_route.lstrip("/")
        query = {name: value for name, value in query.items() if name != "rest_route"}
    elif path.strip("/") in ("", "index.php"):
        page = f"<html><head><title>{site.name}</title></head><body><h1>{site.name}</h1></body></html>"
        return HTMLResponse(page, headers=discovery)
    else:
        return HTMLResponse("<html><body><h1>Page not found</h1></body></html>", 404, discovery)
    try:
        response = await _rest(request, site, deliverer, route, query, call_log)
    except WPError as error:
        response = error.response()
    # WordPress sends its discovery link on every answer, beside a collection's paging links.
    response.headers.append("Link", discovery["Link"])
    response.headers.update({"X-Robots-Tag": "noindex", "X-Content-Type-Options": "nosniff"})
    return response


async def _rest(
    request: Request, site: Site, deliverer: Deliverer, route: str, query: dict[str, Any], call_log: ApiCall
) -> Response:
    method = request.method.upper()
    override = request.headers.get("x-http-method-override") or query.get("_method")
    if method == "POST" and isinstance(override, str) and override:
        method = override.upper()
    if method == "HEAD":
        method = "GET"
    raw = await request.body()
    form = _form(request, raw)
    caller = auth.Caller()
    if site.woocommerce and route.startswith(("/wc/", "/wc-")):
        caller = auth.authenticate(
            site,
            method=request.method.upper(),
            url_without_query=auth.signature_url(site, request.url.scheme, request.url.path),
            query=auth.query_params(request.url.query),
            form=form,
            authorization=""
            if site.misbehaviour.strip_authorization
            else request.headers.get("authorization", ""),
            is_ssl=request.url.scheme == "https",
        )
        call_log.auth = caller.method if caller.key or caller.error else None
        call_log.key_id = caller.key.key_id if caller.key else None
        if caller.error is not None:
            raise caller.error
        if caller.key is not None:
            refused = auth.key_permission_error(caller.key, method)
            if refused is not None:
                raise refused
            caller.key.last_access = now()
    matched = _match(site, method, route)
    if matched is None:
        raise no_route()
    route_def, args = matched
    body = form or _json(request, raw)
    call = Call(site, request, method, args, query, body, caller, deliverer)
    return await route_def.handler(call)
