import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from printbridge_shared.db import GUID, ExactDecimal, UTCDateTime, make_metadata
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import messaging_tables
from printbridge_shared.jobs import job_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


messaging = messaging_tables(Base.metadata)
jobs = job_tables(Base.metadata)


class OrderStatus(StrEnum):
    """Where an order (and each of its items) stands: docs/orders-lifecycle.md has the moves allowed."""

    received = "received"  # taken in, not yet resolved (or waiting for a file check)
    on_hold = "on_hold"  # cannot be produced as it is: `hold_reasons` say why and how to fix it
    routed = "routed"  # resolved and given a production line, waiting for production
    accepted = "accepted"  # claimed by production
    in_production = "in_production"
    printed = "printed"
    shipped = "shipped"
    in_transit = "in_transit"
    delivered = "delivered"
    cancelled = "cancelled"
    failed = "failed"
    returned = "returned"


class OrderEventKind(StrEnum):
    """What an order's history records: a version taken in, or one left out and why; and each move of
    its status, with who made it."""

    received = "received"
    updated = "updated"
    cancelled = "cancelled"
    ignored_stale = "ignored_stale"  # older than the version held
    ignored_same_version = "ignored_same_version"  # the version held, again (another event of it)
    status_changed = "status_changed"  # resolution, production or a person moved the status
    items_changed = "items_changed"  # some items moved, the order's status did not
    address_corrected = "address_corrected"
    cancel_flagged = "cancel_flagged"  # cancelled in the shop after it went to production
    # Items shipped with tracking: the shop is asked to record it (or not: a manual store has no shop),
    # and what became of the ask (docs/orders-lifecycle.md#back-to-the-shop).
    shop_fulfillment_requested = "shop_fulfillment_requested"
    shop_fulfillment_skipped = "shop_fulfillment_skipped"
    shop_fulfillment_succeeded = "shop_fulfillment_succeeded"
    shop_fulfillment_failed = "shop_fulfillment_failed"


class Store(Base):
    """The projection of a connectors store: enough to scope and name its orders. Kept from the
    `store.*` events; an older snapshot than the one held changes nothing."""

    __tablename__ = "stores"

    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    platform: Mapped[Platform] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[StoreStatus] = mapped_column(String(30))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The envelope's `aggregate_version` of the snapshot held (0: connectors sent none, so `updated_at`
    # decides).
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Order(Base):
    """One shop order, once per (store, external id) however often and in whatever order its versions
    arrive. The fields are the newest version's (`source_updated_at` decides); a cancellation wins."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("store_id", "external_id", name="uq_orders_store_id_external_id"),
        Index("ix_orders_placed_at_id", "placed_at", "id"),
        Index("ix_orders_customer_id_placed_at", "customer_id", "placed_at"),
        Index("ix_orders_store_id_placed_at", "store_id", "placed_at"),
        Index("ix_orders_status_status_changed_at", "status", "status_changed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID())
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    platform: Mapped[Platform] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    external_number: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[OrderStatus] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(16))
    total_price: Mapped[Decimal] = mapped_column(ExactDecimal())
    subtotal_price: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    total_tax: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    shipping_price: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    email: Mapped[str | None] = mapped_column(String(320))
    financial_status: Mapped[str | None] = mapped_column(String(64))
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    source_updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The version's `revision`: between two versions of the same second, the higher is the newer.
    source_revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The aggregate version of the `order.status_changed` events: raised with every status move.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Why an `on_hold` order cannot be produced: [{code, position (null: the order), message, fix}].
    hold_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # A hold put on by a person (`POST …/hold`): {reason, by, at}; only `…/release` lifts it.
    manual_hold: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    production_line_id: Mapped[uuid.UUID | None] = mapped_column(GUID(), index=True)
    routing_rule_id: Mapped[uuid.UUID | None] = mapped_column(GUID())
    # [{number, url, company, positions, at}] as production reported them (shipped, in transit).
    tracking: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # The shop cancelled the order after it went to production: production decides (docs).
    cancel_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Each parcel the shop was asked to record (`shop_fulfillment.requested`) and its outcome so far:
    # [{request_id, tracking_number, status (requested, succeeded, failed), reason, fix, dry_run,
    # external_fulfillment_ids, at}].
    shop_fulfillments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    lines: Mapped[list["OrderLine"]] = relationship(
        lazy="raise", order_by="OrderLine.position", passive_deletes=True
    )
    history: Mapped[list["OrderEvent"]] = relationship(
        lazy="raise", order_by="OrderEvent.sequence", passive_deletes=True
    )


class OrderLine(Base):
    """A line item of the order's newest version, in the shop's order (`position` from 0)."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "position", name="uq_order_lines_order_id_position"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(255))
    external_product_id: Mapped[str | None] = mapped_column(String(255))
    external_variant_id: Mapped[str | None] = mapped_column(String(255))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    variant_title: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal())
    # [{"name": …, "value": …}] as the shop gave them (print options, artwork URLs).
    properties: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # What a manual order names directly (shop orders leave them empty; their products are mapped):
    # the producer's product, a saved template, the print files by print area, the options by name.
    product_uid: Mapped[str | None] = mapped_column(String(200))
    template_id: Mapped[uuid.UUID | None] = mapped_column(GUID())
    files: Mapped[dict[str, str] | None] = mapped_column(JSON)
    options: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # The production item the line resolved to (None until resolved): what production makes.
    item: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    item_status: Mapped[OrderStatus] = mapped_column(
        String(20), default=OrderStatus.received, server_default="received"
    )
    # Production refused the item as it was resolved: {message, at, item}; cleared when the item changes
    # or someone releases the order.
    rejection: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OrderEvent(Base):
    """The order's history: each event taken in or left out, when, and the bus event it came with."""

    __tablename__ = "order_events"
    __table_args__ = (UniqueConstraint("order_id", "sequence", name="uq_order_events_order_id_sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # 1, 2, … per order: the order of the entries, also when several share an instant.
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[OrderEventKind] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text)
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(GUID())
    source_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Status moves: the status after it, and who moved it ("system", "operator …", "user …").
    status: Mapped[OrderStatus | None] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(320))


