import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

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


class OrderHistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    kind: OrderEventKind
    detail: str
    source_event_id: uuid.UUID | None = Field(description="The id of the bus event this entry came from.")
    source_updated_at: dt.datetime | None = Field(
        description="The shop's modification time of the version the event carried."
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
    history: list[OrderHistoryEntry] = Field(description="What happened to the order, oldest first.")


class OrderPage(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
