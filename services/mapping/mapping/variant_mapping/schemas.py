"""Mapping requests: one variant connected to a catalog product, or many at once (docs/products.md)."""

import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from mapping.specs.schemas import SpecAttributes, SpecFiles
from printbridge_shared.fields import PrintArea, ProductUid, Text

MAX_BULK = 500
MAX_ARTWORK_PROPERTIES = 20
MAX_PROPERTY_NAME = 255


def _property_name(value: str) -> str:
    if not value:
        raise ValueError("must not be empty; give the property's name as the shop's customiser sends it")
    if len(value) > MAX_PROPERTY_NAME:
        raise ValueError(f"must be at most {MAX_PROPERTY_NAME} characters")
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line: the property's name as the shop's customiser sends it")
    if not value.strip():
        raise ValueError("must not be blank; give the property's name as the shop's customiser sends it")
    return value


# Matched exactly as the order line's property is named (case and spaces count): not trimmed.
PropertyName = Annotated[
    Text,
    AfterValidator(_property_name),
    Field(description=f"1 to {MAX_PROPERTY_NAME} characters, one line.", examples=["_artwork_url"]),
]
ArtworkProperties = Annotated[
    dict[PrintArea, PropertyName],
    Field(
        max_length=MAX_ARTWORK_PROPERTIES,
        description="Print areas whose file comes with each order: the URL in the order line's property of "
        "this name (e.g. what a shop's personalisation app sends). An area has either a file in `files` "
        "or an artwork property, not both.",
        examples=[{"front": "_artwork_url"}],
    ),
]


class MappingIn(BaseModel):
    """What the variant is in production: a catalog product, its attributes, design files by print area."""

    model_config = ConfigDict(extra="forbid")

    product_uid: ProductUid
    attributes: SpecAttributes = Field(default_factory=dict)
    files: SpecFiles = Field(default_factory=dict)
    artwork_properties: ArtworkProperties = Field(default_factory=dict)


class BulkMappingIn(MappingIn):
    """The same production spec for several variants (e.g. every size of a poster printed alike)."""

    shop_variant_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=MAX_BULK, description=f"1 to {MAX_BULK} variants, each at most once."
    )