class IdempotencyKey(Base):
    """A manual order placed with an `Idempotency-Key`: the key (per store), a hash of the request it
    came with and the answer given, so a repeat gets the same answer instead of a second order. Kept 24
    hours (`orders.manual.service.IDEMPOTENCY_KEY_LIFETIME`)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_store_id_created_at", "store_id", "created_at"),)

    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[uuid.UUID] = mapped_column(GUID())
    # The answer's body (the order as it was created); None until the order is written, in the same
    # transaction, so no other transaction ever reads it None.
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ImportStatus(StrEnum):
    """Where a CSV order import stands (docs/orders-import.md)."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class OrderImport(Base):
    """One uploaded CSV file of orders for a manual store, and how far its import got. The counters and
    `lines_done` are written in the transaction of each batch, with its orders, so a resumed import
    continues after the last committed batch without counting anything twice."""

    __tablename__ = "order_imports"
    __table_args__ = (Index("ix_order_imports_store_id_created_at", "store_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID())
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    status: Mapped[ImportStatus] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    delimiter: Mapped[str] = mapped_column(String(1))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    orders_created: Mapped[int] = mapped_column(Integer, default=0)
    orders_existing: Mapped[int] = mapped_column(Integer, default=0)
    rows_failed: Mapped[int] = mapped_column(Integer, default=0)
    # Every error found (a failed row may have several); only the first MAX_STORED_ERRORS are kept.
    errors_total: Mapped[int] = mapped_column(Integer, default=0)
    # The file's last line taken care of by a committed batch (1: the header): where a resumed import
    # continues.
    lines_done: Mapped[int] = mapped_column(Integer, default=1)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class OrderImportChunk(Base):
    """The uploaded file in pieces (`CHUNK_BYTES` each), in the service's database: any replica's job
    runner can read it, it is written in the transaction that accepts the upload, and it goes with the
    import."""

    __tablename__ = "order_import_chunks"

    import_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("order_imports.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class OrderImportErrorRow(Base):
    """A row that was not imported: the file's line (1 = the header), the column when one is to blame,
    and why. Only the first `MAX_STORED_ERRORS` of an import are kept; `errors_total` counts them all."""

    __tablename__ = "order_import_errors"

    import_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("order_imports.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    row: Mapped[int] = mapped_column(Integer)
    column_name: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)


class OrderFile(Base):
    """A print file that came with an order (a manual line's `files`, or a shop line's artwork URL in the
    property its mapping names), checked by the shared file checker against its print area's
    requirements (orders/files/)."""

    __tablename__ = "order_files"
    __table_args__ = (
        UniqueConstraint("order_id", "position", "area", name="uq_order_files_order_id_position_area"),
        Index("ix_order_files_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    requirements: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # pending, passed, failed
    problem: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


# Projections of the mapping service's aggregates (docs/orders-resolution.md): what a line resolves through.


class VariantMappingView(Base):
    """A shop variant's mapping as mapping's `mapping.changed` / `mapping.removed` last said (a removal
    is kept as a tombstone, so an older change never brings it back)."""

    __tablename__ = "variant_mappings"
    __table_args__ = (
        Index("ix_variant_mappings_store_variant", "store_id", "external_variant_id"),
        Index("ix_variant_mappings_store_product", "store_id", "external_product_id"),
        Index("ix_variant_mappings_customer_sku", "customer_id", "sku"),
    )

    shop_variant_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID())
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    external_product_id: Mapped[str] = mapped_column(String(255))
    external_variant_id: Mapped[str] = mapped_column(String(255))
    sku: Mapped[str | None] = mapped_column(String(255))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    product_uid: Mapped[str | None] = mapped_column(String(200))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # {area: {url, status, problem, message, fix, checked_at}}
    files: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)
    # {area: the order line's property whose value is the area's artwork URL}
    artwork_properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(30))
    issues: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)


class CatalogProductView(Base):
    """A product of the producer's catalog as `catalog_product.changed` last said."""

    __tablename__ = "catalog_products"

    product_uid: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(200))
    attributes: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    print_areas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)


