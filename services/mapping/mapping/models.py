import datetime as dt
import uuid

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from printbridge_shared.db import GUID, UTCDateTime, make_metadata
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import messaging_tables
from printbridge_shared.jobs import job_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


messaging = messaging_tables(Base.metadata)
jobs = job_tables(Base.metadata)


class Store(Base):
    """The projection of a connectors store: whose it is and whether it is connected, for the shop
    products nested under it. Kept from the `store.*` events; an older snapshot changes nothing."""

    __tablename__ = "stores"

    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    platform: Mapped[Platform] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[StoreStatus] = mapped_column(String(30))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The envelope's `aggregate_version` of the snapshot held.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
