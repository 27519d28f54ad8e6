"""The control API under `/_sandbox/shopify`: what a merchant or Shopify itself would do (create a shop,
place, update and cancel orders, change products, uninstall the app) and what tests need to see
(deliveries, API calls) or provoke (misbehaviour). JSON in and out; bad input gets problem+json naming
the field."""

import base64
import re
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from printbridge_sandbox.shopify.admin import Admin
from printbridge_sandbox.shopify.graphql_api import SCHEMA
from printbridge_sandbox.shopify.payloads import (
    fulfillment_json,
    order_json,
    product_deleted_json,
    product_json,
    shop_json,
)
from printbridge_sandbox.shopify.state import (
    SHOP_DOMAIN,
    App,
    FulfillmentOrder,
    FulfillmentOrderLine,
    LineItem,
    Order,
    Product,
    Shop,
    Variant,
    now,
)
from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors

CURRENCIES = set(SCHEMA.type_map["CurrencyCode"].values)  # type: ignore[attr-defined]
COUNTRIES = set(SCHEMA.type_map["CountryCode"].values)  # type: ignore[attr-defined]
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppIn(Strict):
    client_id: str | None = Field(None, min_length=1, max_length=100)
    client_secret: str | None = Field(None, min_length=8, max_length=200)
    redirect_urls: list[str] = []
    title: str = "Printbridge"


class ShopIn(Strict):
    domain: str = Field(description="name.myshopify.com")
    name: str | None = None
    email: str = "owner@example.com"
    currency: str = "EUR"

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not SHOP_DOMAIN.match(value):
            raise ValueError("must look like name.myshopify.com")
        return value.lower()

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value not in CURRENCIES:
            raise ValueError(f"one of {', '.join(sorted(CURRENCIES))}")
        return value


class VariantIn(Strict):
    title: str | None = Field(None, description='default: the option values joined by " / "')
    sku: str | None = None
    price: Price = Decimal("10.00")
    options: dict[str, str] = Field(default_factory=dict, description='e.g. {"Size": "A5"}')


class ProductIn(Strict):
    title: str = Field(min_length=1)
    handle: str | None = Field(None, min_length=1, description="default: made from the title")
    status: Literal["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"] = "ACTIVE"
    vendor: str = "Sandbox"
    product_type: str = ""
    variants: list[VariantIn] = Field(default_factory=lambda: [VariantIn()], min_length=1, max_length=100)


class ProductPatch(Strict):
    title: str | None = Field(None, min_length=1)
    status: Literal["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"] | None = None
    vendor: str | None = None
    variants: list[VariantIn] | None = Field(None, min_length=1, max_length=100)


class PropertyIn(Strict):
    name: str
    value: str | None = None


class AddressIn(Strict):
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    province_code: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    phone: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @field_validator("country_code")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and value not in COUNTRIES:
            raise ValueError(f"an ISO 3166-1 alpha-2 code the sandbox knows: {', '.join(sorted(COUNTRIES))}")
        return value


class LineItemIn(Strict):
    variant_id: int | None = Field(
        None, description="a variant of the shop; its product gives sku, title, price"
    )
    sku: str | None = None
    title: str | None = None
    variant_title: str | None = None
    quantity: int = Field(1, ge=1, le=10000)
    price: Price | None = None
    properties: list[PropertyIn] = []


class ShippingLineIn(Strict):
    title: str = "Standard"
    code: str | None = "standard"
    price: Price = Decimal("0.00")


class OrderIn(Strict):
    email: str | None = "buyer@example.com"
    phone: str | None = None
    currency: str | None = None
    financial_status: Literal[
        "pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided"
    ] = "paid"
    test: bool = False
    note: str | None = None
    tags: list[str] = []
    note_attributes: list[PropertyIn] = []
    line_items: list[LineItemIn] = Field(min_length=1, max_length=500)
    shipping_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    shipping_lines: list[ShippingLineIn] = []
    total_tax: Price = Decimal("0.00")
    total_discounts: Price = Decimal("0.00")
    created_at: datetime | None = Field(None, description="backdate the order (with a time zone)")


