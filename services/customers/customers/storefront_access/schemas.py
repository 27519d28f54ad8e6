import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from customers.models import InvitationStatus
from printbridge_shared.fields import Email, NamePart


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
