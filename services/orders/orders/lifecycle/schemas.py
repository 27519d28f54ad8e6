from pydantic import BaseModel, ConfigDict, Field

from orders.manual.schemas import ManualAddress, Text200

Reason = Text200


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the order must wait; shown in its hold reasons and history.")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the order is cancelled; kept as its `cancel_reason`.")


class OrderPatch(BaseModel):
    """What a person may correct on an order not yet in production."""

    model_config = ConfigDict(extra="forbid")

    shipping_address: ManualAddress = Field(
        description="The corrected shipping address, whole (it replaces the one held)."
    )
