"""What the Pressero sandbox holds: subscribers (a printer's Pressero account) with their API user,
consumer ids and tokens, their sites, orders with items (each approved, denied or waiting), the webhook
settings an admin enters under Admin > Preferences > Webhooks, and the switches tests misbehave with.

Field names follow a public integrator's models of Pressero's v2 order API (OrderId, OrderNumber,
OrderDate, Items with OrderItemId, OrderItemNumber, IsApproved, IsDenied, ShipTo*, BillTo*, …)."""

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Event type numbers as the public integrator's webhook handler reads them (OrderPlaced 10,
# OrderItemApproved 7, OrderItemDenied 9); the others are the sandbox's own (not public).
EVENT_TYPES = {
    "OrderPlaced": 10,
    "OrderItemApproved": 7,
    "OrderItemDenied": 9,
    "OrderUpdated": 11,
    "OrderItemUpdated": 12,
}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def wire_time(moment: dt.datetime | None) -> str | None:
    """Times as .NET serialises a UTC DateTime: ISO 8601 with a `Z`."""
    return None if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Address:
    first_name: str = ""
    last_name: str = ""
    business: str = ""
    address1: str = ""
    address2: str = ""
    address3: str = ""
    city: str = ""
    state_province: str = ""
    postal: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""

    def wire(self, prefix: str) -> dict[str, Any]:
        return {
            f"{prefix}FirstName": self.first_name,
            f"{prefix}LastName": self.last_name,
            f"{prefix}Business": self.business,
            f"{prefix}Address1": self.address1,
            f"{prefix}Address2": self.address2,
            f"{prefix}Address3": self.address3,
            f"{prefix}City": self.city,
            f"{prefix}StateProvince": self.state_province,
            f"{prefix}Postal": self.postal,
            f"{prefix}Country": self.country,
            f"{prefix}Phone": self.phone,
            f"{prefix}Email": self.email,
        }


@dataclass
class Item:
    number: int
    product_name: str
    quantity: int
    price: Decimal
    printer_part_number: str = ""
    attributes: list[tuple[str, str]] = field(default_factory=list)
    form_fields: list[tuple[str, str]] = field(default_factory=list)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    is_approved: bool = False
    is_denied: bool = False
    approved_at: dt.datetime | None = None


@dataclass
class Shipment:
    """One item's share of a shipment recorded with `POST /api/V2/Orders/Shipments`: a shipment of several
    items is one row per item, all with the same ShipmentId."""

    id: str
    order_id: str
    item_id: str
    item_number: int
    ship_date: dt.datetime
    method: str
    tracking: str
    cost: Decimal

    def wire(self) -> dict[str, Any]:
        """As `GET /api/v2/orders/{n}/item/{itemNumber}/Shipments` lists it."""
        return {
            "ShipmentId": self.id,
            "OrderId": self.order_id,
            "OrderItemId": self.item_id,
            "ShipDate": wire_time(self.ship_date),
            "ShipMethod": self.method,
            "ShipTracking": self.tracking,
            "ShipCost": float(self.cost),
        }


@dataclass
class Order:
    number: int
    site: "Site"
    placed_at: dt.datetime
    items: list[Item]
    ship_to: Address
    bill_to: Address
    shipping: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    po_number: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    shipments: list[Shipment] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((i.price for i in self.items), Decimal("0"))

    def details(self) -> dict[str, Any]:
        """GET /api/v2/orders/{n}/Details: the order without its items."""
        return {
            "OrderId": self.id,
            "OrderNumber": self.number,
            "OrderDate": wire_time(self.placed_at),
            "SiteId": self.site.id,
            "SiteName": self.site.name,
            "Domain": self.site.domain,
            "Currency": self.site.currency,
            "PONumber": self.po_number,
            "OrderSubtotal": float(self.subtotal),
            "OrderShipping": float(self.shipping),
            "OrderTax": float(self.tax),
            "OrderTotal": float(self.subtotal + self.shipping + self.tax),
            **self.ship_to.wire("ShipTo"),
            **self.bill_to.wire("BillTo"),
        }

    def item_row(self, item: Item) -> dict[str, Any]:
        """One item as GET /api/v2/orders/{n}/items and Orders/Search list it (with the order's fields)."""
        row: dict[str, Any] = {
            **self.details(),
            "OrderItemId": item.id,
            "OrderItemNumber": item.number,
            "ProductName": item.product_name,
            "ItemName": item.product_name,
            "Quantity": item.quantity,
            "Price": float(item.price),
            "PrinterPartNumber": item.printer_part_number,
            "IsApproved": item.is_approved,
            "IsDenied": item.is_denied,
            "ApprovedDate": wire_time(item.approved_at),
            "Attributes": [{"AttributeName": n, "AttributeValue": v} for n, v in item.attributes],
        }
        for index, (name, value) in enumerate(item.attributes[:10], start=1):
            row[f"ProductAttributeName{index}"] = name
            row[f"ProductAttributeValue{index}"] = value
        for index, (name, value) in enumerate(item.form_fields[:10], start=1):
            row[f"ProductFormField{index}"] = name
            row[f"ProductFormValue{index}"] = value
        return row


