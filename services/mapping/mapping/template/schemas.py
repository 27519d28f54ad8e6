"""Templates' request and response bodies (docs/templates.md)."""

import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from mapping.specs.schemas import DesignFileRead, SpecAttributes, SpecFiles, SpecIssue, SpecStatus
from printbridge_shared.fields import ProductUid, Text, display_name

Name = Annotated[Text, AfterValidator(display_name("give the template's name, e.g. Summer flyer"))]
Description = Annotated[Text, Field(max_length=2000)]


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID | None = Field(
        None, description="Operators: whose template it is (required). Customer users: their own (omit)."
    )
    name: Name = Field(description="Unique per customer, compared without case.")
    description: Description | None = None
    product_uid: ProductUid
    attributes: SpecAttributes = Field(default_factory=dict)
    files: SpecFiles = Field(default_factory=dict)


class TemplateUpdate(BaseModel):
    """Only the fields sent change; `attributes` and `files` are replaced whole. Sending `product_uid`,
    `attributes` or `files` validates the whole spec again against the catalog."""

    model_config = ConfigDict(extra="forbid")

    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    product_uid: ProductUid = None  # type: ignore[assignment]
    attributes: SpecAttributes = None  # type: ignore[assignment]
    files: SpecFiles = None  # type: ignore[assignment]

    @field_validator("name", "product_uid", "attributes", "files", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class Template(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    description: str | None
    product_uid: str
    attributes: dict[str, str] = Field(description="Every attribute of the product, with its value.")
    files: dict[str, DesignFileRead] = Field(description="The design files by print area, with their checks.")
    status: SpecStatus = Field(description="`ok`, or the most pressing of `issues`.")
    issues: list[SpecIssue]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Grows by one with every change, also a file check's new result.")


class TemplatePage(BaseModel):
    items: list[Template]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
