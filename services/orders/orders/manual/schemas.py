"""What a manual order is made of, as the single-order API and the CSV import take it in. Every rule is
here, so both refuse the same input with the same message; each message names the fix."""

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from printbridge_shared.countries import COUNTRY_CODES, WITHOUT_POSTCODE
from printbridge_shared.currencies import CURRENCY_CODES
from printbridge_shared.fields import Email, PrintArea, ProductUid, Text

MAX_LINE_ITEMS = 500
MAX_QUANTITY = 100_000
MAX_FILES = 20
MAX_OPTIONS = 50
MAX_URL_LENGTH = 2_000


def _trimmed(max_length: int) -> Any:
    """The check of a short text: trimmed, not blank, one line (it goes on a label or into a column), at
    most `max_length` characters after trimming."""

    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank; leave the field out instead")
        if any(character in value for character in "\t\r\n"):
            raise ValueError("must be one line; remove the line breaks and tabs")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters; shorten it")
        return value

    return AfterValidator(check)


Text16 = Annotated[Text, _trimmed(16)]
Text20 = Annotated[Text, _trimmed(20)]
Text50 = Annotated[Text, _trimmed(50)]
Text100 = Annotated[Text, _trimmed(100)]
Text200 = Annotated[Text, _trimmed(200)]
Text255 = Annotated[Text, _trimmed(255)]


PLAIN_HTTP = (
    "must be an https:// URL of the print file (plain http:// only where the producer allows private "
    "addresses)"
)


def _https_url(value: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(
            f"the URL is longer than {MAX_URL_LENGTH} characters; use a shorter link to the file"
        )
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an https:// URL of the print file (other schemes are refused)")
    if any(character.isspace() for character in value):
        raise ValueError("must not contain spaces; percent-encode them (%20)")
    return value


def _currency(value: str) -> str:
    value = value.strip().upper()
    if value not in CURRENCY_CODES:
        raise ValueError("must be an ISO 4217 currency code, e.g. EUR, GBP, USD")
    return value


def _country(value: str) -> str:
    value = value.strip().upper()
    if value == "UK":
        raise ValueError("the United Kingdom's ISO 3166-1 code is GB; use GB")
    if value not in COUNTRY_CODES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. DE, GB, US")
    return value


FileUrl = Annotated[Text, AfterValidator(_https_url)]
Currency = Annotated[
    Text,
    AfterValidator(_currency),
    Field(description="ISO 4217 code (upper case).", examples=["EUR"]),
]
CountryCode = Annotated[
    Text,
    AfterValidator(_country),
    Field(description="ISO 3166-1 alpha-2 (upper case; lower case is accepted).", examples=["DE"]),
]
OptionValue = Annotated[Text, StringConstraints(max_length=500)]


class ManualAddress(BaseModel):
    """A postal address, the fields of the read side's `ShopAddress`. Required: `last_name`, one of
    `first_name` or `company`, `address1`, `city`, `country_code`, and `zip` except in countries where
    addresses often have none (`printbridge_shared.countries.WITHOUT_POSTCODE`, e.g. IE, HK, AE).

    `company` follows `first_name` and `zip` follows `country_code` on purpose: their checks read the
    field before them, and so each error is located on the field to fix."""

    model_config = ConfigDict(extra="forbid")

    first_name: Text100 | None = None
    last_name: Text100
    company: Text200 | None = Field(None, validate_default=True)
    address1: Text255
    address2: Text255 | None = None
    city: Text100
    province: Text100 | None = None
    province_code: Text16 | None = None
    country: Text100 | None = None
    country_code: CountryCode
    zip: Text20 | None = Field(None, validate_default=True)
    phone: Text50 | None = None
    email: Email | None = None

    @field_validator("company")
    @classmethod
    def _someone_to_deliver_to(cls, company: str | None, info: ValidationInfo) -> str | None:
        if company is None and info.data.get("first_name") is None and "first_name" in info.data:
            raise ValueError("give first_name or company: the recipient's first name or the company's name")
        return company

    @field_validator("zip")
    @classmethod
    def _postcode_where_there_is_one(cls, zip: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country_code")
        if zip is None and country is not None and country not in WITHOUT_POSTCODE:
            raise ValueError(f"required for an address in {country}: give the postcode")
        return zip


class ManualLineIn(BaseModel):
    """One line: exactly one of `product_uid` (the producer's product), `sku` (a shop SKU, mapped like a
    shop's) or `template_id` (a saved template); the print files by print area and the options."""

    model_config = ConfigDict(extra="forbid")

    product_uid: ProductUid | None = None
    sku: Text255 | None = None
    template_id: uuid.UUID | None = None
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    files: dict[PrintArea, FileUrl] = Field(
        default_factory=dict,
        max_length=MAX_FILES,
        description="Print files by print area (`front`, `back`, …): https URLs, up to 20 areas.",
        examples=[{"front": "https://files.brand.example/flyer-front.pdf"}],
    )
    options: dict[Text100, OptionValue] = Field(
        default_factory=dict,
        max_length=MAX_OPTIONS,
        description='Product options by name, e.g. `{"finish": "matte"}` (up to 50).',
    )
    title: Text255 | None = None
    unit_price: Decimal | None = Field(
        None,
        ge=0,
        max_digits=18,
        decimal_places=6,
        description='Price of one unit in the order\'s currency, a decimal string such as `"4.90"`; '
        "without it the line counts 0 towards the total (the producer prices it).",
    )

    @model_validator(mode="after")
    def _one_product(self) -> "ManualLineIn":
        given = [name for name in ("product_uid", "sku", "template_id") if getattr(self, name) is not None]
        if len(given) != 1:
            named = " and ".join(given) if given else "none of them"
            raise ValueError(f"give exactly one of product_uid, sku or template_id (got {named})")
        return self


class ManualOrderIn(BaseModel):
    """One order placed into a manual store."""

    model_config = ConfigDict(extra="forbid")

    reference: Text255 | None = Field(
        None,
        description="Your own order reference, unique per store; it becomes the order's `external_id` "
        "and `external_number` (without it: the order's id).",
        examples=["PO-2026-0042"],
    )
    currency: Currency
    email: Email | None = None
    note: Annotated[Text, StringConstraints(max_length=5_000)] | None = None
    shipping_address: ManualAddress
    billing_address: ManualAddress | None = None
    line_items: list[ManualLineIn] = Field(min_length=1, max_length=MAX_LINE_ITEMS)


def field_path(loc: Iterable[str | int]) -> str:
    """A validation error's location as people read it: `line_items[2].files.front` (a dict key's own
    error, pydantic's `[key]`, is located on the key)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":
            path += f".{part}" if path else part
    return path


def errors_by_field(errors: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(field path, message) for each of a `ValidationError`'s `errors()`: what the CSV import reports
    per row."""
    return [(field_path(error["loc"]), str(error.get("msg", "invalid"))) for error in errors]


def plain_http_files(order: "ManualOrderIn") -> list[tuple[int, str]]:
    """The (line, print area) of every file given by a plain `http://` URL: taken only where
    `PRINTBRIDGE_ALLOW_PRIVATE_URLS` is on (a file server on a LAN, the local sandbox), as mapping does."""
    return [
        (position, area)
        for position, line in enumerate(order.line_items)
        for area, url in (line.files or {}).items()
        if urlsplit(url).scheme.lower() == "http"
    ]
