"""The spec's fields as requests give them and its files and status as answers show them."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from printbridge_shared.fields import PrintArea, Text, matching

MAX_URL_LENGTH = 2_000
MAX_FILES = 20
MAX_ATTRIBUTES = 30


class FileStatus(StrEnum):
    pending = "pending"
    passed = "passed"
    failed = "failed"


class SpecStatus(StrEnum):
    """What a spec needs before it can be produced, the most pressing first (`ok`: nothing)."""

    product_retired = "product_retired"
    spec_invalid = "spec_invalid"
    file_failed = "file_failed"
    file_missing = "file_missing"
    file_pending = "file_pending"
    ok = "ok"


def _url_text(value: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(
            f"the URL is longer than {MAX_URL_LENGTH} characters; use a shorter link to the file"
        )
    if any(character.isspace() for character in value):
        raise ValueError("must not contain spaces; percent-encode them (%20)")
    return value


def _attribute_value(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank; give one of the attribute's values")
    return value


# The scheme and host are checked with the service's setting (validation.py): http only where private
# addresses are allowed.
FileUrl = Annotated[Text, AfterValidator(_url_text), Field(examples=["https://files.brand.example/a.pdf"])]
AttributeName = Annotated[
    Text, matching(r"[a-z][a-z0-9_-]{0,39}", "an attribute is named like the catalog's (e.g. paper)")
]
SpecAttributes = Annotated[
    dict[AttributeName, Annotated[Text, AfterValidator(_attribute_value), Field(max_length=100)]],
    Field(
        max_length=MAX_ATTRIBUTES,
        description="One value per attribute of the catalog product; an attribute with a single allowed "
        "value may be left out.",
        examples=[{"paper": "matte"}],
    ),
]
SpecFiles = Annotated[
    dict[PrintArea, FileUrl],
    Field(
        max_length=MAX_FILES,
        description="Design files by print area of the catalog product: https URLs. Areas may be left "
        "out and given later (the status then says `file_missing`).",
        examples=[{"front": "https://files.brand.example/flyer-front.pdf"}],
    ),
]


class SpecIssue(BaseModel):
    """One thing that keeps the spec from `ok`."""

    code: SpecStatus
    area: str | None = Field(None, description="The print area it concerns, for file issues.")
    message: str


class DesignFileRead(BaseModel):
    """A design file and its last check: when `failed`, `problem`, `message` and `fix` say what was found
    and what the customer can do; the measurements are what the check read from the file."""

    url: str
    status: FileStatus
    problem: str | None = Field(
        None,
        description="`file_unreachable`, `file_format`, `file_too_small`, `file_too_large` or "
        "`url_not_allowed` (docs/print-files.md).",
    )
    message: str | None = None
    fix: str | None = None
    format: str | None = None
    bytes: int | None = None
    width_px: int | None = None
    height_px: int | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    dpi: float | None = None
    pages: int | None = None
    http_status: int | None = None
    checked_at: dt.datetime | None = None
