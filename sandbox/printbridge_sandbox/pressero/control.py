"""The sandbox's control API (`/_sandbox/pressero`), standing in for what people do in Pressero's admin:
make a subscriber (its API user, consumer id), a site, set the webhook address and security key, place
orders, approve or deny items; and for tests: switches, expired tokens, the deliveries and calls seen."""

import datetime as dt
import secrets
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from printbridge_sandbox.pressero.deliveries import Deliverer
from printbridge_sandbox.pressero.state import (
    EVENT_TYPES,
    Address,
    Delivery,
    Item,
    Order,
    Pressero,
    Product,
    Site,
    Subscriber,
    WebhookSettings,
    now,
)
from printbridge_shared.errors import Conflict, InvalidInput, NotFound


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubscriberIn(_Strict):
    subscriber_id: str | None = None
    consumer_id: str | None = None
    username: str = "admin@printer.example"
    password: str | None = None


class SubscriberOut(BaseModel):
    subscriber_id: str
    consumer_id: str
    username: str
    password: str


class SiteIn(_Strict):
    domain: str = Field(min_length=3, max_length=200)
    name: str = "Demo Pressero site"
    currency: str = "USD"
    integration_id: str = ""


class WebhooksIn(_Strict):
    url: str
    security_key: str = ""
    events: list[str] = Field(default_factory=lambda: ["OrderPlaced", "OrderItemApproved", "OrderItemDenied"])


class AddressIn(_Strict):
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


class ItemIn(_Strict):
    product_name: str = "Business cards"
    quantity: int = Field(250, ge=1)
    price: Decimal = Decimal("49.00")
    printer_part_number: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    form_fields: dict[str, str] = Field(default_factory=dict)
    needs_approval: bool = False


class OrderIn(_Strict):
    items: list[ItemIn] = Field(default_factory=lambda: [ItemIn()], min_length=1)
    ship_to: AddressIn = Field(default_factory=AddressIn)
    bill_to: AddressIn = Field(default_factory=AddressIn)
    shipping: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    po_number: str = ""
    placed_at: dt.datetime | None = None


class ProductIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    url_name: str = ""
    printers_part_num: str = ""
    public_part_num: str = ""
    short_description: str = ""
    is_active: bool = True
    integration_id: str = ""


class ProductPatch(_Strict):
    name: str | None = Field(None, min_length=1, max_length=200)
    url_name: str | None = None
    printers_part_num: str | None = None
    public_part_num: str | None = None
    short_description: str | None = None
    is_active: bool | None = None
    integration_id: str | None = None


class DecisionIn(_Strict):
    at: dt.datetime | None = Field(None, description="When the approval happened (default: now).")


class SwitchesIn(_Strict):
    duplicate_deliveries: int | None = Field(None, ge=0)
    drop_deliveries: int | None = Field(None, ge=0)
    out_of_order_deliveries: int | None = Field(None, ge=0)
    wrong_hash_deliveries: int | None = Field(None, ge=0)
    fail_5xx: int | None = Field(None, ge=0)
    slow_s: float | None = Field(None, ge=0, le=30)


class PasswordIn(_Strict):
    password: str


class WaitIn(_Strict):
    timeout_s: float = Field(10, gt=0, le=60)


def _delivery(d: Delivery) -> dict[str, Any]:
    return {
        "number": d.number,
        "event": d.event,
        "url": d.url,
        "body": d.body,
        "message_hash": d.message_hash,
        "message_id": d.message_id,
        "response_status": d.response_status,
        "error": d.error,
        "dropped": d.dropped,
    }


def _address(spec: AddressIn) -> Address:
    return Address(**spec.model_dump())


def seed(pressero: Pressero, domain: str, *, integration_id: str = "") -> SubscriberOut:
    """A subscriber with fixed, printable credentials and one site with two products (for `make sandbox`)."""
    account = SubscriberOut(
        subscriber_id="5d2c3a1e-0000-4000-8000-000000000001",
        consumer_id="c0ffee00-0000-4000-8000-000000000001",
        username="admin@printer.example",
        password="sandbox-password",
    )
    subscriber = Subscriber(
        id=account.subscriber_id,
        consumer_ids={account.consumer_id},
        users={account.username: account.password},
    )
    pressero.subscribers[subscriber.id] = subscriber
    site = Site(domain, "Demo Pressero site", subscriber, integration_id=integration_id)
    subscriber.sites[domain] = site
    for name, url_name, part in (
        ("Business cards", "business-cards", "BC-350"),
        ("Flyer A5", "flyer-a5", "FLY-A5"),
    ):
        product = Product(name=name, site_name=site.name, url_name=url_name, printers_part_num=part)
        site.products[product.id] = product
    return account