class OrderPatch(Strict):
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] | None = None
    financial_status: (
        Literal["pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided"]
        | None
    ) = None
    fulfillment_status: Literal["fulfilled", "partial"] | None = None
    shipping_address: AddressIn | None = None
    note_attributes: list[PropertyIn] | None = None


class CancelIn(Strict):
    reason: Literal["customer", "declined", "fraud", "inventory", "other", "staff"] = "customer"


class MisbehaviourIn(Strict):
    oauth_decline: bool | None = None
    oauth_withhold_scopes: list[str] | None = None
    oauth_forge_hmac: bool | None = None
    webhook_duplicate: bool | None = None
    webhook_hold_back: int | None = Field(None, ge=0)
    webhook_drop: int | None = Field(None, ge=0)
    api_delay_seconds: float | None = Field(None, ge=0, le=60)
    api_fail_count: int | None = Field(None, ge=0)
    api_fail_status: int | None = Field(None, ge=400, le=599)
    api_fail_retry_after: float | None = Field(None, ge=0)
    api_lose_mutation_answers: int | None = Field(None, ge=0)


class ActionIn(Strict):
    client_id: str | None = Field(None, description="the app; default: every app installed on the shop")
    scopes: list[str] = Field(default_factory=list, description="remove_scopes: the scopes to take away")


class SettingsIn(Strict):
    bucket_size: float | None = Field(None, gt=0)
    restore_rate: float | None = Field(None, gt=0)
    webhook_retries: int | None = Field(None, ge=0, le=20)
    webhook_retry_base_seconds: float | None = Field(None, ge=0)
    webhook_timeout_seconds: float | None = Field(None, gt=0)
    access_token_ttl: int | None = Field(None, ge=1)