class TemplateView(Base):
    """A customer's saved template as `template.changed` / `template.removed` last said (tombstone)."""

    __tablename__ = "templates"

    template_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(Text)
    product_uid: Mapped[str | None] = mapped_column(String(200))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    files: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)


# Routing


class ProductionLine(Base):
    """Where orders are made (docs/routing.md). Exactly one line is the default, which takes every order
    no routing rule claims: the migration creates it, and the partial unique index keeps a second one
    out even when two requests move the default at once."""

    __tablename__ = "production_lines"
    __table_args__ = (
        Index(
            "uq_production_lines_one_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RoutingRule(Base):
    """One rule: the production line an order goes to when all its conditions hold. Rules are tried by
    `position` (1..n, without gaps; not unique in the database, since a shift moves many rows at once,
    so every change of the rules holds the routing lock, `RoutingRepository.lock`)."""

    __tablename__ = "routing_rules"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, index=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    # No cascade: a line that rules point to is not deleted (409 naming them).
    production_line_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("production_lines.id"), index=True
    )
    # The conditions as the API takes them (`orders.routing.schemas.Conditions`, JSON-ready); a condition
    # left out is absent, and `{}` matches every order.
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DeliveryStatus(StrEnum):
    """Where one postback stands (docs/postbacks.md)."""

    pending = "pending"  # to be sent, or waiting for its next attempt (or for its endpoint to be enabled)
    delivered = "delivered"  # the endpoint answered 2xx
    failed = "failed"  # no 2xx within the retry window (24 h from the first attempt); redeliver retries


class PostbackEndpoint(Base):
    """A producer's system that receives signed postbacks (Standard Webhooks) of the order statuses in
    `event_types` (null: every one), of one customer's orders (`customer_id`) or of all. The signing
    secret is kept sealed with the suite's secret keys (it must be usable to sign, so not a hash); during
    a rotation the previous one signs too until `previous_secret_expires_at`."""

    __tablename__ = "postback_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    event_types: Mapped[list[str] | None] = mapped_column(JSON)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(GUID(), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The first failed attempt after the last success (null while the last attempt succeeded).
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PostbackDelivery(Base):
    """One postback to one endpoint: its id is the `webhook-id`, its payload the exact body sent. The
    deliveries of one (endpoint, order) go out in the order of `order_version`; a test ping has no order."""

    __tablename__ = "postback_deliveries"
    __table_args__ = (
        Index("ix_postback_deliveries_pair", "endpoint_id", "order_id", "status", "order_version"),
        Index("ix_postback_deliveries_endpoint_id_created_at", "endpoint_id", "created_at"),
        Index("ix_postback_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("postback_endpoints.id", ondelete="CASCADE")
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(GUID())
    order_version: Mapped[int | None] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Where the retry window (24 h) starts: the first attempt, or the last redelivery.
    first_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    attempt_log: Mapped[list["PostbackAttempt"]] = relationship(
        lazy="raise", order_by="PostbackAttempt.at", passive_deletes=True
    )


class PostbackAttempt(Base):
    """One try of a delivery: the answer's status code (or the error, when there was none), how long it
    took, and the start of the answer's body (at most 1 KiB)."""

    __tablename__ = "postback_attempts"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("postback_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)


class TestRunOrigin(StrEnum):
    requested = "requested"  # POST /v1/stores/{id}/test-order
    shop = "shop"  # a shop order the shop flagged as a test


class TestRun(Base):
    """A test order that verifies a store's integration step by step (docs/test-orders.md). Its report
    is read from the order as it stands (its status, holds, postbacks and the shop's answer to the check
    of its shipment), so it cannot drift from what the order went through."""

    __test__ = False  # not a pytest test class, whatever its name
    __tablename__ = "test_runs"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("orders.id", ondelete="CASCADE"), unique=True
    )
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    origin: Mapped[TestRunOrigin] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