def control_router(pressero: Pressero, deliverer: Deliverer) -> APIRouter:
    router = APIRouter(prefix="/_sandbox/pressero", tags=["sandbox: pressero"])

    def subscriber_or_404(subscriber_id: str) -> Subscriber:
        subscriber = pressero.subscriber(subscriber_id)
        if subscriber is None:
            raise NotFound(f"No subscriber {subscriber_id}.")
        return subscriber

    def order_or_404(number: int) -> Order:
        order = pressero.orders.get(number)
        if order is None:
            raise NotFound(f"No order {number}.")
        return order

    @router.post("/subscribers", status_code=status.HTTP_201_CREATED, response_model=SubscriberOut)
    async def create_subscriber(spec: SubscriberIn) -> SubscriberOut:
        subscriber_id = (spec.subscriber_id or str(uuid.uuid4())).lower()
        if subscriber_id in pressero.subscribers:
            raise Conflict(f"Subscriber {subscriber_id} exists.")
        consumer_id = (spec.consumer_id or str(uuid.uuid4())).lower()
        password = spec.password or secrets.token_urlsafe(12)
        pressero.subscribers[subscriber_id] = Subscriber(
            id=subscriber_id, consumer_ids={consumer_id}, users={spec.username.lower(): password}
        )
        return SubscriberOut(
            subscriber_id=subscriber_id, consumer_id=consumer_id, username=spec.username, password=password
        )

    @router.post("/subscribers/{subscriber_id}/sites", status_code=status.HTTP_201_CREATED)
    async def create_site(subscriber_id: str, spec: SiteIn) -> dict[str, Any]:
        subscriber = subscriber_or_404(subscriber_id)
        domain = spec.domain.strip().lower()
        if pressero.site(domain) is not None:
            raise Conflict(f"Site {domain} exists.")
        site = Site(domain, spec.name, subscriber, spec.currency.upper(), spec.integration_id)
        subscriber.sites[domain] = site
        return {"site_id": site.id, "domain": site.domain, "integration_id": site.integration_id}

    @router.put("/subscribers/{subscriber_id}/password")
    async def change_password(subscriber_id: str, spec: PasswordIn) -> dict[str, str]:
        """The admin user's password changed: new token requests with the old one are refused."""
        subscriber = subscriber_or_404(subscriber_id)
        for user in subscriber.users:
            subscriber.users[user] = spec.password
        return {"status": "changed"}

    @router.post("/subscribers/{subscriber_id}/tokens/expire")
    async def expire_tokens(subscriber_id: str) -> dict[str, int]:
        subscriber = subscriber_or_404(subscriber_id)
        expired = len(subscriber.tokens)
        moment = now() - dt.timedelta(seconds=1)
        subscriber.tokens = dict.fromkeys(subscriber.tokens, moment)
        return {"expired": expired}

    @router.put("/subscribers/{subscriber_id}/webhooks")
    async def set_webhooks(subscriber_id: str, spec: WebhooksIn) -> dict[str, Any]:
        """Admin > Preferences > Webhooks: the address, the security key, the events ticked."""
        subscriber = subscriber_or_404(subscriber_id)
        unknown = sorted(set(spec.events) - set(EVENT_TYPES))
        if unknown:
            raise InvalidInput(f"Unknown events {unknown}; known: {sorted(EVENT_TYPES)}.")
        subscriber.webhooks = WebhookSettings(spec.url, spec.security_key, list(spec.events))
        return spec.model_dump()

    @router.put("/subscribers/{subscriber_id}/switches")
    async def set_switches(subscriber_id: str, spec: SwitchesIn) -> dict[str, Any]:
        subscriber = subscriber_or_404(subscriber_id)
        for name, value in spec.model_dump(exclude_none=True).items():
            setattr(subscriber.switches, name, value)
        return vars(subscriber.switches)

    @router.get("/subscribers/{subscriber_id}/calls")
    async def calls(subscriber_id: str) -> list[dict[str, Any]]:
        return list(subscriber_or_404(subscriber_id).calls)

    @router.get("/subscribers/{subscriber_id}/deliveries")
    async def deliveries(subscriber_id: str) -> list[dict[str, Any]]:
        return [_delivery(d) for d in subscriber_or_404(subscriber_id).deliveries]

    @router.post("/subscribers/{subscriber_id}/deliveries/wait")
    async def wait(subscriber_id: str, spec: WaitIn) -> list[dict[str, Any]]:
        subscriber = subscriber_or_404(subscriber_id)
        return [_delivery(d) for d in await deliverer.drained(subscriber, spec.timeout_s)]

    @router.post("/sites/{domain}/orders", status_code=status.HTTP_201_CREATED)
    async def place_order(domain: str, spec: OrderIn) -> dict[str, Any]:
        """A buyer checks out: items without approval are approved at once; `OrderPlaced` is sent."""
        site = pressero.site(domain)
        if site is None:
            raise NotFound(f"No site {domain}.")
        placed_at = (spec.placed_at or now()).astimezone(dt.UTC).replace(microsecond=0)
        items = [
            Item(
                number=index,
                product_name=i.product_name,
                quantity=i.quantity,
                price=i.price,
                printer_part_number=i.printer_part_number,
                attributes=list(i.attributes.items()),
                form_fields=list(i.form_fields.items()),
                is_approved=not i.needs_approval,
                approved_at=None if i.needs_approval else placed_at,
            )
            for index, i in enumerate(spec.items, start=1)
        ]
        order = Order(
            number=pressero.next_order_number,
            site=site,
            placed_at=placed_at,
            items=items,
            ship_to=_address(spec.ship_to),
            bill_to=_address(spec.bill_to),
            shipping=spec.shipping,
            tax=spec.tax,
            po_number=spec.po_number,
        )
        pressero.next_order_number += 1
        pressero.orders[order.number] = order
        deliverer.notify(site.subscriber, "OrderPlaced", order)
        return {"order": order.details(), "items": [order.item_row(i) for i in order.items]}

    def decide(number: int, item_number: int, approve: bool, at: dt.datetime | None) -> dict[str, Any]:
        order = order_or_404(number)
        item = next((i for i in order.items if i.number == item_number), None)
        if item is None:
            raise NotFound(f"Order {number} has no item {item_number}.")
        if item.is_approved or item.is_denied:
            raise Conflict(f"Item {number}-{item_number} was decided already.")
        if approve:
            item.is_approved = True
            item.approved_at = (at or now()).astimezone(dt.UTC).replace(microsecond=0)
        else:
            item.is_denied = True
        event = "OrderItemApproved" if approve else "OrderItemDenied"
        deliverer.notify(order.site.subscriber, event, order, item_number)
        return order.item_row(item)

    def site_or_404(domain: str) -> Site:
        site = pressero.site(domain)
        if site is None:
            raise NotFound(f"No site {domain}.")
        return site

    def product_or_404(site: Site, product_id: str) -> Product:
        product = site.products.get(product_id.lower())
        if product is None or product.is_deleted:
            raise NotFound(f"Site {site.domain} has no product {product_id}.")
        return product

    @router.post("/sites/{domain}/products", status_code=status.HTTP_201_CREATED)
    async def create_product(domain: str, spec: ProductIn) -> dict[str, Any]:
        """The admin adds a product to the site."""
        site = site_or_404(domain)
        product = Product(site_name=site.name, **spec.model_dump())
        site.products[product.id] = product
        return product.details()

    @router.patch("/sites/{domain}/products/{product_id}")
    async def update_product(domain: str, product_id: str, spec: ProductPatch) -> dict[str, Any]:
        """The admin edits it (name, part numbers, active or hidden)."""
        product = product_or_404(site_or_404(domain), product_id)
        for name, value in spec.model_dump(exclude_none=True).items():
            setattr(product, name, value)
        return product.details()

    @router.delete("/sites/{domain}/products/{product_id}")
    async def delete_product(domain: str, product_id: str) -> dict[str, Any]:
        """The admin deletes it: it is only listed with `includeDeleted=true` from then on."""
        product = product_or_404(site_or_404(domain), product_id)
        product.is_deleted = True
        return product.details()

    @router.get("/orders/{number}/shipments")
    async def shipments(number: int) -> list[dict[str, Any]]:
        """Every shipment row of the order (one per item shipped), with the item's number."""
        return [
            {**shipment.wire(), "OrderItemNumber": shipment.item_number}
            for shipment in order_or_404(number).shipments
        ]

    @router.post("/orders/{number}/items/{item_number}/approve")
    async def approve(number: int, item_number: int, spec: DecisionIn | None = None) -> dict[str, Any]:
        return decide(number, item_number, True, spec.at if spec else None)

    @router.post("/orders/{number}/items/{item_number}/deny")
    async def deny(number: int, item_number: int) -> dict[str, Any]:
        return decide(number, item_number, False, None)

    return router
