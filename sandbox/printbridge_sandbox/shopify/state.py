"""What the Shopify sandbox knows: apps, shops, installations and their tokens, products, orders, webhook
subscriptions and deliveries, plus the misbehaviour each shop is set to. All in memory, owned by the
server's event loop (every change happens in a request handler or a delivery task of that loop)."""

import itertools
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")


def now() -> datetime:
    """Shopify's timestamps have whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


class Ids:
    """64-bit ids in the ranges Shopify's are in: many above 2**53, so a JSON parser that reads numbers
    as doubles loses digits, as with the real platform."""

    def __init__(self) -> None:
        self._counters = {
            "Shop": itertools.count(54_838_000_901),
            "Order": itertools.count(820_982_911_946_154_508, 7919),
            "LineItem": itertools.count(866_550_311_766_439_020, 7919),
            "Product": itertools.count(8_123_456_789_012, 1),
            "ProductVariant": itertools.count(45_123_456_789_012, 1),
            "FulfillmentOrder": itertools.count(1_046_000_000_000, 1),
            "FulfillmentOrderLineItem": itertools.count(1_058_000_000_000, 1),
            "Fulfillment": itertools.count(5_912_000_000_000, 1),
            "FulfillmentLineItem": itertools.count(12_104_000_000_000, 1),
            "WebhookSubscription": itertools.count(4_759_306_000_000, 1),
            "Customer": itertools.count(7_123_456_789_012, 1),
            "MailingAddress": itertools.count(9_876_543_210_000, 1),
            "AppInstallation": itertools.count(38_000_000_000, 1),
        }

    def next(self, kind: str) -> int:
        return next(self._counters[kind])


def gid(kind: str, legacy_id: int) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"


def parse_gid(value: str, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    if not value.startswith(prefix):
        return None
    tail = value[len(prefix) :].split("?", 1)[0]
    return int(tail) if tail.isdigit() else None


@dataclass
class App:
    client_id: str
    client_secret: str
    # Empty: any redirect_uri is accepted (real apps list their allowed redirect URLs).
    redirect_urls: list[str] = field(default_factory=list)
    title: str = "Printbridge"


@dataclass
class AccessToken:
    value: str
    shop: str
    client_id: str
    expires_at: datetime | None  # None: a non-expiring offline token
    online: bool = False
    revoked: bool = False
    used: bool = False


@dataclass
class RefreshToken:
    value: str
    shop: str
    client_id: str
    expires_at: datetime
    access_token: str  # the access token issued with it
    revoked: bool = False
    used: bool = False
    # The refresh token this one replaced: stays valid until this one (or its access token) is used.
    previous: str | None = None


@dataclass
class AuthorizationCode:
    value: str
    shop: str
    client_id: str
    scopes: list[str]
    online: bool
    expires_at: datetime
    used: bool = False


@dataclass
class Installation:
    id: int
    shop: str
    client_id: str
    scopes: list[str]


@dataclass
class Variant:
    id: int
    product_id: int
    title: str
    sku: str | None
    price: Decimal
    position: int
    created_at: datetime
    updated_at: datetime
    # The option values that make this variant, e.g. {"Size": "A5"}; Shopify's own for a product without
    # options is {"Title": "Default Title"}.
    options: dict[str, str] = field(default_factory=lambda: {"Title": "Default Title"})


@dataclass
class Product:
    id: int
    title: str
    handle: str
    status: str  # ACTIVE | DRAFT | ARCHIVED | UNLISTED
    vendor: str
    product_type: str
    created_at: datetime
    updated_at: datetime
    variants: list[Variant] = field(default_factory=list)
    description_html: str = ""
    # The option names in order with their values in order (productSet's productOptions); empty: the
    # names and values the variants carry, in their order.
    options: list[tuple[str, list[str]]] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)
    # (namespace, key) → value
    metafields: dict[tuple[str, str], str] = field(default_factory=dict)


def option_lists(product: Product) -> list[tuple[str, list[str]]]:
    """The product's options with their values in order: as productSet gave them, else as its variants
    carry them (Shopify's own "Title" / "Default Title" for a product without options)."""
    if product.options:
        return product.options
    found: dict[str, list[str]] = {}
    for variant in product.variants:
        for name, value in variant.options.items():
            values = found.setdefault(name, [])
            if value not in values:
                values.append(value)
    return list(found.items())


@dataclass
class LineItem:
    id: int
    title: str
    variant_title: str | None
    sku: str | None
    quantity: int
    price: Decimal
    variant_id: int | None
    product_id: int | None
    properties: list[tuple[str, str | None]]
    vendor: str | None = None
    requires_shipping: bool = True
    grams: int = 0


@dataclass
class FulfillmentOrderLine:
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclass
class FulfillmentOrder:
    id: int
    status: str  # OPEN | IN_PROGRESS | CLOSED | CANCELLED | ...
    line_items: list[FulfillmentOrderLine]
    created_at: datetime
    updated_at: datetime


@dataclass
class FulfillmentLine:
    id: int
    line_item_id: int
    fulfillment_order_line_id: int
    quantity: int


@dataclass
class Fulfillment:
    """A shipment made with fulfillmentCreate: some quantity of fulfillment order line items, one tracking."""

    id: int
    number: int  # the n-th fulfillment of its order: name is "#{order number}.{n}"
    status: str  # SUCCESS (CANCELLED, ERROR, FAILURE are not reached in the sandbox)
    created_at: datetime
    updated_at: datetime
    lines: list[FulfillmentLine]
    fulfillment_order_ids: list[int]
    tracking_number: str | None
    tracking_url: str | None
    tracking_company: str | None
    notify_customer: bool
    message: str | None


@dataclass
class Order:
    id: int
    number: int  # name is "#{number}"
    email: str | None
    phone: str | None
    currency: str
    created_at: datetime
    updated_at: datetime
    processed_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None
    closed_at: datetime | None
    financial_status: str  # REST spelling: paid, pending, ...
    fulfillment_status: str | None
    test: bool
    note: str | None
    tags: list[str]
    note_attributes: list[tuple[str, str | None]]
    line_items: list[LineItem]
    shipping_lines: list[dict[str, Any]]
    total_tax: Decimal
    total_discounts: Decimal
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    customer_id: int | None
    fulfillment_orders: list[FulfillmentOrder]
    fulfillments: list[Fulfillment] = field(default_factory=list)
    source_name: str = "web"
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def subtotal(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.line_items), Decimal("0.00"))

    @property
    def shipping_total(self) -> Decimal:
        return sum((Decimal(str(line["price"])) for line in self.shipping_lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_total + self.total_tax - self.total_discounts


@dataclass
class Subscription:
    id: int
    shop: str
    client_id: str
    topic: str  # GraphQL enum spelling, ORDERS_CREATE
    uri: str
    format: str
    api_version: str
    include_fields: list[str]
    filter: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def rest_topic(self) -> str:
        return rest_topic(self.topic)


def rest_topic(enum_topic: str) -> str:
    """ORDERS_CREATE → orders/create; APP_UNINSTALLED → app/uninstalled."""
    head, _, tail = enum_topic.lower().partition("_")
    return f"{head}/{tail}"


@dataclass
class Attempt:
    at: datetime
    status_code: int | None
    error: str | None


@dataclass
class Delivery:
    webhook_id: str
    event_id: str
    shop: str
    client_id: str
    subscription_id: int
    topic: str  # REST spelling, orders/create
    uri: str
    api_version: str
    body: bytes
    triggered_at: datetime
    status: str = "pending"  # pending | retrying | delivered | failed | dropped | held
    attempts: list[Attempt] = field(default_factory=list)
    duplicate_of: str | None = None


@dataclass
class ApiCall:
    at: datetime
    shop: str
    method: str
    path: str
    has_access_token: bool
    client_id: str | None
    status: int
    # A GraphQL call's top-level fields (`order`, `currentAppInstallation`, `fulfillmentCreate`, …):
    # what it read or changed.
    fields: list[str] = field(default_factory=list)


@dataclass
class Misbehaviour:
    """What a shop does wrong on purpose, set through the control API."""

    oauth_decline: bool = False
    oauth_withhold_scopes: list[str] = field(default_factory=list)
    oauth_forge_hmac: bool = False
    webhook_duplicate: bool = False
    webhook_hold_back: int = 0  # deliveries to hold until a later one of the shop has gone out
    webhook_drop: int = 0  # deliveries to drop
    api_delay_seconds: float = 0.0
    api_fail_count: int = 0
    api_fail_status: int = 503
    api_fail_retry_after: float | None = None
    # GraphQL mutations to carry out and then answer 504 (the answer lost on the way: a retry must not
    # make the change twice).
    api_lose_mutation_answers: int = 0


@dataclass
class Bucket:
    available: float
    updated: float  # monotonic seconds
    spent: float = 0.0  # every point charged so far (the actual costs): what a run could not do faster than


@dataclass
class Shop:
    id: int
    domain: str
    name: str
    email: str
    currency: str
    created_at: datetime
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    next_order_number: int = 1001
    misbehaviour: Misbehaviour = field(default_factory=Misbehaviour)
    held_deliveries: list[Delivery] = field(default_factory=list)

    def product_of_variant(self, variant_id: int) -> tuple[Product, Variant] | None:
        for product in self.products.values():
            for variant in product.variants:
                if variant.id == variant_id:
                    return product, variant
        return None


class State:
    def __init__(self) -> None:
        self.ids = Ids()
        self.apps: dict[str, App] = {}
        self.shops: dict[str, Shop] = {}
        self.installations: dict[tuple[str, str], Installation] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.deliveries: list[Delivery] = []
        self.calls: list[ApiCall] = []
        self.buckets: dict[tuple[str, str], Bucket] = {}

    def reset(self) -> None:
        """Forgets everything but the registered apps."""
        apps = self.apps
        self.__init__()  # type: ignore[misc]
        self.apps = apps
