import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from printbridge_shared.auth.principal import Role
from printbridge_shared.fields import Email, NamePart

StoreIds = list[uuid.UUID]
STORE_IDS = "The stores a `store_manager` manages (required for that role, empty for every other)."


class UserStatus(StrEnum):
    not_invited = "not_invited"  # no invitation is open (it was replaced or withdrawn)
    pending = "pending"  # the invitation is queued
    invited = "invited"  # the invitation e-mail was handed to the mail server
    expired = "expired"  # the invitation link expired before it was accepted
    failed = "failed"  # the mail server refused it or stayed unreachable
    active = "active"  # the user accepted and has an account


class User(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    role: Role
    store_ids: StoreIds
    status: UserStatus
    failure_reason: str | None = Field(description="Why the invitation could not be delivered.")
    invited_at: dt.datetime | None = Field(description="When the last invitation e-mail went out.")
    activated_at: dt.datetime | None
    created_at: dt.datetime


class UserPage(BaseModel):
    items: list[User]
    next_cursor: str | None


class UserInvite(BaseModel):
    """A new team member: the invitation e-mail goes to `email`, which becomes the login name."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    first_name: NamePart
    last_name: NamePart
    role: Role
    store_ids: StoreIds = Field(default_factory=list, max_length=200, description=STORE_IDS)


class UserUpdate(BaseModel):
    """Only the fields sent change. Changing the role away from `store_manager` clears `store_ids`."""

    model_config = ConfigDict(extra="forbid")

    first_name: NamePart | None = None
    last_name: NamePart | None = None
    role: Role | None = None
    store_ids: StoreIds | None = Field(None, max_length=200, description=STORE_IDS)
