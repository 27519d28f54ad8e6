import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from printbridge_shared.fields import Text

NAME_MAX_LENGTH = 100


def clean_api_key_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("name must not be blank; say what the key is for, e.g. 'ERP integration'")
    if len(value) > NAME_MAX_LENGTH:
        raise ValueError(f"name must be at most {NAME_MAX_LENGTH} characters")
    return value


ApiKeyName = Annotated[Text, AfterValidator(clean_api_key_name), Field(examples=["ERP integration"])]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ApiKeyName


class CreatedApiKey(BaseModel):
    id: uuid.UUID
    name: str
    key: str = Field(description="The key itself. It is shown only in this response; store it now.")
    created_at: dt.datetime


class ApiKey(BaseModel):
    id: uuid.UUID
    name: str
    key_hint: str = Field(description="The last four characters of the key, to tell keys apart.")
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class ApiKeyPage(BaseModel):
    items: list[ApiKey]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )


class IntrospectionRequest(BaseModel):
    """Any string: one that is no key Printbridge made (too long, say) is unknown, 404 like the rest."""

    model_config = ConfigDict(extra="forbid")

    key: str


class Introspection(BaseModel):
    api_key_id: uuid.UUID
    name: str
