import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field


class Envelope(BaseModel):
    """What travels on the bus. `data` is validated against the contract for (`type`, `version`)."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int = 1
    occurred_at: dt.datetime
    source: str
    customer_id: uuid.UUID | None = None
    correlation_id: str | None = None
    data: dict[str, Any]