@dataclass
class Product:
    """A site's product as the admin sets it up (Products in the site's admin); deleting one only marks
    it, as the API's `includeDeleted` implies."""

    name: str
    site_name: str
    url_name: str = ""
    printers_part_num: str = ""
    public_part_num: str = ""
    short_description: str = ""
    is_active: bool = True
    is_deleted: bool = False
    integration_id: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def info(self) -> dict[str, Any]:
        """As `GET /api/site/{domain}/products/` lists it (a public integrator's ProductInfo model, with
        the `IsActive` another integrator reads)."""
        return {
            "ProductId": self.id,
            "ProductName": self.name,
            "UrlName": self.url_name,
            "PublicPartNum": self.public_part_num,
            "PrintersPartNum": self.printers_part_num,
            "ShortDescription": self.short_description,
            "IsActive": self.is_active,
            "IsDeleted": self.is_deleted,
            "SiteName": self.site_name,
        }

    def details(self) -> dict[str, Any]:
        """As `GET /api/site/{domain}/products/{id}` answers it."""
        return {**self.info(), "IntegrationId": self.integration_id, "AllowedGroups": [], "ImagesUrl": []}


@dataclass
class Site:
    domain: str
    name: str
    subscriber: "Subscriber"
    currency: str = "USD"
    integration_id: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    products: dict[str, Product] = field(default_factory=dict)


@dataclass
class WebhookSettings:
    url: str
    security_key: str
    events: list[str]


@dataclass
class Delivery:
    number: int
    event: str
    url: str
    body: str
    message_hash: str
    message_id: str
    response_status: int | None = None
    error: str | None = None
    dropped: bool = False


@dataclass
class Switches:
    """Misbehaviour, each a count of the next occurrences it applies to (0: behave)."""

    duplicate_deliveries: int = 0
    drop_deliveries: int = 0
    out_of_order_deliveries: int = 0
    wrong_hash_deliveries: int = 0
    fail_5xx: int = 0
    slow_s: float = 0.0


@dataclass
class Subscriber:
    id: str
    consumer_ids: set[str]
    users: dict[str, str]
    sites: dict[str, Site] = field(default_factory=dict)
    tokens: dict[str, dt.datetime] = field(default_factory=dict)
    webhooks: WebhookSettings | None = None
    switches: Switches = field(default_factory=Switches)
    deliveries: list[Delivery] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def new_token(self, lifetime: dt.timedelta) -> str:
        token = secrets.token_hex(24)
        self.tokens[token] = now() + lifetime
        return token

    def token_valid(self, token: str) -> bool:
        expires = self.tokens.get(token)
        return expires is not None and expires > now()


@dataclass
class Pressero:
    """The whole admin host: subscribers by id (GUIDs compared case-insensitively), orders by number."""

    token_lifetime: dt.timedelta
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    next_order_number: int = 100001

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        return self.subscribers.get(subscriber_id.strip().lower())

    def by_token(self, token: str) -> Subscriber | None:
        return next((s for s in self.subscribers.values() if s.token_valid(token)), None)

    def site(self, domain: str) -> Site | None:
        for subscriber in self.subscribers.values():
            if domain.lower() in subscriber.sites:
                return subscriber.sites[domain.lower()]
        return None
