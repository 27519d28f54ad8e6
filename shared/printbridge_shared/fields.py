"""Request fields more than one service validates the same way."""

from typing import Annotated

from pydantic import AfterValidator, Field

from printbridge_shared.emails import normalize_email


def _email(value: str) -> str:
    try:
        return normalize_email(value)
    except ValueError as exc:
        raise ValueError(f"email is not a usable address ({exc}); it is the person's login name") from None


def _name_part(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Email = Annotated[str, AfterValidator(_email), Field(max_length=320, examples=["anna@brand.example"])]
"""An e-mail address, stored normalised (see emails.py)."""
NamePart = Annotated[str, Field(max_length=100), AfterValidator(_name_part)]
"""A first or last name: trimmed, not blank."""
