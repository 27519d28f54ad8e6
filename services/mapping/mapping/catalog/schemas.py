"""The catalog's request and response bodies. Every bound here is documented in docs/catalog.md; the CSV
format (csv_format.py) relies on attribute values holding no `|` and area names no `,` or `;`."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from printbridge_shared.fields import PrintArea, ProductUid, Text, display_name, matching

MAX_ATTRIBUTES = 30
MAX_ATTRIBUTE_VALUES = 100
MAX_PRINT_AREAS = 20
# The paths of the catalog's export and import (/v1/catalog/products/export.json, …): no product's uid.
RESERVED_UIDS = frozenset({"export.json", "export.csv", "import"})


class ProductStatus(StrEnum):
    active = "active"
    retired = "retired"


class FileFormat(StrEnum):
    pdf = "pdf"
    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"
    svg = "svg"


def _not_reserved(value: str) -> str:
    if value in RESERVED_UIDS:
        raise ValueError(f"'{value}' names the catalog's export or import; choose another product_uid")
    return value


def _attribute_value(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("an attribute value must not be blank")
    if len(value) > 100:
        raise ValueError("an attribute value must be at most 100 characters")
    if any(character in value for character in "|\t\r\n"):
        raise ValueError("an attribute value must be one line without '|' (the CSV format's separator)")
    return value


NewProductUid = Annotated[ProductUid, AfterValidator(_not_reserved)]
Name = Annotated[Text, AfterValidator(display_name("give the product's name, e.g. Flyer A5 135 g"))]
ProductType = Annotated[
    Text,
    matching(
        r"[a-z][a-z0-9_-]{0,49}",
        "type is up to 50 lower-case letters, digits, '_' and '-', starting with a letter (e.g. flyer)",
    ),
    Field(examples=["flyer"]),
]
AttributeName = Annotated[
    Text,
    matching(
        r"[a-z][a-z0-9_-]{0,39}",
        "an attribute is named with up to 40 lower-case letters, digits, '_' and '-', starting with a "
        "letter (e.g. paper, size)",
    ),
]
AttributeValue = Annotated[Text, AfterValidator(_attribute_value)]
Attributes = Annotated[
    dict[
        AttributeName,
        Annotated[list[AttributeValue], Field(min_length=1, max_length=MAX_ATTRIBUTE_VALUES)],
    ],
    Field(
        max_length=MAX_ATTRIBUTES,
        description='Each attribute\'s allowed values, e.g. `{"paper": ["matte", "gloss"]}`.',
        examples=[{"paper": ["matte", "gloss"], "size": ["A5"]}],
    ),
]


class PrintAreaSpec(BaseModel):
    """One surface a print file goes on, and what that file must be."""

    model_config = ConfigDict(extra="forbid")

    name: PrintArea
    formats: list[FileFormat] = Field(min_length=1, max_length=len(FileFormat))
    trim_width_mm: float = Field(gt=0, le=10_000, allow_inf_nan=False)
    trim_height_mm: float = Field(gt=0, le=10_000, allow_inf_nan=False)
    bleed_mm: float = Field(0, ge=0, le=100, allow_inf_nan=False)
    min_dpi: int = Field(300, ge=1, le=4_800)

    @field_validator("formats")
    @classmethod
    def _distinct_formats(cls, formats: list[FileFormat]) -> list[FileFormat]:
        if len(set(formats)) != len(formats):
            raise ValueError("formats lists a format twice; name each once")
        return formats


PrintAreas = Annotated[list[PrintAreaSpec], Field(max_length=MAX_PRINT_AREAS)]


def _distinct_areas(areas: list[PrintAreaSpec]) -> list[PrintAreaSpec]:
    names = [area.name for area in areas]
    if len(set(names)) != len(names):
        raise ValueError("print_areas names an area twice; give each area once")
    return areas


def _distinct_values(attributes: dict[str, list[str]]) -> dict[str, list[str]]:
    for name, values in attributes.items():
        if len(set(values)) != len(values):
            raise ValueError(f"attribute '{name}' lists a value twice; give each value once")
    return attributes


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_uid: NewProductUid
    name: Name
    type: ProductType
    attributes: Attributes = Field(default_factory=dict)
    print_areas: PrintAreas = Field(default_factory=list)

    _areas = field_validator("print_areas")(_distinct_areas)
    _values = field_validator("attributes")(_distinct_values)


class ProductImport(ProductCreate):
    """One product of an import: created or, when its uid exists, changed to exactly this. Without a
    status a new product is active and a held one keeps its own."""

    status: ProductStatus | None = None


class ProductUpdate(BaseModel):
    """Only the fields sent change; none may be null."""

    model_config = ConfigDict(extra="forbid")

    name: Name = None  # type: ignore[assignment]
    type: ProductType = None  # type: ignore[assignment]
    attributes: Attributes = None  # type: ignore[assignment]
    print_areas: PrintAreas = None  # type: ignore[assignment]

    _areas = field_validator("print_areas")(_distinct_areas)
    _values = field_validator("attributes")(_distinct_values)

    @field_validator("name", "type", "attributes", "print_areas", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class Product(BaseModel):
    product_uid: str
    name: str
    type: str
    attributes: dict[str, list[str]]
    print_areas: list[PrintAreaSpec]
    status: ProductStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Grows by one with every change, retirement or reactivation.")


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
