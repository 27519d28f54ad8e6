import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field


def is_newer(aggregate_version: int | None, held_version: int) -> bool:
    """Whether an event of `aggregate_version` may change state that reflects `held_version` of its
    aggregate (0: nothing yet). An event from before versions existed (None) is applied as it comes."""
    return aggregate_version is None or aggregate_version > held_version


class Envelope(BaseModel):
    """What travels on the bus. `data` is validated against the contract for (`type`, `version`).

    `aggregate_id` and `aggregate_version` name the thing that changed and how many changes of it came
    before; a consumer that keeps state applies an event only when its version is newer than the one it
    holds. Events recorded before versions existed have neither (None), and are applied as they come."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int = 1
    occurred_at: dt.datetime
    source: str
    customer_id: uuid.UUID | None = None
    correlation_id: str | None = None
    aggregate_id: uuid.UUID | None = None
    aggregate_version: int | None = None
    data: dict[str, Any]
