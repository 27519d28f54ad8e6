"""What the Etsy sandbox knows: apps, sellers with their shop, listings, receipts, OAuth codes and tokens,
webhook deliveries and the misbehaviour it is set to. All in memory, owned by the server's event loop.

Time comes from `Clock` (real time plus an offset the control API can advance), so tests can expire
codes, tokens and rate-limit windows without sleeping."""

import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0
        # When set, time stands still at this real time (plus the offset) until unfrozen.
        self.frozen_at: float | None = None

    def now(self) -> float:
        return (self.frozen_at if self.frozen_at is not None else time.time()) + self.offset

    def freeze(self, frozen: bool) -> None:
        if frozen and self.frozen_at is None:
            self.frozen_at = time.time()
        elif not frozen and self.frozen_at is not None:
            self.offset -= time.time() - self.frozen_at  # resume from the moment it stood at
            self.frozen_at = None

    def seconds(self) -> int:
        """Etsy's timestamps are whole unix seconds."""
        return int(self.now())


class Ids:
    """Numeric ids in the ranges Etsy's are in (all below 2**53)."""

    def __init__(self) -> None:
        self._counters = {
            "user": itertools.count(81_234_567),
            "shop": itertools.count(30_123_456),
            "listing": itertools.count(1_500_112_233),
            "product": itertools.count(9_988_776_655),
            "receipt": itertools.count(3_456_789_012, 7),
            "transaction": itertools.count(4_011_223_344, 3),
            "shipment": itertools.count(1_100_000_001),
            "delivery": itertools.count(1),
            "call": itertools.count(1),
        }

    def next(self, kind: str) -> int:
        return next(self._counters[kind])


@dataclass
class App:
    keystring: str
    shared_secret: str
    name: str
    redirect_uris: list[str]
    webhook_url: str | None
    webhook_secret: str  # whsec_<base64 key>
    qps: int
    qpd: int
    # Times (clock seconds) of the calls counted against the limits.
    second_window: deque[float] = field(default_factory=deque)
    day_window: deque[float] = field(default_factory=deque)


@dataclass
class User:
    user_id: int
    login_name: str
    primary_email: str
    first_name: str
    last_name: str
    shop_id: int


@dataclass
class InventoryProduct:
    product_id: int
    sku: str
    price: int  # in the shop currency's minor units (divisor 100)
    quantity: int
    property_values: list[dict[str, Any]]


@dataclass
class Listing:
    listing_id: int
    title: str
    state: str
    products: list[InventoryProduct]
    created: int
    updated: int


@dataclass
class Variation:
    property_id: int
    value_id: int | None
    formatted_name: str
    formatted_value: str


@dataclass
class Transaction:
    transaction_id: int
    title: str
    listing_id: int | None
    product_id: int | None
    sku: str | None
    quantity: int
    price: int
    shipping_cost: int
    variations: list[Variation]
    created: int
    paid: int | None = None
    shipped: int | None = None


@dataclass
class Shipment:
    receipt_shipping_id: int
    carrier_name: str
    tracking_code: str
    notified: int
    # What the seller's app sent with it (not in Etsy's ShopReceiptShipment; the control API shows it).
    note_to_buyer: str | None = None
    send_bcc: bool = False


@dataclass
class Receipt:
    receipt_id: int
    shop_id: int
    seller_user_id: int
    buyer_user_id: int
    buyer_email: str | None
    name: str
    first_line: str
    second_line: str | None
    city: str
    state: str | None
    zip: str
    country_iso: str
    message_from_buyer: str | None
    is_gift: bool
    gift_message: str
    currency_code: str
    total_shipping_cost: int
    total_tax_cost: int
    discount_amt: int
    transactions: list[Transaction]
    created: int
    updated: int
    is_paid: bool = False
    is_shipped: bool = False
    is_delivered: bool = False
    canceled: bool = False
    payment_method: str = "cc"
    shipments: list[Shipment] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.canceled:
            return "canceled"
        if self.is_shipped:
            return "completed"
        return "paid" if self.is_paid else "open"

    @property
    def subtotal(self) -> int:
        return sum(t.price * t.quantity for t in self.transactions)

    @property
    def total_price(self) -> int:
        return self.subtotal

    @property
    def grandtotal(self) -> int:
        return self.subtotal + self.total_shipping_cost + self.total_tax_cost - self.discount_amt


@dataclass
class Shop:
    shop_id: int
    user_id: int
    shop_name: str
    title: str
    currency_code: str
    country_iso: str
    created: int
    updated: int
    listings: dict[int, Listing] = field(default_factory=dict)
    receipts: dict[int, Receipt] = field(default_factory=dict)


@dataclass
class AuthorizationCode:
    code: str
    keystring: str
    user_id: int
    redirect_uri: str
    scopes: list[str]
    code_challenge: str
    expires_at: float
    used: bool = False


@dataclass
class AccessToken:
    value: str
    keystring: str
    user_id: int
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    value: str
    keystring: str
    user_id: int
    scopes: list[str]
    expires_at: float
    revoked: bool = False
    # When a refresh replaced it (it then works for `refresh_grace_seconds` more).
    rotated_at: float | None = None


@dataclass
class Attempt:
    at: float
    status_code: int | None
    error: str | None


@dataclass
class Delivery:
    number: int
    webhook_id: str
    keystring: str
    url: str
    event_type: str
    shop_id: int
    receipt_id: int
    body: bytes
    status: str = "pending"  # pending, retrying, delivered, failed, dropped, held
    duplicate_of: int | None = None
    wrong_signature: bool = False
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class Call:
    number: int
    at: float
    method: str
    path: str
    keystring: str | None
    user_id: int | None
    status: int


@dataclass
class Consent:
    """Who is signed in to etsy.com in the browser that opens /oauth/connect, and what they click."""

    user_id: int | None = None
    approve: bool = True


@dataclass
class Misbehaviour:
    """What Etsy does wrong (or inconveniently) on purpose; counters count down as they take effect."""

    fail_next_calls: int = 0
    fail_status: int = 503
    exhaust_second: int = 0  # the next N calls get 429 as if the per-second limit were used up
    exhaust_day: int = 0  # the next N calls get 429 as if the per-day limit were used up
    # Etsy leaves update_timestamp unchanged when a receipt is cancelled (open-api #604, #629, #513).
    cancel_keeps_update_timestamp: bool = False
    webhook_duplicate: int = 0
    webhook_drop: int = 0
    webhook_hold_back: int = 0
    webhook_wrong_signature: int = 0
    webhook_delay_seconds: float = 0.0


@dataclass
class State:
    clock: Clock = field(default_factory=Clock)
    ids: Ids = field(default_factory=Ids)
    apps: dict[str, App] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    shops: dict[int, Shop] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    held: list[Delivery] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    consent: Consent = field(default_factory=Consent)
    misbehaviour: Misbehaviour = field(default_factory=Misbehaviour)

    def shop_of_user(self, user_id: int) -> Shop | None:
        user = self.users.get(user_id)
        return self.shops.get(user.shop_id) if user else None
