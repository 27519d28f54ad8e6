import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from connectors.platforms.etsy.schemas import EtsyConnect
from connectors.platforms.shopify.schemas import ShopifyConnect
from connectors.platforms.woocommerce.schemas import WooCommerceConnect
from connectors.store.fields import StoreName
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.fields import Text

StoreConnect = Annotated[ShopifyConnect | WooCommerceConnect | EtsyConnect, Field(discriminator="platform")]


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
    created_at: dt.datetime
    updated_at: dt.datetime


class StoreDetail(Store):
    history: list["StoreHistoryEntry"]


class StoreHistoryEntry(BaseModel):
    at: dt.datetime
    kind: str
    detail: dict[str, Any]


class StoreCreated(BaseModel):
    store: Store
    authorize_url: str | None = Field(
        None, description="Where the merchant grants access (OAuth platforms); null when already connected."
    )


class StorePage(BaseModel):
    items: list[Store]
    next_cursor: str | None


class StoreUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StoreName


class StoreReconnect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    return_url: Text | None = Field(
        None,
        max_length=2000,
        description="Where the merchant's browser goes after granting access again (an address under "
        "PRINTBRIDGE_PUBLIC_URL).",
    )
