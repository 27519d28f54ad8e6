"""Postback endpoints' and deliveries' request and response bodies (docs/postbacks.md)."""

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from orders.models import DeliveryStatus, OrderStatus
from printbridge_shared.fields import Text

EVENT_TYPES = tuple(f"order.{status.value}" for status in OrderStatus)
"""Every order status as a postback's event type (`order.shipped`)."""
TEST_EVENT_TYPE = "postback.test"
MAX_URL = 2048
MAX_DESCRIPTION = 500


def event_type_of(status: OrderStatus | str) -> str:
    return f"order.{OrderStatus(status).value}"


def _known_event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}; give some of: {', '.join(EVENT_TYPES)}")
    return value


def _each_once(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    if not values:
        raise ValueError("must not be empty; leave events out (or send null) to receive every order status")
    if len(set(values)) != len(values):
        raise ValueError("names an event type twice; name each once")
    return values


EventType = Annotated[Text, AfterValidator(_known_event_type), Field(examples=["order.shipped"])]
EventTypes = Annotated[
    list[EventType] | None,
    Field(max_length=len(EVENT_TYPES), description="The order statuses to receive; null: every one."),
    AfterValidator(_each_once),
]
Url = Annotated[
    Text,
    Field(
        min_length=1,
        max_length=MAX_URL,
        description="Where postbacks are POSTed: https:// (plain http:// and private addresses only where "
        "PRINTBRIDGE_ALLOW_PRIVATE_URLS allows them).",
        examples=["https://mis.producer.example/printbridge/postbacks"],
    ),
]
Description = Annotated[Text, Field(max_length=MAX_DESCRIPTION)]


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: EventTypes = None
    customer_id: uuid.UUID | None = Field(None, description="Only this customer's orders; null: every order.")
    enabled: bool = True
    description: Description | None = None


class EndpointUpdate(BaseModel):
    """The fields sent change; `events` or `customer_id` null: every status, every customer. Enabling an
    endpoint again sends the deliveries that waited."""

    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: EventTypes = None
    customer_id: uuid.UUID | None = None
    enabled: bool | None = None
    description: Description | None = None

    @field_validator("url", "enabled")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave it out to keep it as it is")
        return value


class Endpoint(BaseModel):
    id: uuid.UUID
    url: str
    description: str | None
    events: list[str] | None = Field(description="The order statuses it receives; null: every one.")
    customer_id: uuid.UUID | None
    enabled: bool
    disabled_reason: str | None = Field(description="Why it was disabled by itself (a 410 Gone answer).")
    previous_secret_expires_at: dt.datetime | None = Field(
        description="During a secret rotation: until when the previous secret signs too."
    )
    last_success_at: dt.datetime | None
    failing_since: dt.datetime | None = Field(description="The first failed attempt after the last success.")
    consecutive_failures: int
    pending_count: int = Field(description="Deliveries waiting to be sent (or for their next attempt).")
    created_at: dt.datetime
    updated_at: dt.datetime


class EndpointWithSecret(Endpoint):
    secret: str = Field(
        description="The signing secret (`whsec_…`), shown only now: verify postbacks with it "
        "(Standard Webhooks)."
    )


class EndpointPage(BaseModel):
    items: list[Endpoint]
    next_cursor: str | None


class SecretRotated(BaseModel):
    secret: str = Field(description="The new signing secret, shown only now.")
    previous_secret_expires_at: dt.datetime = Field(
        description="Until then postbacks carry a signature with the previous secret too."
    )


class Attempt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    status_code: int | None = Field(description="The endpoint's answer; null when there was none (error).")
    error: str | None
    duration_ms: int
    response_excerpt: str | None = Field(description="The start of the answer's body (at most 1 KiB).")


class Delivery(BaseModel):
    id: uuid.UUID = Field(description="Also the `webhook-id` header of every attempt.")
    endpoint_id: uuid.UUID
    order_id: uuid.UUID | None
    order_version: int | None
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any] = Field(description="The body sent: `{type, timestamp, data}`.")
    attempt_log: list[Attempt] = Field(description="Every attempt, oldest first.")


class DeliveryPage(BaseModel):
    items: list[Delivery]
    next_cursor: str | None


class TestPingResult(BaseModel):
    delivery_id: uuid.UUID
    delivered: bool = Field(description="The endpoint answered 2xx.")
    status_code: int | None
    duration_ms: int
    error: str | None
    response_excerpt: str | None
