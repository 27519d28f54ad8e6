"""Request fields more than one service validates the same way. Every text a request carries (body
fields, query and path parameters) is `Text` or built on it, so none reaches a database it cannot be
stored in."""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from printbridge_shared.emails import normalize_email

# NUL, which PostgreSQL cannot store in text; the other C0 and C1 control characters except tab, line feed
# and carriage return, which no name, address or query contains; and lone UTF-16 surrogates (JSON's
# "\ud800"), which are no characters at all and cannot be encoded for any database.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _storable(value: object) -> object:
    """Runs before the string's own rules (length, pattern), so the answer names the real problem."""
    found = UNSTORABLE.search(value) if isinstance(value, str) else None
    if found is not None:
        raise ValueError(
            f"must not contain control characters; remove U+{ord(found.group()):04X} at position "
            f"{found.start()}"
        )
    return value


Text = Annotated[str, BeforeValidator(_storable)]
"""Any text from a request: refuses control characters (NUL above all) and lone surrogates with 422."""
DecimalInput = Annotated[Decimal, BeforeValidator(_storable)]
"""A decimal from a request, a JSON number or a decimal string (`"4.90"`): a string with control characters
gets the same 422 as any `Text`, naming them, instead of "not a valid decimal"."""


def _email(value: str) -> str:
    try:
        return normalize_email(value)
    except ValueError as exc:
        raise ValueError(
            f"email is not a usable address ({exc}); give an address such as anna@brand.example"
        ) from None


def display_name(hint: str, *, max_length: int = 200) -> Callable[[str], str]:
    """The check of a name people give something (a customer, a store): trimmed, not blank, at most
    `max_length` characters; `hint` says what to give. Use as `AfterValidator(display_name("…"))` on Text."""

    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(f"name must not be blank; {hint}")
        if len(value) > max_length:
            raise ValueError(f"name must be at most {max_length} characters")
        return value

    return check


def _name_part(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Email = Annotated[Text, AfterValidator(_email), Field(max_length=320, examples=["anna@brand.example"])]
"""An e-mail address, stored normalised (see emails.py)."""
NamePart = Annotated[Text, Field(max_length=100), AfterValidator(_name_part)]
"""A first or last name: trimmed, not blank."""


def matching(pattern: str, fix: str) -> AfterValidator:
    """The check that a text is all of `pattern` (a trailing line break does not pass); `fix` says what
    to give instead."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(fix)
        return value

    return AfterValidator(check)


PRODUCT_UID_PATTERN = r"[a-z0-9][a-z0-9_.\-]{0,199}"
PRINT_AREA_PATTERN = r"[a-z][a-z0-9_-]{0,39}"

ProductUid = Annotated[
    Text,
    matching(
        PRODUCT_UID_PATTERN,
        "must be the producer's product id: up to 200 lower-case letters, digits, '_', '.' and '-', "
        "starting with a letter or digit (e.g. flyer_a5_135gsm_4-4)",
    ),
    Field(
        description="The producer's product, e.g. `flyer_a5_135gsm_4-4`: lower-case letters, digits, "
        "`_`, `.`, `-`; up to 200 characters.",
        examples=["flyer_a5_135gsm_4-4"],
    ),
]
"""The id of a product of the producer's catalog; orders name it on their lines (mapping owns it)."""
PrintArea = Annotated[
    Text,
    matching(
        PRINT_AREA_PATTERN,
        "a print area is named with up to 40 lower-case letters, digits, '_' and '-', starting with a "
        "letter (e.g. front, back)",
    ),
]
"""The name of a surface a print file goes on (front, back, cover, …)."""
