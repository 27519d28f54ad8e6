import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.store.fields import StoreName
from printbridge_shared.fields import Text


class WooCommerceConnect(BaseModel):
    """Connect a WooCommerce shop with a REST API key pair (read/write), created in WooCommerce under
    Settings → Advanced → REST API."""

    model_config = ConfigDict(extra="forbid")

    platform: Literal["woocommerce"]
    url: Text = Field(
        min_length=1, max_length=500, description="The shop's address, e.g. `https://shop.example`."
    )
    consumer_key: SecretStr = Field(min_length=1, max_length=200, description="`ck_…`")
    consumer_secret: SecretStr = Field(min_length=1, max_length=200, description="`cs_…`")
    name: StoreName | None = Field(None, description="Defaults to the site's name.")
    customer_id: uuid.UUID | None = Field(None, description="Operators: the customer the store belongs to.")


class WebhookReceived(BaseModel):
    outcome: str = Field(
        description="`ping`, `duplicate` (this change came before), `not_connected`, or what became of "
        "the delivery: `published`, `stale` (older than a version already taken), `ignored`, `failed` "
        "(kept; the next poll fetches the order again)."
    )
