"""A store's variants as CSV, and CSV files of mappings: the export (one row per variant, filled with its
current mapping), accepting an upload (checked whole, stored, queued as a durable job) and reading
imports in the caller's scope. Running an import is `processing.run_import`."""

import csv
import io
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog.repository import CatalogRepository
from mapping.models import ProductImport, ProductImportStatus, Store, jobs
from mapping.product_import.columns import AREA, ATTRIBUTE, BASE_COLUMNS, FileRefused, read_file
from mapping.product_import.exceptions import ImportFileInvalid, ProductImportNotFound
from mapping.product_import.repository import ProductImportRepository
from mapping.product_import.schemas import (
    ImportRowError,
    ProductImportPage,
    ProductImportRead,
    ProductImportSummary,
)
from mapping.shop_product.repository import (
    ShopProductRepository,
    ShopVariantRepository,
    VariantMappingRepository,
)
from mapping.shop_product.service import store_for
from mapping.specs.repository import DesignFileRepository
from mapping.variant_mapping.service import OWNER_KIND
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.csv_cells import UTF8_BOM, escape_formula
from printbridge_shared.db import utcnow
from printbridge_shared.fields import UNSTORABLE
from printbridge_shared.jobs import enqueue
from printbridge_shared.pagination import (
    decode_time_position,
    encode_position,
)

log = structlog.get_logger(__name__)

IMPORT_JOB = "product_imports.run"
MAX_FILENAME = 255


# -- export -------------------------------------------------------------------------------------------


async def export_csv(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> bytes:
    """The store's variants, one row each, filled with their mappings; UTF-8 with a BOM (so Excel reads it
    as UTF-8), every cell escaped against formulas. Loaded in a few queries for the whole store."""
    await store_for(session, scope, store_id)
    products = await ShopProductRepository(session).of_store(store_id)
    by_product = await ShopVariantRepository(session).of_products([product.id for product in products])
    variant_ids = [variant.id for variants in by_product.values() for variant in variants]
    mappings = await VariantMappingRepository(session).of_variants(variant_ids)
    files = await DesignFileRepository(session).of_owners(OWNER_KIND, list(mappings))
    catalog = await CatalogRepository(session).get_many(sorted({m.product_uid for m in mappings.values()}))
    attributes = sorted({name for found in catalog.values() for name in found.attributes})
    # The first print area's file is `design_file_url`; every further area has a column of its own.
    areas = sorted({area["name"] for found in catalog.values() for area in found.print_areas[1:]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [*BASE_COLUMNS, *(ATTRIBUTE + name for name in attributes), *(AREA + name for name in areas)]
    )
    for product in products:
        for variant in by_product[product.id]:
            mapping = mappings.get(variant.id)
            by_area = {row.area: row.url for row in files.get(variant.id, [])}
            found = catalog.get(mapping.product_uid) if mapping else None
            first_area = found.print_areas[0]["name"] if found and found.print_areas else None
            cells = [
                str(variant.id),
                product.external_id,
                variant.external_id,
                product.title,
                variant.title,
                variant.sku or "",
                "; ".join(f"{name}={value}" for name, value in variant.options.items()),
                variant.mapping_status,
                mapping.product_uid if mapping else "",
                by_area.get(first_area, "") if first_area else "",
            ]
            cells += [mapping.attributes.get(name, "") if mapping else "" for name in attributes]
            cells += ["" if area == first_area else by_area.get(area, "") for area in areas]
            writer.writerow([escape_formula(cell) for cell in cells])
    return UTF8_BOM + out.getvalue().encode()


# -- accepting an upload ------------------------------------------------------------------------------


async def importable_store(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    """The store the caller may import into, checked before its file is read; 404 otherwise."""
    return await store_for(session, scope, store_id)


async def create_import(
    session: AsyncSession, store: Store, body: bytes, *, filename: str | None
) -> ProductImport:
    """Checks the whole file (UTF-8, CSV, its header, at least one row), stores it and queues its import
    job, all in the caller's transaction: a refused file leaves nothing."""
    try:
        parsed = read_file(body)
    except FileRefused as refused:
        errors = [
            {"loc": ["body", "file", "header", column], "msg": message, "type": refused.code}
            for column, message in refused.problems[:20]
        ] or [{"loc": ["body", "file"], "msg": refused.message, "type": refused.code}]
        raise ImportFileInvalid(refused.message, code=refused.code, errors=errors) from None
    now = utcnow()
    record = ProductImport(
        id=uuid.uuid4(),
        store_id=store.store_id,
        customer_id=store.customer_id,
        status=ProductImportStatus.queued,
        filename=_storable_name(filename),
        size_bytes=len(body),
        delimiter=parsed.delimiter,
        total_rows=len(parsed.rows),
        processed_rows=0,
        applied_rows=0,
        unchanged_rows=0,
        skipped_rows=0,
        failed_rows=0,
        errors_total=0,
        created_at=now,
        updated_at=now,
    )
    await ProductImportRepository(session).add(record, body)
    await enqueue(
        session, jobs, IMPORT_JOB, {"import_id": str(record.id)}, unique_key=f"product-import:{record.id}"
    )
    log.info(
        "product_import_queued",
        import_id=str(record.id),
        store_id=str(store.store_id),
        rows=record.total_rows,
    )
    return record


def _storable_name(filename: str | None) -> str | None:
    """The upload's file name as a database stores it: without control characters, the last 255."""
    name = UNSTORABLE.sub("", filename or "").strip()
    return name[-MAX_FILENAME:] or None


# -- reading ------------------------------------------------------------------------------------------


def to_read(record: ProductImport, errors: list[ImportRowError]) -> ProductImportRead:
    return ProductImportRead.model_validate(
        {**ProductImportSummary.model_validate(record).model_dump(), "errors": errors}
    )


async def get(session: AsyncSession, scope: Scope, import_id: uuid.UUID) -> ProductImportRead:
    repository = ProductImportRepository(session)
    record = await repository.get(scope, import_id)
    if record is None:
        raise ProductImportNotFound(import_id)
    errors = [
        ImportRowError(row=error.row, column=error.column_name, message=error.message)
        for error in await repository.errors(import_id)
    ]
    return to_read(record, errors)


async def list_imports(
    session: AsyncSession, scope: Scope, store_id: uuid.UUID, *, cursor: str | None, limit: int
) -> ProductImportPage:
    """A store's imports, newest first; 404 for a store the caller does not see."""
    await store_for(session, scope, store_id)
    rows = await ProductImportRepository(session).of_store(
        scope, store_id, before=decode_time_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return ProductImportPage(
        items=[ProductImportSummary.model_validate(row) for row in items], next_cursor=next_cursor
    )
