"""Mapping requests: one variant connected to a catalog product, or many at once (docs/products.md)."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from mapping.specs.schemas import SpecAttributes, SpecFiles
from printbridge_shared.fields import ProductUid

MAX_BULK = 500


class MappingIn(BaseModel):
    """What the variant is in production: a catalog product, its attributes, design files by print area."""

    model_config = ConfigDict(extra="forbid")

    product_uid: ProductUid
    attributes: SpecAttributes = Field(default_factory=dict)
    files: SpecFiles = Field(default_factory=dict)


class BulkMappingIn(MappingIn):
    """The same production spec for several variants (e.g. every size of a poster printed alike)."""

    shop_variant_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=MAX_BULK, description=f"1 to {MAX_BULK} variants, each at most once."
    )
