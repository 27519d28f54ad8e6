"""Create & publish: the draft of a shop product designed from a catalog product (docs/products.md)."""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from mapping.specs.schemas import FileUrl, SpecAttributes, SpecFiles
from printbridge_shared.fields import ProductUid, Text, display_name

MAX_VARIANTS = 100
MAX_OPTIONS = 3  # Shopify's and most shops' limit
OptionName = Annotated[Text, AfterValidator(display_name("name the option, e.g. Size", max_length=100))]
OptionValue = Annotated[
    Text, AfterValidator(display_name("give the option's value, e.g. A5", max_length=100))
]
Sku = Annotated[
    Text, AfterValidator(display_name("give the variant's SKU, e.g. FLY-A5-MATTE", max_length=100))
]


class DraftStatus(StrEnum):
    draft = "draft"
    publishing = "publishing"
    published = "published"
    failed = "failed"


class DraftVariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Sku
    price: Decimal = Field(gt=0, max_digits=12, decimal_places=2, description="In the shop's currency.")
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict, description='One value per option of the product, e.g. {"Size": "A5"}.'
    )
    attributes: SpecAttributes = Field(
        default_factory=dict,
        description="Production attributes of this variant where they differ from the product's, e.g. "
        '{"paper": "gloss"} for a glossy variant.',
    )


class DraftIn(BaseModel):
    """A shop product to create from a catalog product (`product_uid`, `attributes`, `files`) or from a
    template (`template_id`, which gives those three)."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, AfterValidator(display_name("give the product's title", max_length=255))]
    description: Annotated[Text, Field(max_length=20_000)] = ""
    product_type: Annotated[Text, Field(max_length=255)] | None = None
    template_id: uuid.UUID | None = None
    product_uid: ProductUid | None = None
    attributes: SpecAttributes = Field(default_factory=dict)
    files: SpecFiles = Field(default_factory=dict)
    options: list[OptionName] = Field(default_factory=list, max_length=MAX_OPTIONS)
    variants: list[DraftVariantIn] = Field(min_length=1, max_length=MAX_VARIANTS)
    image_urls: list[FileUrl] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _consistent(self) -> "DraftIn":
        if (self.template_id is None) == (self.product_uid is None):
            raise ValueError("give either product_uid (with attributes and files) or template_id")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options: each option name once")
        if not self.options and len(self.variants) > 1:
            raise ValueError("variants: a product without options has exactly one variant; name its options")
        seen_skus: set[str] = set()
        seen_values: set[tuple[str, ...]] = set()
        for index, variant in enumerate(self.variants):
            if set(variant.options) != set(self.options):
                raise ValueError(f"variants.{index}.options: give exactly the options {self.options}")
            if variant.sku in seen_skus:
                raise ValueError(f"variants.{index}.sku: {variant.sku} is used twice; SKUs are unique")
            values = tuple(variant.options[name] for name in self.options)
            if values in seen_values:
                raise ValueError(f"variants.{index}.options: another variant has the same option values")
            seen_skus.add(variant.sku)
            seen_values.add(values)
        return self


class DraftVariant(BaseModel):
    sku: str
    price: str
    options: dict[str, str]
    attributes: dict[str, str] = Field(description="The variant's full production attributes.")


class Draft(BaseModel):
    id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    title: str
    description: str
    product_type: str | None
    template_id: uuid.UUID | None
    product_uid: str
    files: dict[str, str]
    options: list[str]
    variants: list[DraftVariant]
    image_urls: list[str]
    status: DraftStatus = Field(
        description="`draft`; `publishing` (the shop is being asked); `published` (the shop has it, "
        "`external_product_id`, and its variants are mapped); `failed` (`error` says why: publish again)."
    )
    error: str | None
    external_product_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DraftPage(BaseModel):
    items: list[Draft]
    next_cursor: str | None
