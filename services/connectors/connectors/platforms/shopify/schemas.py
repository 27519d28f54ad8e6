import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.store.fields import StoreName
from printbridge_shared.fields import Text


class ShopifyConnect(BaseModel):
    """Connect a Shopify shop: the answer's `authorize_url` is where the merchant grants access."""

    model_config = ConfigDict(extra="forbid")

    platform: Literal["shopify"]
    shop: Text = Field(
        min_length=1,
        max_length=300,
        description="The shop: `acme`, `acme.myshopify.com` or an admin URL such as "
        "`https://admin.shopify.com/store/acme`.",
        examples=["acme.myshopify.com"],
    )
    name: StoreName | None = Field(None, description="Defaults to the shop's name.")
    customer_id: uuid.UUID | None = Field(None, description="Operators: the customer the store belongs to.")
    return_url: Text | None = Field(
        None,
        max_length=2000,
        description="Where the merchant's browser goes after granting access (an address under "
        "PRINTBRIDGE_PUBLIC_URL); without it a small page says the store is connected.",
    )
