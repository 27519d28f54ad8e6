"""What storefront-auth tells every service at start about access tokens that must no longer work; the
events (`storefront.access_disabled`, `storefront.user_updated`, …) keep it current from then on."""

import datetime as dt
import uuid

from pydantic import BaseModel

REVOCATIONS_PATH = "/internal/v1/revocations"


class RevokedSubject(BaseModel):
    subject_id: uuid.UUID
    not_before: dt.datetime


class Revocations(BaseModel):
    disabled_customer_ids: list[uuid.UUID]
    """Customers whose Storefront access the producer switched off: their users' tokens are refused."""
    subjects: list[RevokedSubject]
    """Users whose access tokens issued before `not_before` are refused (role changed, removed, …)."""
