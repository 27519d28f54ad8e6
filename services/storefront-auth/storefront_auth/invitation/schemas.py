import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from printbridge_shared.auth.principal import Role
from printbridge_shared.fields import Text


class InvitationView(BaseModel):
    """What an invitation is for, shown before the person chooses a password."""

    email: str
    first_name: str
    last_name: str
    role: Role
    customer_name: str
    expires_at: dt.datetime


class AcceptInvitation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Text = Field(min_length=1, max_length=1024, description="At least 12 characters.")
