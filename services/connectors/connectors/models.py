import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
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
    """A customer's shop on one platform. `shop_key` is the shop's identity on its platform (Shopify:
    `name.myshopify.com`; WooCommerce: the normalised site URL): one live store per shop, since the
    platform's webhooks name the shop and nothing else."""

    __tablename__ = "stores"
    __table_args__ = (
        Index(
            "uq_stores_live_shop",
            "platform",
            "shop_key",
            unique=True,
            sqlite_where=text("status != 'disconnected'"),
            postgresql_where=text("status != 'disconnected'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    platform: Mapped[Platform] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    shop_key: Mapped[str] = mapped_column(String(500))
    status: Mapped[StoreStatus] = mapped_column(String(30), index=True)
    # [{code, message, fix, since}] as the connector last saw them; empty when healthy.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The platform credentials (tokens, keys, webhook secrets) as one JSON document, encrypted
    # (connectors/credentials.py); None before connecting and after a disconnect.
    credentials: Mapped[bytes | None] = mapped_column(LargeBinary)
    granted_scopes: Mapped[str | None] = mapped_column(Text)
    # Grows with each change of `credentials`; a refresh of rotating tokens is taken as a lease on one
    # version (`refresh_lease_*`), so only one worker spends the refresh token (store/refresh.py).
    credentials_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refresh_lease_holder: Mapped[str | None] = mapped_column(String(64))
    refresh_lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Orders changed up to this time have been polled (the reconcile job goes on from here, with overlap).
    orders_polled_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Product sync: where the last sync of changes started (the next asks from a little before), and
    # when every product was last read (a full sync also finds the products the shop no longer has).
    products_synced_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    products_full_synced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    connected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    disconnected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Grows by one with each event about this store (its `aggregate_version`), in commit order.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class StoreHistory(Base):
    """What happened to a store when: connected, a problem found or cleared, disconnected, …"""

    __tablename__ = "store_history"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("stores.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConnectAttempt(Base):
    """A started OAuth connect: its single-use `state` (stored as a hash), until it expires or is used."""

    __tablename__ = "connect_attempts"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("stores.id"), index=True)
    platform: Mapped[Platform] = mapped_column(String(20))
    return_url: Mapped[str | None] = mapped_column(Text)
    # Whatever the platform's flow must keep between the start and the callback (e.g. a PKCE verifier),
    # encrypted like credentials.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """A platform's webhook delivery as it arrived (the exact bytes), kept once per change: `change_key` is
    the platform's own identity of the change (Shopify's event id; WooCommerce's resource id with its
    modification time), so a repeated delivery finds its first copy and changes nothing."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("uq_webhook_deliveries_change", "store_id", "change_key", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("stores.id"))
    platform: Mapped[Platform] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(100))
    change_key: Mapped[str] = mapped_column(String(200))
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # What became of it: `published` (its event is in the outbox), `ignored` (nothing to do), `stale` (an
    # older version than one already seen), `failed` (with `error`).
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)


class ShopOrderSeen(Base):
    """The newest version of each shop order published so far: a webhook and a poll that bring the same
    version publish it once, an older one not at all, and the first one is `shop_order.received`."""

    __tablename__ = "shop_orders_seen"

    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("stores.id"), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    source_updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the published version said (a hash): tells two versions of the same second apart.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    # How many versions were published: the events' `revision`.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ShopProductSeen(Base):
    """The newest version of each shop product published so far (connectors/products/service.py): a
    sync that reads an unchanged product publishes nothing, an older version is ignored, and `revision`
    is the `aggregate_version` of the product's last event."""

    __tablename__ = "shop_products_seen"

    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("stores.id"), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    source_updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class KnownCustomer(Base):
    """A customer as the customers service announced it (the projection this service keeps)."""

    __tablename__ = "known_customers"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # The customer's own id for this customer (e.g. in the producer's MIS); Pressero sites are connected
    # only for the customer whose reference id is the site's integration id.
    reference_id: Mapped[str | None] = mapped_column(String(64))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ShopProductPublication(Base):
    """Which shop product each publish request made (create & publish): a request id delivered again
    answers with that product instead of creating another (connectors/products/publish.py)."""

    __tablename__ = "shop_product_publications"

    request_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("stores.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
