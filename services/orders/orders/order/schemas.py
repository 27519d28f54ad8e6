import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from orders.fulfilment.schemas import ShopFulfillment
from orders.models import OrderEventKind, OrderStatus
from printbridge_shared.events.contracts import Platform, ShopAddress, ShopLineProperty

Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "A decimal amount in the order's currency, exactly as the shop gave it.",
            "examples": ["19.90"],
        }
    ),
]


class OrderSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    store_id: uuid.UUID
    platform: Platform
    external_id: str = Field(description="The shop's id of the order (a string: Shopify's exceed 2^53).")
    external_number: str | None = Field(description="What the merchant calls it, e.g. Shopify's `#1042`.")
    status: OrderStatus
    currency: str
    total_price: Money
    placed_at: dt.datetime
    updated_at: dt.datetime
    test: bool = Field(description="A test order of the shop (e.g. Shopify's bogus gateway).")
    production_line_id: uuid.UUID | None = Field(
        description="The production line it was routed to (null until routed)."
    )


class ProductionItem(BaseModel):
    """A line resolved: the catalog product, how many, its attributes and a print file per print area."""

    product_uid: str
    product_type: str
    quantity: int
    attributes: dict[str, str]
    files: dict[str, str] = Field(description="The print file's URL by print area.")
    source: dict[str, str] = Field(
        description="What it was resolved through: `{kind: mapping, shop_variant_id}`, "
        "`{kind: template, template_id}` or `{kind: catalog}` (a manual line naming the product)."
    )


class Rejection(BaseModel):
    message: str
    at: dt.datetime


class HoldReason(BaseModel):
    code: str = Field(
        description="unmapped_item, inactive_product, product_retired, spec_mismatch, file_unreachable, "
        "file_format, file_too_small, file_too_large, address_invalid, cannot_produce or held_by_user."
    )
    position: int | None = Field(description="The line it concerns (from 0); null: the order as a whole.")
    message: str = Field(description="What is wrong.")
    fix: str = Field(description="What to do; the order is released by itself once the cause is fixed.")


class Tracking(BaseModel):
    number: str
    url: str | None
    company: str | None
    positions: list[int] = Field(description="The items shipped with it (all: every item).")
    at: dt.datetime


class OrderLine(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    external_id: str
    external_product_id: str | None
    external_variant_id: str | None
    sku: str | None
    title: str
    variant_title: str | None
    quantity: int
    unit_price: Money
    properties: list[ShopLineProperty]
    product_uid: str | None = Field(
        None, description="Manual orders: the producer's product the line names (shop lines: null)."
    )
    template_id: uuid.UUID | None = Field(None, description="Manual orders: the saved template named.")
    files: dict[str, str] | None = Field(
        None, description="Manual orders: the print files by print area (https URLs)."
    )
    options: dict[str, str] | None = Field(None, description="Manual orders: the options by name.")
    status: OrderStatus = Field(
        validation_alias="item_status", description="Where this item stands (it may move on its own)."
    )
    item: ProductionItem | None = Field(
        description="What production makes of the line, once resolved (null while it is not)."
    )
    rejection: Rejection | None = Field(
        None, description="Production refused the item as it was resolved (a `cannot_produce` hold)."
    )


class OrderHistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    kind: OrderEventKind
    detail: str
    source_event_id: uuid.UUID | None = Field(description="The id of the bus event this entry came from.")
    source_updated_at: dt.datetime | None = Field(
        description="The shop's modification time of the version the event carried."
    )
    status: OrderStatus | None = Field(None, description="A status move: the order's status after it.")
    actor: str | None = Field(
        None, description="A status move: who made it (`system`, `operator …`, `user …`)."
    )


class Order(OrderSummary):
    email: str | None
    financial_status: str | None
    note: str | None
    subtotal_price: Money | None
    total_tax: Money | None
    shipping_price: Money | None
    shipping_address: ShopAddress | None
    billing_address: ShopAddress | None
    source_updated_at: dt.datetime = Field(description="The shop's modification time of the version held.")
    cancelled_at: dt.datetime | None
    cancel_reason: str | None
    created_at: dt.datetime
    line_items: list[OrderLine]
    hold_reasons: list[HoldReason] = Field(
        description="Why an `on_hold` order cannot be produced, each with its fix (empty otherwise)."
    )
    tracking: list[Tracking] = Field(description="The parcels production shipped, with their tracking.")
    cancel_requested_at: dt.datetime | None = Field(
        description="The shop cancelled the order after it went to production: production decides."
    )
    shop_fulfillment: ShopFulfillment | None = Field(
        None,
        description="What the shop was told of the shipments (requested, succeeded or failed with the "
        "reason and fix); null while it was never asked (nothing shipped with tracking, or a manual store).",
    )
    status_changed_at: dt.datetime | None
    version: int = Field(description="Raised with every status move (the `order.status_changed` version).")
    history: list[OrderHistoryEntry] = Field(description="What happened to the order, oldest first.")


class OrderPage(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
