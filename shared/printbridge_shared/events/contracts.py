"""Versioned event contracts. A change that breaks a consumer gets a new version; consumers validate
on receipt through `parse_data` and never import another service's code."""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from printbridge_shared.auth.principal import Role
from printbridge_shared.events.envelope import Envelope


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


CONTRACTS: dict[tuple[str, int], type[EventData]] = {}
E = TypeVar("E", bound=type[EventData])


def contract(cls: E) -> E:
    CONTRACTS[(cls.event_type, cls.event_version)] = cls
    return cls


class UnknownEventContract(Exception):
    pass


def parse_data(envelope: Envelope) -> EventData:
    try:
        model = CONTRACTS[(envelope.type, envelope.version)]
    except KeyError:
        raise UnknownEventContract(f"no contract for {envelope.type} v{envelope.version}") from None
    return model.model_validate(envelope.data)


class _CustomerSnapshot(EventData):
    customer_id: uuid.UUID
    name: str
    reference_id: str | None
    description: str | None
    archived: bool
    updated_at: dt.datetime


@contract
class CustomerCreated(_CustomerSnapshot):
    event_type = "customer.created"


@contract
class CustomerUpdated(_CustomerSnapshot):
    event_type = "customer.updated"


@contract
class CustomerArchived(_CustomerSnapshot):
    event_type = "customer.archived"


@contract
class ApiKeyCreated(EventData):
    event_type = "api_key.created"
    api_key_id: uuid.UUID
    name: str


@contract
class ApiKeyRevoked(EventData):
    event_type = "api_key.revoked"
    api_key_id: uuid.UUID


