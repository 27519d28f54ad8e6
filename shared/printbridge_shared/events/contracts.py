"""Versioned event contracts. A change that breaks a consumer gets a new version; consumers validate
on receipt through `parse_data` and never import another service's code."""

import datetime as dt
import uuid
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from printbridge_shared.auth.principal import Role
from printbridge_shared.events.envelope import Envelope


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


CONTRACTS: dict[tuple[str, int], type[EventData]] = {}
E = TypeVar("E", bound=type[EventData])


def contract(cls: E) -> E:
    CONTRACTS[(cls.event_type, cls.event_version)] = cls
    return cls


class UnknownEventContract(Exception):
    pass


def parse_data(envelope: Envelope) -> EventData:
    try:
        model = CONTRACTS[(envelope.type, envelope.version)]
    except KeyError:
        raise UnknownEventContract(f"no contract for {envelope.type} v{envelope.version}") from None
    return model.model_validate(envelope.data)


class _CustomerSnapshot(EventData):
    customer_id: uuid.UUID
    name: str
    reference_id: str | None
    description: str | None
    archived: bool
    updated_at: dt.datetime


@contract
class CustomerCreated(_CustomerSnapshot):
    event_type = "customer.created"


@contract
class CustomerUpdated(_CustomerSnapshot):
    event_type = "customer.updated"


@contract
class CustomerArchived(_CustomerSnapshot):
    event_type = "customer.archived"


@contract
class ApiKeyCreated(EventData):
    event_type = "api_key.created"
    api_key_id: uuid.UUID
    name: str


@contract
class ApiKeyRevoked(EventData):
    event_type = "api_key.revoked"
    api_key_id: uuid.UUID


class StorefrontAdmin(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str
    first_name: str
    last_name: str


@contract
class StorefrontAccessEnabled(EventData):
    """The producer turned Storefront access on: storefront-auth restores the customer's users and makes
    sure the named admin has an account or an open invitation (a new one when the admin changed)."""

    event_type = "storefront.access_enabled"
    customer_id: uuid.UUID
    customer_name: str
    admin: StorefrontAdmin


@contract
class StorefrontAccessDisabled(EventData):
    """Turned off: the customer's users can no longer log in and their tokens stop working."""

    event_type = "storefront.access_disabled"
    customer_id: uuid.UUID


@contract
class StorefrontInvitationRequested(EventData):
    """Resend: a fresh invitation for the admin; the previous link stops working."""

    event_type = "storefront.invitation_requested"
    customer_id: uuid.UUID
    customer_name: str
    admin: StorefrontAdmin


@contract
class StorefrontUserInvited(EventData):
    """The invitation e-mail was handed to the mail server."""

    event_type = "storefront.user_invited"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    invited_at: dt.datetime


@contract
class StorefrontInvitationFailed(EventData):
    """The mail server refused the invitation or stayed unreachable after retries."""

    event_type = "storefront.invitation_failed"
    customer_id: uuid.UUID
    email: str
    reason: str
    failed_at: dt.datetime


@contract
class StorefrontUserActivated(EventData):
    """The user accepted the invitation and has an account."""

    event_type = "storefront.user_activated"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    activated_at: dt.datetime


@contract
class StorefrontUserAdded(EventData):
    """A customer's admin added a user to its team; the invitation is queued."""

    event_type = "storefront.user_added"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    role: Role
    store_ids: list[uuid.UUID]
    added_at: dt.datetime


@contract
class StorefrontUserUpdated(EventData):
    """A user's role or stores changed: access tokens issued before `updated_at` are refused, since they
    carry the old role (a refresh gets the new one)."""

    event_type = "storefront.user_updated"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    store_ids: list[uuid.UUID]
    updated_at: dt.datetime


@contract
class StorefrontUserRemoved(EventData):
    """A user was removed from its customer's team: its tokens stop working everywhere."""

    event_type = "storefront.user_removed"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    removed_at: dt.datetime


@contract
class StorefrontPasswordReset(EventData):
    """A user set a new password with a reset link: its earlier sessions and access tokens end."""

    event_type = "storefront.password_reset"
    customer_id: uuid.UUID
    user_id: uuid.UUID
    reset_at: dt.datetime
