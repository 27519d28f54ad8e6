import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.store.fields import StoreName
from printbridge_shared.fields import Text


class PresseroConnect(BaseModel):
    """Connect a Pressero site with the API credentials of the printer's Pressero account (the API is a
    paid add-on: the ConsumerID comes from Aleyant) and the integration id set on the site."""

    model_config = ConfigDict(extra="forbid")

    platform: Literal["pressero"]
    admin_url: Text = Field(
        min_length=1,
        max_length=500,
        description="The admin host of the account's data centre, e.g. `https://admin.chi.v6.pressero.com`.",
    )
    site_domain: Text = Field(
        min_length=1, max_length=253, description="The storefront site's domain, e.g. `print.acme.com`."
    )
    integration_id: Text = Field(
        min_length=1,
        max_length=100,
        description="The integration id the producer set up for this customer in Pressero; it must equal "
        "the customer's reference id in Printbridge.",
    )
    subscriber_id: Text = Field(min_length=1, max_length=100, description="The Pressero SubscriberID (GUID).")
    consumer_id: Text = Field(min_length=1, max_length=100, description="The ConsumerID from Aleyant (GUID).")
    username: Text = Field(min_length=1, max_length=200, description="An admin user's name.")
    password: SecretStr = Field(min_length=1, max_length=200, description="That admin user's password.")
    currency: Text | None = Field(
        None,
        min_length=3,
        max_length=3,
        description="The site's currency (ISO 4217) where Pressero's order data does not name one; USD.",
    )
    name: StoreName | None = Field(None, description="Defaults to the site domain.")
    customer_id: uuid.UUID | None = Field(None, description="Operators: the customer the store belongs to.")


class WebhookReceived(BaseModel):
    outcome: str = Field(
        description="`duplicate` (this message came before), `not_connected`, `queued` (the order is "
        "fetched in the background), or `ignored` (not an order event, or another site's)."
    )
