import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
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


class CatalogProduct(Base):
    """A product the producer can make (docs/catalog.md). `product_uid` is its name in every other
    service; `id` only names the aggregate in events."""

    __tablename__ = "catalog_products"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    product_uid: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased name: case-insensitive search and the list's order on both databases.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(50), index=True)
    attributes: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    print_areas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Grows by one with each `catalog_product.changed` (its `aggregate_version`), in commit order.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DesignFile(Base):
    """A print file an owner (a template; later a shop variant's mapping) gives for one print area of its
    catalog product, and the outcome of its last check (docs/print-files.md, *Design-file checks*).
    `requirements` are the area's as they were when the file was (or will be) checked: a catalog change
    that alters them makes the file pending again."""

    __tablename__ = "design_files"
    __table_args__ = (
        UniqueConstraint("owner_kind", "owner_id", "area", name="uq_design_files_owner_kind"),
        Index("ix_design_files_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID] = mapped_column(GUID())
    area: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    requirements: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending | passed | failed (mapping.specs.schemas.FileStatus)
    status: Mapped[str] = mapped_column(String(10))
    problem: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    # What the check found (format, bytes, pixels, millimetres, dpi, pages, http_status), when it ran.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Template(Base):
    """A customer's saved product configuration (docs/templates.md): a catalog product, its attributes and
    design files by print area. `status` is the spec's status as last computed (mapping.specs.status)."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("customer_id", "name_key", name="uq_templates_customer_id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased name: unique per customer regardless of case, searched and sorted on both databases.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    product_uid: Mapped[str] = mapped_column(String(200), index=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Grows by one with each `template.changed` / `template.removed` (its `aggregate_version`).
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UploadedFile(Base):
    """An uploaded design file (docs/files.md): its metadata here, its bytes in the file store under
    `storage_key`. Listed newest first per customer."""

    __tablename__ = "uploaded_files"
    __table_args__ = (Index("ix_uploaded_files_customer_id_created_at", "customer_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The subject (user or operator) who uploaded it.
    created_by: Mapped[uuid.UUID] = mapped_column(GUID())


class ShopProduct(Base):
    """A product of a connected shop as connectors last published it (`shop_product.synced`), kept by its
    `revision`; a removed one keeps its row (`removed_at`) and loses its variants. `mapping_status` is the
    product's as the lists filter it: the most pressing of its variants' (docs/products.md)."""

    __tablename__ = "shop_products"
    __table_args__ = (
        UniqueConstraint("store_id", "external_id", name="uq_shop_products_store_id"),
        Index("ix_shop_products_store_id_title_key", "store_id", "title_key", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID())
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    # Lower-cased title, cut to 200 characters: case-insensitive search and the lists' order.
    title_key: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(Text)
    product_type: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    platform_status: Mapped[str] = mapped_column(String(30))
    mapping_status: Mapped[str] = mapped_column(String(20), index=True)
    source_updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ShopVariant(Base):
    """One variant of a shop product (the product itself when it has no options): what an order line
    names, and what a mapping ties to production."""

    __tablename__ = "shop_variants"
    __table_args__ = (
        UniqueConstraint("shop_product_id", "external_id", name="uq_shop_variants_shop_product_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    shop_product_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("shop_products.id"), index=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    external_id: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, str]] = mapped_column(JSON)
    price: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    # unmapped | mapped | needs_attention | inactive
    mapping_status: Mapped[str] = mapped_column(String(20))
    # The `aggregate_version` of the variant's last `mapping.*` event: kept when it is unmapped, so a
    # mapping made again continues its versions and consumers never see them go backwards.
    mapping_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class VariantMapping(Base):
    """A shop variant tied to a catalog product: its attributes and design files (`design_files` rows of
    owner kind `mapping`, owner id the variant's), and the print areas whose file each order brings.
    `status` is its spec's (mapping.specs.status)."""

    __tablename__ = "variant_mappings"

    shop_variant_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("shop_variants.id"), primary_key=True
    )
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    product_uid: Mapped[str] = mapped_column(String(200), index=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    # {print area: the name of the order line's property whose value is the artwork's URL}: areas whose
    # file comes with each order (a shop's customiser) instead of a design file.
    artwork_properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProductDraft(Base):
    """A product a customer designs from a catalog product (or a template) to create in its shop (create
    & publish, docs/products.md): the shop product's title, options and variants with prices and SKUs,
    and the production spec each variant is mapped to once the shop has the product. `request_id` names
    its publish request: the same draft published again never makes a second product."""

    __tablename__ = "product_drafts"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    product_type: Mapped[str | None] = mapped_column(String(255))
    product_uid: Mapped[str] = mapped_column(String(200))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    options: Mapped[list[str]] = mapped_column(JSON)
    # [{sku, options {name: value}, price (decimal string), attributes {name: value} (overrides)}]
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    image_urls: Mapped[list[str]] = mapped_column(JSON)
    template_id: Mapped[uuid.UUID | None] = mapped_column(GUID())
    # draft | publishing | published | failed
    status: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[uuid.UUID] = mapped_column(GUID(), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    external_product_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProductImportStatus(StrEnum):
    """Where a CSV mapping import stands (docs/products-csv.md)."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ProductImport(Base):
    """One uploaded CSV file of a store's variant mappings, and how far its import got. The counters are
    written in the transaction of each batch of rows, with the batch's mappings, so a resumed import
    continues after the last committed batch without applying or counting anything twice."""

    __tablename__ = "product_imports"
    __table_args__ = (Index("ix_product_imports_store_id_created_at", "store_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(GUID())
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    status: Mapped[ProductImportStatus] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    delimiter: Mapped[str] = mapped_column(String(1))
    total_rows: Mapped[int] = mapped_column(Integer)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    applied_rows: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_rows: Mapped[int] = mapped_column(Integer, default=0)
    skipped_rows: Mapped[int] = mapped_column(Integer, default=0)
    failed_rows: Mapped[int] = mapped_column(Integer, default=0)
    # Every error found; only the first MAX_STORED_ERRORS are kept (product_import_errors).
    errors_total: Mapped[int] = mapped_column(Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ProductImportFile(Base):
    """The uploaded file as received (at most the route's 20 MiB), apart from the import so that reading
    an import's progress never loads it; any replica's job runner reads it from here."""

    __tablename__ = "product_import_files"

    import_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("product_imports.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ProductImportError(Base):
    """A row that was not applied: the file's line (1 = the header), the column to blame, and why."""

    __tablename__ = "product_import_errors"

    import_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("product_imports.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    row: Mapped[int] = mapped_column(Integer)
    column_name: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
