import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from orders.manual.schemas import Text100, Text200, Text255
from orders.models import OrderStatus
from orders.order.schemas import HoldReason, ProductionItem, Tracking
from orders.status.machine import REPORTABLE
from printbridge_shared.events.contracts import Platform, ShopAddress
from printbridge_shared.fields import Text

MAX_POSITIONS = 500
Message = Annotated[Text, Field(min_length=1, max_length=2000)]


def _reportable(status: OrderStatus) -> OrderStatus:
    if status not in REPORTABLE:
        names = ", ".join(sorted(s.value for s in REPORTABLE))
        raise ValueError(
            f"production reports one of: {names} (claim with POST /v1/production/orders/{{id}}/claim; "
            "refuse an item with …/reject)"
        )
    return status


def _positions(positions: list[int] | None) -> list[int] | None:
    if positions is not None and len(set(positions)) != len(positions):
        raise ValueError("names an item twice; name each item once")
    return positions


Positions = Annotated[
    list[Annotated[int, Field(ge=0)]] | None,
    Field(max_length=MAX_POSITIONS),
    AfterValidator(_positions),
]


class TrackingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Text100
    url: Annotated[Text, Field(max_length=2000, pattern=r"^https?://\S+$")] | None = None
    company: Text200 | None = None


class StatusIn(BaseModel):
    """A step production reports: for the whole order, or — with `items` — for those items (the order
    then stands where its least advanced item stands)."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[OrderStatus, AfterValidator(_reportable)]
    items: Positions = Field(
        None, description="The positions (from 0) of the items that moved; all when left out."
    )
    tracking: TrackingIn | None = Field(
        None, description="The parcel's tracking (with shipped or in_transit)."
    )
    message: Text255 | None = Field(None, description="A note for the order's history.")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[
        list[Annotated[int, Field(ge=0)]],
        Field(min_length=1, max_length=MAX_POSITIONS),
        AfterValidator(_positions),
    ]
    message: Message = Field(description="Why production cannot make them, for the customer to act on.")


class ProductionLineItem(BaseModel):
    position: int
    external_id: str
    sku: str | None
    title: str
    quantity: int
    status: OrderStatus
    item: ProductionItem | None


class ProductionOrder(BaseModel):
    """An order as production works on it: where it goes, what to make, and where to ship it."""

    id: uuid.UUID
    customer_id: uuid.UUID
    store_id: uuid.UUID
    platform: Platform
    external_id: str
    external_number: str | None
    status: OrderStatus
    production_line_id: uuid.UUID | None
    status_changed_at: dt.datetime | None
    placed_at: dt.datetime
    test: bool
    shipping_address: ShopAddress | None
    items: list[ProductionLineItem]
    hold_reasons: list[HoldReason]
    tracking: list[Tracking]
    cancel_requested_at: dt.datetime | None = Field(
        description="The shop cancelled the order after production took it: decide whether to stop it."
    )
    version: int


class ProductionOrderPage(BaseModel):
    items: list[ProductionOrder]
    next_cursor: str | None = None
