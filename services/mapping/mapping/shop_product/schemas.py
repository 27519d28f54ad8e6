"""Shop products' and variants' answers and the sync request (docs/products.md)."""

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from mapping.specs.schemas import DesignFileRead, SpecIssue, SpecStatus


class MappingStatus(StrEnum):
    """Whether a shop variant (or product) can be produced, the most pressing first."""

    inactive = "inactive"
    needs_attention = "needs_attention"
    unmapped = "unmapped"
    mapped = "mapped"


class Issue(BaseModel):
    """Why something is not `mapped`, and what to do."""

    code: str = Field(
        description="`inactive_product`, `unmapped_item`, or a spec issue such as `file_failed`."
    )
    message: str
    fix: str
    area: str | None = None


class VariantMappingRead(BaseModel):
    product_uid: str
    attributes: dict[str, str]
    files: dict[str, DesignFileRead] = Field(description="Design files by print area, with their checks.")
    artwork_properties: dict[str, str] = Field(
        description="Print areas whose file comes with each order: the URL in the order line's property "
        "of this name, checked by orders per order."
    )
    status: SpecStatus = Field(description="The spec's own status: `ok`, or the most pressing of `issues`.")
    issues: list[SpecIssue]
    created_at: dt.datetime
    updated_at: dt.datetime


class ShopVariantRead(BaseModel):
    id: uuid.UUID = Field(description="Printbridge's id of the variant: `/v1/shop-variants/{id}`.")
    shop_product_id: uuid.UUID
    store_id: uuid.UUID
    external_id: str = Field(
        description="The shop's id of the variant (the product's own for a product without options)."
    )
    sku: str | None
    title: str
    options: dict[str, str]
    price: str | None = Field(description="In the shop's currency, a decimal string.")
    mapping_status: MappingStatus
    issues: list[Issue]
    mapping: VariantMappingRead | None


class ShopProductRead(BaseModel):
    id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    platform: str
    external_id: str
    title: str
    handle: str | None
    product_type: str | None
    active: bool = Field(description="The shop sells it; false for a draft, archived or unpublished product.")
    platform_status: str = Field(
        description="The shop's own status word, e.g. `draft`, `archived`, `publish`."
    )
    mapping_status: MappingStatus = Field(description="`inactive`, else the most pressing of its variants'.")
    issues: list[Issue]
    variants: list[ShopVariantRead]
    source_updated_at: dt.datetime = Field(description="When the shop last changed it.")
    synced_at: dt.datetime = Field(description="When Printbridge last received it.")


class ShopProductPage(BaseModel):
    items: list[ShopProductRead]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full: bool = Field(
        False,
        description="Read every product again (and find those the shop no longer has) instead of the "
        "changes since the last sync.",
    )


class SyncAccepted(BaseModel):
    store_id: uuid.UUID
    full: bool
    requested_at: dt.datetime
