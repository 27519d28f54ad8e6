import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from printbridge_shared.db import GUID, UTCDateTime, make_metadata
from printbridge_shared.events.outbox import messaging_tables
from printbridge_shared.jobs import job_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


messaging = messaging_tables(Base.metadata)
jobs = job_tables(Base.metadata)


class InvitationStatus(StrEnum):
    not_invited = "not_invited"
    pending = "pending"
    invited = "invited"
    active = "active"
    failed = "failed"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased copies: case-insensitive search, ordering and reference-id uniqueness on both databases.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    reference_id: Mapped[str | None] = mapped_column(String(64))
    reference_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    storefront_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    invitation_status: Mapped[InvitationStatus] = mapped_column(
        String(20), default=InvitationStatus.not_invited
    )
    # The customer admin named when Storefront access was turned on, and what became of the invitation
    # (kept from storefront-auth's events).
    admin_email: Mapped[str | None] = mapped_column(String(320))
    admin_first_name: Mapped[str | None] = mapped_column(String(100))
    admin_last_name: Mapped[str | None] = mapped_column(String(100))
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    invitation_failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Grows by one with each event about this customer (its `aggregate_version`), in commit order.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The `aggregate_version` of the newest storefront-auth event about this customer's team that moved
    # the invitation status: an older one that arrives late changes nothing.
    team_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None
