import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from orders.manual.schemas import ManualAddress
from orders.models import TestRunOrigin
from printbridge_shared.fields import Text


class TestOrderIn(BaseModel):
    """What the test order holds. Everything may be left out: the line is then one of the store's mapped
    variants (the first by its shop id), and the address a sample one in Berlin."""

    __test__ = False
    model_config = ConfigDict(extra="forbid")

    external_variant_id: Text | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The shop's variant id to order (its mapping is what the test checks); for a manual "
        "store, leave it out and name `sku` or `template_id`.",
    )
    sku: Text | None = Field(
        default=None, min_length=1, max_length=255, description="A customer SKU (manual stores)."
    )
    template_id: uuid.UUID | None = Field(default=None, description="A saved template (manual stores).")
    quantity: int = Field(default=1, ge=1, le=100_000)
    shipping_address: ManualAddress | None = None


class StepStatus(StrEnum):
    passed = "passed"
    failed = "failed"
    pending = "pending"


class StepName(StrEnum):
    received = "received"
    mapped = "mapped"
    files_ok = "files_ok"
    routed = "routed"
    production_api = "production_api"
    postback_delivered = "postback_delivered"
    storefronts = "storefronts"
    shop_update = "shop_update"


class Step(BaseModel):
    name: StepName
    status: StepStatus
    detail: str = Field(description="What was found.")
    fix: str | None = Field(default=None, description="For a failed step: what to do about it.")


class TestRunStatus(StrEnum):
    running = "running"  # some step is pending, none failed
    passed = "passed"
    failed = "failed"


class TestRunRead(BaseModel):
    __test__ = False

    id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    order_id: uuid.UUID
    origin: TestRunOrigin
    requested_by: str
    created_at: dt.datetime
    status: TestRunStatus = Field(description="failed when a step failed, passed when all passed.")
    steps: list[Step]


class TestRunPage(BaseModel):
    items: list[TestRunRead]
    next_cursor: str | None
