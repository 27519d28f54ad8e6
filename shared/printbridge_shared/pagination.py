"""Keyset pagination: `limit` + opaque `cursor` in, `{"items", "next_cursor"}` out."""

import base64
import datetime as dt
import json
import uuid
from typing import Annotated, Any

from fastapi import Query

from printbridge_shared.errors import InvalidInput, field_errors
from printbridge_shared.fields import Text

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (1-200).")]
Cursor = Annotated[
    Text | None,
    Query(
        max_length=512,
        pattern="^[A-Za-z0-9_-]*$",
        description="`next_cursor` of the previous page, unchanged: an opaque token this API issued; "
        "any other value is refused with 422.",
    ),
]


class InvalidCursor(InvalidInput):
    code = "invalid-cursor"

    def __init__(self) -> None:
        super().__init__(
            "cursor is not one this API issued; pass the next_cursor of the previous page unchanged",
            errors=field_errors("query", "cursor", msg="invalid cursor"),
        )


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise InvalidCursor() from None
    if not isinstance(values, list) or len(values) != length or not all(isinstance(v, str) for v in values):
        raise InvalidCursor()
    return values


def encode_position(key: str, row_id: uuid.UUID) -> str:
    """The cursor of a page that ends at the row with sort key `key` and id `row_id`."""
    return encode_cursor([key, str(row_id)])


def decode_position(cursor: str | None) -> tuple[str, uuid.UUID] | None:
    """(sort key, id) after which the next page starts; None for the first page (no cursor)."""
    if not cursor:
        return None
    key, row_id = decode_cursor(cursor, length=2)
    try:
        return key, uuid.UUID(row_id)
    except ValueError:
        raise InvalidCursor() from None


def decode_time_position(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    """(time, id) after which the next page starts, for lists ordered by a time column (the cursor of
    `encode_position(time.isoformat(), id)`); None for the first page. A cursor whose key is no
    zone-aware time is refused like any cursor this API did not issue."""
    position = decode_position(cursor)
    if position is None:
        return None
    key, row_id = position
    try:
        moment = dt.datetime.fromisoformat(key)
    except ValueError:
        raise InvalidCursor() from None
    if moment.tzinfo is None:
        raise InvalidCursor()
    return moment, row_id
