"""Versioned event contracts. A change that breaks a consumer gets a new version; consumers validate
on receipt through `parse_data` and never import another service's code."""

import datetime as dt
import uuid
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

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
