import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.store.fields import StoreName


class ManualConnect(BaseModel):
    """Create a manual store: a place for orders the customer sends by API or spreadsheet rather than
    from an online shop. There is no shop to take a name from, so `name` is required."""

    model_config = ConfigDict(extra="forbid")

    platform: Literal["manual"]
    name: StoreName = Field(description="What the store is called, e.g. `Direct orders`.")
    customer_id: uuid.UUID | None = Field(None, description="Operators: the customer the store belongs to.")