class StorefrontAdmin(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str
    first_name: str
    last_name: str


@contract
class StorefrontAccessEnabled(EventData):
    """The producer turned Storefront access on: storefront-auth restores the customer's users and makes
    sure the named admin has an account or an open invitation (a new one when the admin changed)."""

    event_type = "storefront.access_enabled"
    customer_id: uuid.UUID
    customer_name: str
    admin: StorefrontAdmin


@contract
class StorefrontAccessDisabled(EventData):
    """Turned off: the customer's users can no longer log in and their tokens stop working."""

    event_type = "storefront.access_disabled"
    customer_id: uuid.UUID


@contract
class StorefrontInvitationRequested(EventData):
    """Resend: a fresh invitation for the admin; the previous link stops working."""

    event_type = "storefront.invitation_requested"
    customer_id: uuid.UUID
    customer_name: str
    admin: StorefrontAdmin


@contract
class StorefrontUserInvited(EventData):
    """The invitation e-mail was handed to the mail server."""

    event_type = "storefront.user_invited"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    invited_at: dt.datetime


@contract
class StorefrontInvitationFailed(EventData):
    """The mail server refused the invitation or stayed unreachable after retries."""

    event_type = "storefront.invitation_failed"
    customer_id: uuid.UUID
    email: str
    reason: str
    failed_at: dt.datetime


@contract
class StorefrontUserActivated(EventData):
    """The user accepted the invitation and has an account."""

    event_type = "storefront.user_activated"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    activated_at: dt.datetime


@contract
class StorefrontUserAdded(EventData):
    """A customer's admin added a user to its team; the invitation is queued."""

    event_type = "storefront.user_added"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    role: Role
    store_ids: list[uuid.UUID]
    added_at: dt.datetime


@contract
class StorefrontUserUpdated(EventData):
    """A user's role or stores changed: access tokens issued before `updated_at` are refused, since they
    carry the old role (a refresh gets the new one)."""

    event_type = "storefront.user_updated"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    store_ids: list[uuid.UUID]
    updated_at: dt.datetime


@contract
class StorefrontUserRemoved(EventData):
    """A user was removed from its customer's team: its tokens stop working everywhere."""

    event_type = "storefront.user_removed"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    removed_at: dt.datetime


@contract
class StorefrontPasswordReset(EventData):
    """A user set a new password with a reset link: its earlier sessions and access tokens end."""

    event_type = "storefront.password_reset"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    reset_at: dt.datetime


class Platform(StrEnum):
    """The kinds of store a customer connects."""

    shopify = "shopify"
    woocommerce = "woocommerce"
    etsy = "etsy"
    pressero = "pressero"
    manual = "manual"


class StoreStatus(StrEnum):
    """A store's health as its connector last saw it (docs/connectors.md lists each with its fix)."""

    pending = "pending"
    connected = "connected"
    auth_error = "auth_error"
    permission_missing = "permission_missing"
    webhooks_missing = "webhooks_missing"
    unreachable = "unreachable"
    disconnected = "disconnected"


class _StoreSnapshot(EventData):
    """What other services keep of a store (orders and mapping hold small projections of it)."""

    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    name: str
    status: StoreStatus
    updated_at: dt.datetime


@contract
class StoreConnected(_StoreSnapshot):
    """A store finished connecting (credentials verified, webhooks registered): its orders may come."""

    event_type = "store.connected"


@contract
class StoreUpdated(_StoreSnapshot):
    """A store's name or status changed (a problem found or cleared, a reconnect)."""

    event_type = "store.updated"


@contract
class StoreDisconnected(_StoreSnapshot):
    """Disconnected by a user or uninstalled in the shop: no more calls; its orders stay."""

    event_type = "store.disconnected"


class ShopAddress(BaseModel):
    """A postal address as the shop gave it; every part may be missing (protected customer data)."""

    model_config = ConfigDict(frozen=True)

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
    country_code: str | None = None  # ISO 3166-1 alpha-2
    phone: str | None = None
    email: str | None = None


class ShopLineProperty(BaseModel):
    """A line item's custom property (Shopify `properties`, WooCommerce `meta_data`): print options and
    artwork URLs from product personalisers arrive here."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: str


class ShopOrderLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    external_id: str
    external_product_id: str | None
    external_variant_id: str | None
    sku: str | None
    title: str
    variant_title: str | None = None
    quantity: int
    unit_price: Decimal  # in the order's currency, serialised as a decimal string
    properties: tuple[ShopLineProperty, ...] = ()


class _ShopOrder(EventData):
    """One order as a shop holds it, the same for every platform. External ids are strings (Shopify's
    exceed 2^53); money is a decimal string in `currency`. `source_updated_at` is the platform's own
    modification time of this version: the orders service keeps the newest and ignores older ones.
    Platforms give that time to the second, so `revision` (connectors' count of the versions of this
    order it published) decides between two versions of the same second: the higher is the newer."""

    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    external_id: str
    external_number: str | None  # what the merchant calls it, e.g. Shopify's "#1042"
    currency: str
    total_price: Decimal
    subtotal_price: Decimal | None = None
    total_tax: Decimal | None = None
    shipping_price: Decimal | None = None
    email: str | None = None
    financial_status: str | None = None
    test: bool = False
    note: str | None = None
    placed_at: dt.datetime
    source_updated_at: dt.datetime
    revision: int = Field(1, ge=1)
    cancelled_at: dt.datetime | None = None
    line_items: tuple[ShopOrderLine, ...]
    shipping_address: ShopAddress | None = None
    billing_address: ShopAddress | None = None


@contract
class ShopOrderReceived(_ShopOrder):
    """The connector saw this order for the first time (by webhook or by polling)."""

    event_type = "shop_order.received"


@contract
class ShopOrderUpdated(_ShopOrder):
    """A later version of an order the connector saw before."""

    event_type = "shop_order.updated"


@contract
class ShopOrderCancelled(_ShopOrder):
    """The order was cancelled (or deleted) in the shop. A cancellation always wins over other versions."""

    event_type = "shop_order.cancelled"
    cancel_reason: str | None = None


class CatalogPrintAreaSpec(BaseModel):
    """What a print file for one area of a catalog product must be: one of `formats`, the trim size
    plus `bleed_mm` on every side, at least `min_dpi`."""

    name: str
    formats: list[str]
    trim_width_mm: float
    trim_height_mm: float
    bleed_mm: float
    min_dpi: int


@contract
class CatalogProductChanged(EventData):
    """A product of the producer's catalog was created, changed, retired or reactivated: the whole
    snapshot (aggregate: the product's id, versioned)."""

    event_type = "catalog_product.changed"
    product_uid: str
    name: str
    type: str
    attributes: dict[str, list[str]]
    print_areas: list[CatalogPrintAreaSpec]
    status: str
    updated_at: dt.datetime


class DesignFileResult(BaseModel):
    """One design file of a spec (a template's, later a mapping's) and its last check: `status` `pending`,
    `passed` or `failed`; when failed, `problem` (a `FileCheck` reason such as `file_too_small`),
    `message` and `fix`."""

    url: str
    status: str
    problem: str | None = None
    message: str | None = None
    fix: str | None = None
    checked_at: dt.datetime | None = None


@contract
class TemplateChanged(EventData):
    """A customer's template was created or changed, or a check of one of its files came to another
    result: the whole snapshot (aggregate: the template, versioned). `files` by print area; `status` is
    the spec's (`ok`, `file_pending`, `file_failed`, `file_missing`, `product_retired`, `spec_invalid`)."""

    event_type = "template.changed"
    template_id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    description: str | None = None
    product_uid: str
    attributes: dict[str, str]
    files: dict[str, DesignFileResult]
    status: str
    updated_at: dt.datetime


@contract
class TemplateRemoved(EventData):
    """A template was deleted (aggregate: the template, its last version)."""

    event_type = "template.removed"
    template_id: uuid.UUID
    customer_id: uuid.UUID
    removed_at: dt.datetime


@contract
class StoreProductSyncRequested(EventData):
    """Mapping asks connectors to read a store's products again (`POST /v1/stores/{id}/products/sync`):
    the changes since the last sync, or with `full` every product, so that products the shop no longer
    has are found and reported as removed."""

    event_type = "store.product_sync_requested"
    store_id: uuid.UUID
    customer_id: uuid.UUID
    full: bool = False
    requested_at: dt.datetime


class ShopVariant(BaseModel):
    """One variant as the shop sells it. A product without variants (a WooCommerce simple product, an
    Etsy listing without variations, a Pressero product) has one variant whose `external_id` is the
    product's own id."""

    model_config = ConfigDict(frozen=True)

    external_id: str
    sku: str | None = None
    title: str  # e.g. "A5 / Matte", or the product's title when it has no options
    options: dict[str, str] = Field(default_factory=dict)  # {"Size": "A5", "Finish": "Matte"}
    price: Decimal | None = None  # in the shop's currency, a decimal string


class _ShopProductRef(EventData):
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    external_id: str


@contract
class ShopProductSynced(_ShopProductRef):
    """A shop product as the shop holds it now, with all its variants (aggregate: the product in its
    store, versioned by `revision`, connectors' count of the versions it published). `active` is False
    for a product the shop does not sell (draft, archived, unpublished: `platform_status` says which)."""

    event_type = "shop_product.synced"
    title: str
    handle: str | None = None
    product_type: str | None = None
    active: bool
    platform_status: str
    variants: tuple[ShopVariant, ...]
    source_updated_at: dt.datetime
    revision: int = Field(1, ge=1)


@contract
class ShopProductRemoved(_ShopProductRef):
    """The shop no longer has the product (deleted, or not found by a full sync)."""

    event_type = "shop_product.removed"
    removed_at: dt.datetime
    revision: int = Field(1, ge=1)


class ShopProductDraftVariant(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    options: dict[str, str] = Field(default_factory=dict)
    price: Decimal


@contract
class ShopProductPublishRequested(EventData):
    """Mapping asks connectors to create a product in the shop (create & publish). `request_id` names
    the request: connectors never creates two products for one request id, however often it arrives."""

    event_type = "shop_product.publish_requested"
    request_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    title: str
    description: str = ""
    product_type: str | None = None
    options: tuple[str, ...] = ()  # option names in order, e.g. ("Size", "Paper")
    variants: tuple[ShopProductDraftVariant, ...]
    image_urls: tuple[str, ...] = ()


@contract
class ShopProductPublished(EventData):
    """The product was created in the shop; `product` is what the shop now has (its ids and SKUs)."""

    event_type = "shop_product.published"
    request_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    product: ShopProductSynced


@contract
class ShopProductPublishFailed(EventData):
    """The shop refused to create the product, or could not be reached for long: `reason` is what the
    platform said, shown on the draft, which may be published again."""

    event_type = "shop_product.publish_failed"
    request_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    reason: str
    failed_at: dt.datetime


class FulfillmentLine(BaseModel):
    """An order line that shipped: the shop's id of the line (`ShopOrderLine.external_id`) and how many."""

    model_config = ConfigDict(frozen=True)

    external_id: str
    quantity: int = Field(ge=1)


class FulfillmentTracking(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    url: str | None = None
    company: str | None = None


@contract
class ShopFulfillmentRequested(EventData):
    """Orders asks connectors to tell the shop that these lines shipped with this tracking (so the shop
    mails the buyer). `request_id` names the request (one per order and tracking number): connectors never
    ships twice for one request id, however often it arrives. `test`: a test order, checked but not sent.
    `probe` (always with `test`): the order is Printbridge's own test order, which the shop does not have:
    only whether the shop would take a shipment is checked (the connection and its write permission),
    reading and changing no order."""

    event_type = "shop_fulfillment.requested"
    request_id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    external_order_id: str
    external_order_number: str | None = None
    lines: tuple[FulfillmentLine, ...] = Field(min_length=1)
    tracking: FulfillmentTracking
    notify_customer: bool = True
    test: bool = False
    probe: bool = False
    requested_at: dt.datetime


@contract
class ShopFulfillmentSucceeded(EventData):
    """The shop has the shipment: `external_fulfillment_ids` are the shop's ids of what it recorded
    (found again when it had them already). `dry_run`: a test order, checked and not sent."""

    event_type = "shop_fulfillment.succeeded"
    request_id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    external_fulfillment_ids: tuple[str, ...] = ()
    tracking_number: str
    dry_run: bool = False
    succeeded_at: dt.datetime


@contract
class ShopFulfillmentFailed(EventData):
    """The shop refused the shipment, or could not be told (disconnected, a missing permission, down for
    long): `reason` is what the platform said, `fix` what to do. The order's production goes on."""

    event_type = "shop_fulfillment.failed"
    request_id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    tracking_number: str
    reason: str
    fix: str
    failed_at: dt.datetime


class _VariantMappingRef(EventData):
    shop_variant_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    external_product_id: str
    external_variant_id: str
    sku: str | None = None


@contract
class MappingChanged(_VariantMappingRef):
    """A shop variant's mapping to production was made or changed, or something it depends on changed
    (a file check's result, the catalog product, the shop product turned inactive): the whole snapshot
    (aggregate: the shop variant, versioned). `status`: `mapped` (it can be produced), `needs_attention`
    (`issues` say why: product retired, spec no longer valid, a file failing or missing) or `inactive` (the
    shop does not sell the product). `artwork_properties`: print areas whose file each order brings, as
    the URL in its line's property of that name (a shop's customiser), instead of a design file."""

    event_type = "mapping.changed"
    product_uid: str
    attributes: dict[str, str]
    files: dict[str, DesignFileResult]
    artwork_properties: dict[str, str] = Field(default_factory=dict)
    status: str
    issues: tuple[str, ...] = ()
    updated_at: dt.datetime


@contract
class MappingRemoved(_VariantMappingRef):
    """A shop variant is no longer mapped: unmapped by a user, or gone from the shop (aggregate: the shop
    variant, its last version)."""

    event_type = "mapping.removed"
    removed_at: dt.datetime


class OrderItemStatus(BaseModel):
    """One line of an order as production sees it: its status and the production item it resolved to
    (None while it is not resolved)."""

    position: int
    external_id: str
    sku: str | None = None
    quantity: int
    status: str
    product_uid: str | None = None


class OrderHold(BaseModel):
    code: str
    position: int | None = None
    message: str
    fix: str


class OrderTracking(BaseModel):
    number: str
    url: str | None = None
    company: str | None = None
    positions: tuple[int, ...] = ()
    at: dt.datetime


@contract
class OrderStatusChanged(EventData):
    """An order's status or one of its items' moved: the whole snapshot of what production, postbacks
    and shops need (aggregate: the order, versioned; a consumer keeps the highest version, so a late event
    never moves an order backwards). `previous_status` is None for the order's first event."""

    event_type = "order.status_changed"
    order_id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    external_id: str
    external_number: str | None = None
    test: bool = False
    status: str
    previous_status: str | None = None
    items: tuple[OrderItemStatus, ...]
    hold_reasons: tuple[OrderHold, ...] = ()
    production_line_id: uuid.UUID | None = None
    tracking: tuple[OrderTracking, ...] = ()
    message: str | None = None
    actor: str
    changed_at: dt.datetime
