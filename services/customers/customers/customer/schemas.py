import datetime as dt
import re
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from customers.models import InvitationStatus
from printbridge_shared.fields import Text, display_name

REFERENCE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _reference_id(value: str) -> str:
    if not REFERENCE_ID.fullmatch(value):
        raise ValueError(
            "reference_id must be 1-64 characters of letters, digits, '.', '_' or '-' (e.g. ACME-001)"
        )
    return value


Name = Annotated[
    Text,
    AfterValidator(display_name("give the customer's company name")),
    Field(examples=["Acme Prints GmbH"]),
]
ReferenceId = Annotated[Text, AfterValidator(_reference_id), Field(examples=["ACME-001"])]
Description = Annotated[Text, Field(max_length=2000)]


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    reference_id: ReferenceId | None = Field(
        None, description="The key other systems use for this customer (e.g. Pressero's integration ID)."
    )
    description: Description | None = None


class CustomerUpdate(BaseModel):
    """Only the fields sent are changed; `reference_id` and `description` may be set to null."""

    model_config = ConfigDict(extra="forbid")

    # Not nullable (the document says so too); left out, it keeps the current name.
    name: Name = None  # type: ignore[assignment]
    reference_id: ReferenceId | None = None
    description: Description | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name_not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("name cannot be null; leave it out to keep the current name")
        return value


class StorefrontAccessSummary(BaseModel):
    enabled: bool
    invitation_status: InvitationStatus


class Customer(BaseModel):
    id: uuid.UUID
    name: str
    reference_id: str | None
    description: str | None
    archived: bool
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    storefront_access: StorefrontAccessSummary


class CustomerPage(BaseModel):
    items: list[Customer]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
