"""The sandbox's shops, held in memory: sites with their keys, orders, products, webhooks and logs.

A sandbox is a fake at Printbridge's outer edge; its state lives as long as the process (or until
`reset`), one event loop owns it, so plain objects are enough."""

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


def now() -> datetime:
    # WordPress stores dates to the second.
    return datetime.now(UTC).replace(microsecond=0)


class Permission(StrEnum):
    read = "read"
    write = "write"
    read_write = "read_write"

    def can_read(self) -> bool:
        return self in (Permission.read, Permission.read_write)

    def can_write(self) -> bool:
        return self in (Permission.write, Permission.read_write)


class Reachability(StrEnum):
    up = "up"
    # The origin is down behind the host's proxy: every request gets a 502 HTML page.
    down = "down"
    # The server accepts the connection and never answers (until reset or `hang_seconds`).
    hang = "hang"


ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)
WEBHOOK_STATUSES = ("active", "paused", "disabled")
WEBHOOK_TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
)


@dataclass
class ApiKey:
    key_id: int
    consumer_key: str
    consumer_secret: str
    permissions: Permission
    description: str
    created_at: datetime
    # OAuth 1.0a nonces seen in the last 15 minutes: nonce -> its timestamp.
    nonces: dict[str, int] = field(default_factory=dict)
    last_access: datetime | None = None


@dataclass
class Meta:
    id: int
    key: str
    value: Any
    display_key: str | None = None
    display_value: Any = None


@dataclass
class LineItem:
    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: int
    sku: str
    price: Decimal
    total_tax: Decimal
    meta_data: list[Meta]
    parent_name: str | None = None

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity


@dataclass
class ShippingLine:
    id: int
    method_id: str
    method_title: str
    total: Decimal


@dataclass
class OrderNote:
    id: int
    note: str
    customer_note: bool
    author: str
    created_at: datetime


@dataclass
class Order:
    id: int
    status: str
    currency: str
    order_key: str
    created_at: datetime
    modified_at: datetime
    billing: dict[str, str]
    shipping: dict[str, str]
    line_items: list[LineItem]
    shipping_lines: list[ShippingLine]
    meta_data: list[Meta]
    customer_id: int = 0
    customer_note: str = ""
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    created_via: str = "checkout"
    paid_at: datetime | None = None
    completed_at: datetime | None = None
    notes: list[OrderNote] = field(default_factory=list)

    @property
    def shipping_total(self) -> Decimal:
        return sum((line.total for line in self.shipping_lines), Decimal(0))

    @property
    def total_tax(self) -> Decimal:
        return sum((item.total_tax for item in self.line_items), Decimal(0))

    @property
    def total(self) -> Decimal:
        items = sum((item.total for item in self.line_items), Decimal(0))
        return items + self.shipping_total + self.total_tax


@dataclass
class Variation:
    id: int
    sku: str
    regular_price: Decimal | None
    attributes: list[dict[str, str]]
    created_at: datetime
    modified_at: datetime
    status: str = "publish"
    meta_data: list[Meta] = field(default_factory=list)


@dataclass
class Product:
    id: int
    name: str
    slug: str
    type: str
    status: str
    sku: str
    regular_price: Decimal | None
    created_at: datetime
    modified_at: datetime
    attributes: list[dict[str, Any]]
    variations: list[Variation]
    meta_data: list[Meta] = field(default_factory=list)
    description: str = ""
    images: list[str] = field(default_factory=list)


@dataclass
class Webhook:
    id: int
    name: str
    status: str
    topic: str
    delivery_url: str
    secret: str
    created_at: datetime
    modified_at: datetime
    key_id: int
    failure_count: int = 0
    pending_delivery: bool = True

    @property
    def resource(self) -> str:
        return self.topic.split(".", 1)[0]

    @property
    def event(self) -> str:
        return self.topic.split(".", 1)[1]


@dataclass
class Delivery:
    """One POST the site made (or chose not to make) to a webhook's delivery URL."""

    number: int
    kind: str  # "ping" or "event"
    webhook_id: int
    topic: str | None
    delivery_url: str
    delivery_id: str | None
    body: bytes
    headers: dict[str, str]
    queued_at: datetime
    outcome: str = "queued"  # queued, held, delivered, failed, dropped
    response_status: int | None = None
    error: str | None = None
    sent_at: datetime | None = None
    duration_s: float | None = None


@dataclass
class ApiCall:
    number: int
    at: datetime
    method: str
    path: str
    query: str
    auth: str | None
    key_id: int | None
    status: int = 0


@dataclass
class Misbehaviour:
    """What a site does wrong on purpose; counters count down as they take effect."""

    duplicate_deliveries: int = 0
    out_of_order_deliveries: int = 0
    drop_deliveries: int = 0
    delivery_delay_s: float = 0.0
    response_delay_s: float = 0.0
    fail_next_calls: int = 0
    fail_status: int = 503
    retry_after_s: int | None = None
    reachability: Reachability = Reachability.up
    # A host that drops the Authorization header before PHP sees it (Basic auth then fails).
    strip_authorization: bool = False
    hang_seconds: float = 120.0
    # WooCommerce's `woocommerce_max_webhook_delivery_failures` filter.
    max_delivery_failures: int = 5


@dataclass
class Site:
    slug: str
    scheme: str  # the scheme of the home URL: "https" or "http"
    woocommerce: bool
    home_url: str  # without trailing slash, e.g. http://127.0.0.1:9102/sites/acme
    timezone: ZoneInfo
    currency: str
    name: str
    # WordPress's permalink setting: "Plain" serves the REST API only as ?rest_route=.
    pretty_permalinks: bool = True
    # Not WooCommerce: lets wc-auth post keys to an http:// callback_url (local end-to-end runs).
    allow_http_callback: bool = False
    # The salt of wp_hash() (delivery ids): one per site, as one per WordPress install.
    salt: str = field(default_factory=lambda: secrets.token_hex(32))
    keys: dict[int, ApiKey] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    misbehaviour: Misbehaviour = field(default_factory=Misbehaviour)
    # Deliveries held back to be released in reverse order (out-of-order misbehaviour).
    held: list[Delivery] = field(default_factory=list)
    # Set to let requests that hang (reachability "hang") finish.
    unhang: asyncio.Event = field(default_factory=asyncio.Event)
    _post_ids: Iterator[int] = field(default_factory=lambda: iter(range(101, 10**9)))
    _item_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))
    _meta_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))
    _webhook_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))
    _key_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))
    _note_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))
    _delivery_numbers: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))
    _call_numbers: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))

    # Orders, products and variations share WordPress's post ids.
    def next_post_id(self) -> int:
        return next(self._post_ids)

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def next_meta_id(self) -> int:
        return next(self._meta_ids)

    def next_webhook_id(self) -> int:
        return next(self._webhook_ids)

    def next_key_id(self) -> int:
        return next(self._key_ids)

    def next_note_id(self) -> int:
        return next(self._note_ids)

    def next_delivery_number(self) -> int:
        return next(self._delivery_numbers)

    def next_call_number(self) -> int:
        return next(self._call_numbers)

    def key_by_consumer_key(self, consumer_key: str) -> ApiKey | None:
        for key in self.keys.values():
            if secrets.compare_digest(key.consumer_key.encode(), consumer_key.encode()):
                return key
        return None

    def variation(self, variation_id: int) -> tuple[Product, Variation] | None:
        for product in self.products.values():
            for variation in product.variations:
                if variation.id == variation_id:
                    return product, variation
        return None


@dataclass
class Sandbox:
    """Every site of one sandbox server."""

    sites: dict[str, Site] = field(default_factory=dict)
