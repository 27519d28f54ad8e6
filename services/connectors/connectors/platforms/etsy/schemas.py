import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.store.fields import StoreName
from printbridge_shared.fields import Text


class EtsyConnect(BaseModel):
    """Connect an Etsy shop: the answer's `authorize_url` is where the seller signs in to Etsy and grants
    access; which shop it is, Etsy says when the seller comes back (the store's `shop` is its shop id)."""

    model_config = ConfigDict(extra="forbid")

    platform: Literal["etsy"]
    name: StoreName | None = Field(None, description="Defaults to the Etsy shop's name.")
    customer_id: uuid.UUID | None = Field(None, description="Operators: the customer the store belongs to.")
    return_url: Text | None = Field(
        None,
        max_length=2000,
        description="Where the seller's browser goes after granting access (an address under "
        "PRINTBRIDGE_PUBLIC_URL); without it a small page says the store is connected.",
    )


class EtsyWebhookReceived(BaseModel):
    outcome: str = Field(description="`fetching`, `duplicate` or `not_connected`.")
