import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, Field


class ShopFulfillmentStatus(StrEnum):
    requested = "requested"  # connectors is telling the shop
    succeeded = "succeeded"  # the shop has it (or, for a test order, would accept it)
    failed = "failed"  # the shop refused it or could not be told: `reason` and `fix` say why


class ShopFulfillmentParcel(BaseModel):
    request_id: uuid.UUID
    tracking_number: str
    status: ShopFulfillmentStatus
    reason: str | None = None
    fix: str | None = None
    dry_run: bool = Field(False, description="A test order: checked against the shop, not sent.")
    external_fulfillment_ids: list[str] = Field(
        default_factory=list, description="The shop's ids of what it recorded (e.g. Shopify fulfillments)."
    )
    at: dt.datetime


class ShopFulfillment(BaseModel):
    """What the shop was told of the order's shipments: `failed` when any parcel failed, `requested`
    while any is on its way, else `succeeded`. A failure never holds up production."""

    status: ShopFulfillmentStatus
    reason: str | None = Field(None, description="The last failure's reason (the platform's words).")
    fix: str | None = Field(None, description="What to do about the last failure.")
    at: dt.datetime = Field(description="When the newest of the parcels' states was reached.")
    parcels: list[ShopFulfillmentParcel]
