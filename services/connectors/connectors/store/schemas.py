import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.platforms.etsy.schemas import EtsyConnect
from connectors.platforms.manual.schemas import ManualConnect
from connectors.platforms.pressero.schemas import PresseroConnect
from connectors.platforms.shopify.schemas import ShopifyConnect
from connectors.platforms.woocommerce.schemas import WooCommerceConnect
from connectors.store.fields import StoreName
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.fields import Text

StoreConnect = Annotated[
    ShopifyConnect | WooCommerceConnect | EtsyConnect | PresseroConnect | ManualConnect,
    Field(discriminator="platform"),
]


class StoreProblem(BaseModel):
    code: str = Field(description="Stable code, e.g. `token_revoked`, `scope_missing`, `webhooks_missing`.")
    message: str = Field(description="What the connector saw.")
    fix: str = Field(description="What to do about it.")
    since: dt.datetime


class Store(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    name: str
    shop: str = Field(description="The shop on its platform: `name.myshopify.com`, the site URL, …")
    status: StoreStatus
    problems: list[StoreProblem]
    connected_at: dt.datetime | None
    disconnected_at: dt.datetime | None
    last_polled_at: dt.datetime | None
    products_synced_at: dt.datetime | None = Field(
        description="Where the last product sync that succeeded began: every change made in the shop "
        "before then is in Printbridge (null: not synced yet, or a platform without shop products)."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class StoreDetail(Store):
    history: list["StoreHistoryEntry"]


class StoreHistoryEntry(BaseModel):
    at: dt.datetime
    kind: str
    detail: dict[str, Any]


class StoreSetup(BaseModel):
    """What the producer enters in the shop's admin where the platform's webhooks are set up by hand
    (Pressero: Admin > Preferences > Webhooks)."""

    webhook_url: str = Field(description="The address the platform delivers to; it names the store.")
    security_key: str = Field(description="The key the platform signs deliveries with (keep it secret).")
    events: list[str] = Field(description="The events to tick.")
    instructions: str = Field(description="Where in the platform's admin these go.")


class StoreCreated(BaseModel):
    store: Store
    authorize_url: str | None = Field(
        None, description="Where the merchant grants access (OAuth platforms); null when already connected."
    )
    setup: StoreSetup | None = Field(
        None,
        description="Platforms whose webhooks the producer sets up by hand (Pressero): what to enter "
        "there; null for the others.",
    )


class StorePage(BaseModel):
    items: list[Store]
    next_cursor: str | None


class StoreUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StoreName


class StoreCredentials(BaseModel):
    """New login for a store connected with a user's login (Pressero: its admin user), e.g. after a
    password change put the store in `auth_error`."""

    model_config = ConfigDict(extra="forbid")

    username: Text | None = Field(None, min_length=1, max_length=200, description="Unchanged when left out.")
    password: SecretStr = Field(min_length=1, max_length=200)


class StoreReconnect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    return_url: Text | None = Field(
        None,
        max_length=2000,
        description="Where the merchant's browser goes after granting access again (an address under "
        "PRINTBRIDGE_PUBLIC_URL).",
    )