def _handle(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


class Control:
    """The operations behind the control API (also used by `python -m printbridge_sandbox` to seed)."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin
        self.state = admin.state
        self.webhooks = admin.webhooks
        self.initial_settings = dict(vars(admin.settings))

    def register_app(self, given: AppIn) -> App:
        client_id = given.client_id or secrets.token_hex(16)
        if client_id in self.state.apps:
            raise Conflict(f"an app with client_id {client_id!r} is registered already")
        app = App(
            client_id=client_id,
            client_secret=given.client_secret or "shpss_" + secrets.token_hex(16),
            redirect_urls=given.redirect_urls,
            title=given.title,
        )
        self.state.apps[client_id] = app
        return app

    def create_shop(self, given: ShopIn) -> Shop:
        if given.domain in self.state.shops:
            raise Conflict(f"the shop {given.domain} exists already")
        shop = Shop(
            id=self.state.ids.next("Shop"),
            domain=given.domain,
            name=given.name or given.domain.split(".")[0],
            email=given.email,
            currency=given.currency,
            created_at=now(),
        )
        self.state.shops[shop.domain] = shop
        return shop

    def shop(self, domain: str) -> Shop:
        shop = self.state.shops.get(domain)
        if shop is None:
            raise NotFound(f"no shop {domain}; create it with POST /_sandbox/shopify/shops")
        return shop

    def _variants(self, product_id: int, given: list[VariantIn]) -> list[Variant]:
        moment = now()
        return [
            Variant(
                id=self.state.ids.next("ProductVariant"),
                product_id=product_id,
                title=variant.title or " / ".join(variant.options.values()) or "Default Title",
                sku=variant.sku,
                price=variant.price,
                position=position,
                created_at=moment,
                updated_at=moment,
                options=dict(variant.options) or {"Title": "Default Title"},
            )
            for position, variant in enumerate(given, start=1)
        ]

    def create_product(self, shop: Shop, given: ProductIn) -> Product:
        if given.handle and any(p.handle == given.handle for p in shop.products.values()):
            raise Conflict(f"the handle {given.handle!r} is in use in {shop.domain}")
        moment = now()
        product_id = self.state.ids.next("Product")
        product = Product(
            id=product_id,
            title=given.title,
            handle=given.handle or _handle(given.title),
            status=given.status,
            vendor=given.vendor,
            product_type=given.product_type,
            created_at=moment,
            updated_at=moment,
            variants=self._variants(product_id, given.variants),
        )
        shop.products[product.id] = product
        self.webhooks.emit(shop, "products/create", product_json(product))
        return product

    def update_product(self, shop: Shop, product_id: int, patch: ProductPatch) -> Product:
        product = shop.products.get(product_id)
        if product is None:
            raise NotFound(f"no product {product_id} in {shop.domain}")
        if patch.title is not None:
            product.title = patch.title
        if patch.status is not None:
            product.status = patch.status
        if patch.vendor is not None:
            product.vendor = patch.vendor
        if patch.variants is not None:
            product.variants = self._variants(product.id, patch.variants)
        product.updated_at = now()
        self.webhooks.emit(shop, "products/update", product_json(product))
        return product

    def delete_product(self, shop: Shop, product_id: int) -> None:
        if shop.products.pop(product_id, None) is None:
            raise NotFound(f"no product {product_id} in {shop.domain}")
        self.webhooks.emit(shop, "products/delete", product_deleted_json(product_id))

    def _line(self, shop: Shop, index: int, given: LineItemIn) -> LineItem:
        sku, title, price, variant_title = given.sku, given.title, given.price, given.variant_title
        product_id = None
        vendor = None
        if given.variant_id is not None:
            found = shop.product_of_variant(given.variant_id)
            if found is None:
                raise InvalidInput(
                    f"line_items[{index}].variant_id: no variant {given.variant_id} in {shop.domain}",
                    errors=field_errors(
                        "body", "line_items", str(index), "variant_id", msg="no such variant in the shop"
                    ),
                )
            product, variant = found
            product_id, vendor = product.id, product.vendor
            sku = sku if sku is not None else variant.sku
            title = title or product.title
            variant_title = variant_title or (None if variant.title == "Default Title" else variant.title)
            price = price if price is not None else variant.price
        if not title or price is None:
            raise InvalidInput(
                f"line_items[{index}]: give a variant_id, or a title and a price for a custom item",
                errors=field_errors(
                    "body", "line_items", str(index), "title", msg="title and price, or variant_id"
                ),
            )
        return LineItem(
            id=self.state.ids.next("LineItem"),
            title=title,
            variant_title=variant_title,
            sku=sku,
            quantity=given.quantity,
            price=price,
            variant_id=given.variant_id,
            product_id=product_id,
            properties=[(p.name, p.value) for p in given.properties],
            vendor=vendor,
        )

    def place_order(self, shop: Shop, given: OrderIn) -> Order:
        currency = given.currency or shop.currency
        if currency not in CURRENCIES:
            raise InvalidInput(
                f"currency: one of {', '.join(sorted(CURRENCIES))}",
                errors=field_errors("body", "currency", msg="unknown currency"),
            )
        lines = [self._line(shop, index, line) for index, line in enumerate(given.line_items)]
        moment = given.created_at or now()
        if moment.tzinfo is None:
            raise InvalidInput(
                "created_at: give a time zone",
                errors=field_errors("body", "created_at", msg="needs a time zone"),
            )
        moment = moment.replace(microsecond=0)
        order = Order(
            id=self.state.ids.next("Order"),
            number=shop.next_order_number,
            email=given.email,
            phone=given.phone,
            currency=currency,
            created_at=moment,
            updated_at=max(moment, now()),
            processed_at=moment,
            cancelled_at=None,
            cancel_reason=None,
            closed_at=None,
            financial_status=given.financial_status,
            fulfillment_status=None,
            test=given.test,
            note=given.note,
            tags=list(given.tags),
            note_attributes=[(p.name, p.value) for p in given.note_attributes],
            line_items=lines,
            shipping_lines=[line.model_dump(mode="json") for line in given.shipping_lines],
            total_tax=given.total_tax,
            total_discounts=given.total_discounts,
            shipping_address=given.shipping_address.model_dump() if given.shipping_address else None,
            billing_address=given.billing_address.model_dump() if given.billing_address else None,
            customer_id=self.state.ids.next("Customer") if given.email else None,
            fulfillment_orders=[],
        )
        order.fulfillment_orders.append(
            FulfillmentOrder(
                id=self.state.ids.next("FulfillmentOrder"),
                status="OPEN",
                line_items=[
                    FulfillmentOrderLine(
                        id=self.state.ids.next("FulfillmentOrderLineItem"),
                        line_item_id=line.id,
                        total_quantity=line.quantity,
                        remaining_quantity=line.quantity,
                    )
                    for line in lines
                    if line.requires_shipping
                ],
                created_at=moment,
                updated_at=moment,
            )
        )
        shop.next_order_number += 1
        shop.orders[order.id] = order
        self.webhooks.emit(shop, "orders/create", order_json(shop, order))
        return order

    def order(self, shop: Shop, order_id: int) -> Order:
        order = shop.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id} in {shop.domain}")
        return order

    def update_order(self, shop: Shop, order_id: int, patch: OrderPatch) -> Order:
        order = self.order(shop, order_id)
        changes = patch.model_dump(exclude_unset=True)
        for name in ("email", "phone", "note", "tags", "financial_status", "fulfillment_status"):
            if name in changes:
                setattr(order, name, changes[name])
        if "shipping_address" in changes:
            order.shipping_address = changes["shipping_address"]
        if patch.note_attributes is not None:
            order.note_attributes = [(p.name, p.value) for p in patch.note_attributes]
        if patch.fulfillment_status == "fulfilled":
            for fo in order.fulfillment_orders:
                fo.status = "CLOSED"
                for line in fo.line_items:
                    line.remaining_quantity = 0
        order.updated_at = now()
        self.webhooks.emit(shop, "orders/updated", order_json(shop, order))
        return order

    def cancel_order(self, shop: Shop, order_id: int, given: CancelIn) -> Order:
        order = self.order(shop, order_id)
        if order.cancelled_at is not None:
            raise Conflict(f"order {order_id} is cancelled already")
        moment = now()
        order.cancelled_at = order.closed_at = order.updated_at = moment
        order.cancel_reason = given.reason
        for fo in order.fulfillment_orders:
            fo.status = "CLOSED"
            fo.updated_at = moment
            for line in fo.line_items:
                line.remaining_quantity = 0
        payload = order_json(shop, order)
        self.webhooks.emit(shop, "orders/cancelled", payload)
        self.webhooks.emit(shop, "orders/updated", payload)
        return order

    def set_misbehaviour(self, shop: Shop, given: MisbehaviourIn) -> dict[str, Any]:
        for name, value in given.model_dump(exclude_unset=True).items():
            setattr(shop.misbehaviour, name, value)
        return dict(vars(shop.misbehaviour))

    def _apps_of(self, shop: Shop, client_id: str | None) -> list[str]:
        installed = [cid for (domain, cid) in self.state.installations if domain == shop.domain]
        if client_id is None:
            return installed
        if client_id not in installed:
            raise NotFound(f"the app {client_id} is not installed on {shop.domain}")
        return [client_id]

    def act(self, shop: Shop, action: str, given: ActionIn) -> dict[str, Any]:
        if action == "expire_tokens":
            return {"expired": self.admin.expire_tokens(shop.domain)}
        if action in ("uninstall", "revoke"):
            return {
                "uninstalled": [
                    cid for cid in self._apps_of(shop, given.client_id) if self.admin.uninstall(shop, cid)
                ]
            }
        if action == "remove_scopes":
            for cid in self._apps_of(shop, given.client_id):
                installation = self.state.installations[(shop.domain, cid)]
                installation.scopes = [scope for scope in installation.scopes if scope not in given.scopes]
            return {
                cid: self.state.installations[(shop.domain, cid)].scopes
                for cid in self._apps_of(shop, given.client_id)
            }
        if action == "throttle":
            settings = self.admin.settings
            from printbridge_sandbox.shopify.graphql_api import bucket_for

            for cid in self._apps_of(shop, given.client_id):
                bucket_for(self.state, settings, shop.domain, cid).available = 0
            return {"throttled": self._apps_of(shop, given.client_id)}
        if action == "release_held":
            count = len(shop.held_deliveries)
            self.webhooks.release_held(shop)
            return {"released": count}
        raise NotFound(f"no action {action!r}; see docs/sandbox.md")


def delivery_view(delivery: Any) -> dict[str, Any]:
    return {
        "webhook_id": delivery.webhook_id,
        "event_id": delivery.event_id,
        "shop": delivery.shop,
        "client_id": delivery.client_id,
        "subscription_id": delivery.subscription_id,
        "topic": delivery.topic,
        "uri": delivery.uri,
        "api_version": delivery.api_version,
        "status": delivery.status,
        "duplicate_of": delivery.duplicate_of,
        "triggered_at": delivery.triggered_at.isoformat(),
        "attempts": [
            {"at": attempt.at.isoformat(), "status_code": attempt.status_code, "error": attempt.error}
            for attempt in delivery.attempts
        ],
        "body_base64": base64.b64encode(delivery.body).decode(),
    }


def router(control: Control) -> APIRouter:
    api = APIRouter(prefix="/_sandbox/shopify", tags=["shopify sandbox"])
    state = control.state

    @api.post("/apps", status_code=201)
    async def register_app(given: AppIn) -> dict[str, Any]:
        app = control.register_app(given)
        return {
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_urls": app.redirect_urls,
        }

    @api.get("/apps")
    async def list_apps() -> list[dict[str, Any]]:
        return [
            {"client_id": a.client_id, "client_secret": a.client_secret, "redirect_urls": a.redirect_urls}
            for a in state.apps.values()
        ]

    @api.post("/shops", status_code=201)
    async def create_shop(given: ShopIn) -> dict[str, Any]:
        return shop_json(control.create_shop(given))

    @api.get("/shops")
    async def list_shops() -> list[dict[str, Any]]:
        return [shop_json(shop) for shop in state.shops.values()]

    @api.get("/shops/{shop}")
    async def get_shop(shop: str) -> dict[str, Any]:
        the_shop = control.shop(shop)
        installed = {
            cid: inst.scopes
            for (domain, cid), inst in state.installations.items()
            if domain == the_shop.domain
        }
        return {
            **shop_json(the_shop),
            "installations": installed,
            "misbehaviour": dict(vars(the_shop.misbehaviour)),
        }

    @api.post("/shops/{shop}/products", status_code=201)
    async def create_product(shop: str, given: ProductIn) -> dict[str, Any]:
        return product_json(control.create_product(control.shop(shop), given))

    @api.get("/shops/{shop}/products")
    async def list_products(shop: str) -> list[dict[str, Any]]:
        return [product_json(p) for p in control.shop(shop).products.values()]

    @api.patch("/shops/{shop}/products/{product_id}")
    async def update_product(shop: str, product_id: int, patch: ProductPatch) -> dict[str, Any]:
        return product_json(control.update_product(control.shop(shop), product_id, patch))

    @api.delete("/shops/{shop}/products/{product_id}", status_code=204)
    async def delete_product(shop: str, product_id: int) -> None:
        control.delete_product(control.shop(shop), product_id)

    @api.post("/shops/{shop}/orders", status_code=201)
    async def place_order(shop: str, given: OrderIn) -> dict[str, Any]:
        the_shop = control.shop(shop)
        return order_json(the_shop, control.place_order(the_shop, given))

    @api.get("/shops/{shop}/orders")
    async def list_orders(shop: str) -> list[dict[str, Any]]:
        the_shop = control.shop(shop)
        return [order_json(the_shop, order) for order in the_shop.orders.values()]

    @api.get("/shops/{shop}/orders/{order_id}")
    async def get_order(shop: str, order_id: int) -> dict[str, Any]:
        the_shop = control.shop(shop)
        return order_json(the_shop, control.order(the_shop, order_id))

    @api.get("/shops/{shop}/orders/{order_id}/fulfillments")
    async def list_fulfillments(shop: str, order_id: int) -> list[dict[str, Any]]:
        """The order's fulfillments as REST JSON, with what the app asked for beside them."""
        order = control.order(control.shop(shop), order_id)
        return [
            {
                **fulfillment_json(order, f),
                "fulfillment_order_ids": f.fulfillment_order_ids,
                "notify_customer": f.notify_customer,
                "message": f.message,
            }
            for f in order.fulfillments
        ]

    @api.patch("/shops/{shop}/orders/{order_id}")
    async def update_order(shop: str, order_id: int, patch: OrderPatch) -> dict[str, Any]:
        the_shop = control.shop(shop)
        return order_json(the_shop, control.update_order(the_shop, order_id, patch))

    @api.post("/shops/{shop}/orders/{order_id}/cancel")
    async def cancel_order(shop: str, order_id: int, given: CancelIn | None = None) -> dict[str, Any]:
        the_shop = control.shop(shop)
        return order_json(the_shop, control.cancel_order(the_shop, order_id, given or CancelIn()))

    @api.get("/shops/{shop}/webhook_subscriptions")
    async def list_subscriptions(shop: str) -> list[dict[str, Any]]:
        control.shop(shop)
        return [
            {
                "id": sub.id,
                "client_id": sub.client_id,
                "topic": sub.topic,
                "uri": sub.uri,
                "format": sub.format,
                "api_version": sub.api_version,
                "include_fields": sub.include_fields,
            }
            for sub in state.subscriptions.values()
            if sub.shop == shop
        ]

    @api.delete("/shops/{shop}/webhook_subscriptions/{subscription_id}", status_code=204)
    async def delete_subscription(shop: str, subscription_id: int) -> None:
        sub = state.subscriptions.get(subscription_id)
        if sub is None or sub.shop != shop:
            raise NotFound(f"no webhook subscription {subscription_id} in {shop}")
        del state.subscriptions[subscription_id]

    @api.get("/shops/{shop}/deliveries")
    async def list_deliveries(
        shop: str, topic: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            delivery_view(d)
            for d in state.deliveries
            if d.shop == shop
            and (topic is None or d.topic == topic)
            and (status is None or d.status == status)
        ]

    @api.get("/shops/{shop}/calls")
    async def list_calls(shop: str, since: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        calls = [call for call in state.calls if call.shop == shop]
        return [
            {
                "index": index,
                "at": call.at.isoformat(),
                "method": call.method,
                "path": call.path,
                "has_access_token": call.has_access_token,
                "client_id": call.client_id,
                "status": call.status,
                "fields": call.fields,
            }
            for index, call in enumerate(calls)
            if index >= since
        ]

    @api.put("/shops/{shop}/misbehaviour")
    async def set_misbehaviour(shop: str, given: MisbehaviourIn) -> dict[str, Any]:
        return control.set_misbehaviour(control.shop(shop), given)

    @api.post("/shops/{shop}/actions/{action}")
    async def act(shop: str, action: str, given: ActionIn | None = None) -> dict[str, Any]:
        return control.act(control.shop(shop), action, given or ActionIn())

    @api.get("/shops/{shop}/throttle")
    async def throttle(shop: str) -> list[dict[str, Any]]:
        """Each app's cost bucket on the shop: points available now, and every point charged so far."""
        domain = control.shop(shop).domain
        return [
            {"client_id": client_id, "available": bucket.available, "spent": bucket.spent}
            for (bucket_shop, client_id), bucket in control.state.buckets.items()
            if bucket_shop == domain
        ]

    @api.patch("/settings")
    async def change_settings(given: SettingsIn) -> dict[str, Any]:
        for name, value in given.model_dump(exclude_unset=True).items():
            setattr(control.admin.settings, name, value)
        return dict(vars(control.admin.settings))

    @api.post("/reset", status_code=204)
    async def reset() -> None:
        control.webhooks.cancel_all()
        state.reset()
        for name, value in control.initial_settings.items():
            setattr(control.admin.settings, name, value)

    return api
