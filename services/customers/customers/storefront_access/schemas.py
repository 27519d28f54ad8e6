import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from customers.models import InvitationStatus
from printbridge_shared.emails import normalize_email


def _email(value: str) -> str:
    try:
        return normalize_email(value)
    except ValueError as exc:
        raise ValueError(f"email is not a usable address ({exc}); it is the admin's login name") from None


def _name_part(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Email = Annotated[str, AfterValidator(_email), Field(max_length=320, examples=["anna@brand.example"])]
NamePart = Annotated[str, Field(max_length=100), AfterValidator(_name_part)]


class StorefrontAdmin(BaseModel):
    """The customer's admin: the e-mail is the login name the invitation goes to."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    first_name: NamePart
    last_name: NamePart


class StorefrontAccessUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool
    admin: StorefrontAdmin | None = Field(
        None, description="Required the first time access is turned on; later only to change the admin."
    )


class StorefrontAccess(BaseModel):
    enabled: bool
    admin: StorefrontAdmin | None
    invitation_status: InvitationStatus = Field(
        description="pending: queued; invited: handed to the mail server; active: accepted; "
        "failed: not delivered (see failure_reason; resend works)."
    )
    invited_at: dt.datetime | None
    activated_at: dt.datetime | None
    failure_reason: str | None
