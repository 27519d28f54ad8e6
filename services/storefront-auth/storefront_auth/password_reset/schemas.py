import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from printbridge_shared.fields import Text
from storefront_auth.credentials.passwords import MAX_PASSWORD_LENGTH


class RequestPasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text = Field(min_length=1, max_length=320, examples=["anna@brand.example"])


class PasswordResetRequested(BaseModel):
    detail: str


class PasswordResetView(BaseModel):
    """For whom a reset link is, shown before the person chooses the new password."""

    email: str
    expires_at: dt.datetime


class CompletePasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Text = Field(
        min_length=1, max_length=MAX_PASSWORD_LENGTH, description="At least 12 characters."
    )
