"""Running a CSV mapping import: the stored file is read whole (at most the route's 20 MiB) and its rows
are taken in batches, each batch in one transaction with the import's progress. A batch loads its
variants, their mappings and files and the catalog products it names in a few queries, then checks each
row as a spec (mapping.specs.validation) and maps its variant (variant_mapping.service.apply_spec). A
row that says what the variant's mapping already says changes nothing, so the same file twice records no
second `mapping.changed`. A run that stops half-way resumes after the last committed batch."""

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog.repository import CatalogRepository
from mapping.models import CatalogProduct, ProductImport, ProductImportStatus, ShopProduct, ShopVariant
from mapping.product_import.columns import (
    AREA,
    ATTRIBUTE,
    DESIGN_FILE_URL,
    EXTERNAL_PRODUCT_ID,
    EXTERNAL_VARIANT_ID,
    PRODUCT_UID,
    SHOP_VARIANT_ID,
    Header,
    RowInput,
    read_file,
    read_row,
    variant_uuid,
)
from mapping.product_import.repository import ProductImportRepository
from mapping.product_import.schemas import MAX_STORED_ERRORS
from mapping.shop_product.repository import ShopVariantRepository, VariantMappingRepository
from mapping.specs.exceptions import ProductNotInCatalog, ProductRetired, SpecInvalid
from mapping.specs.repository import DesignFileRepository
from mapping.specs.validation import ValidSpec, check_spec
from mapping.variant_mapping.schemas import MappingIn
from mapping.variant_mapping.service import OWNER_KIND, apply_spec, update_product_status
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

BATCH_ROWS = 500


class ImportInterrupted(Exception):
    """Another run of the same import committed a batch meanwhile (this one had lost its lease)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str


@dataclass
class _Outcome:
    applied: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)


async def run_import(db: Database, outbox: Outbox, import_id: uuid.UUID, *, allow_private: bool) -> None:
    """Imports the file of `import_id` from where its committed batches left off, to the end, and marks
    the import done. An import already done or failed is left as it is."""
    async with db.session() as session:
        repository = ProductImportRepository(session)
        record = await repository.get_for_update(import_id)
        if record is None or record.status in (ProductImportStatus.done, ProductImportStatus.failed):
            return
        data = await repository.file(import_id)
        if data is None:
            raise LookupError(f"product import {import_id} has no stored file")
        record.status = ProductImportStatus.running
        record.updated_at = utcnow()
    parsed = read_file(data)
    # Across batches: a variant named twice in the file is mapped by its first row (this run's rows).
    first_rows: dict[uuid.UUID, int] = {}
    rows = parsed.rows
    done = record.processed_rows
    while True:
        batch = rows[done : done + BATCH_ROWS]
        last = done + len(batch) >= len(rows)
        async with db.session() as session:
            outcome = await _import_batch(
                session,
                outbox,
                record,
                parsed.header,
                batch,
                first_rows,
                allow_private=allow_private,
            )
            await _record_progress(session, record, outcome, seen=done, rows=len(batch), last=last)
        done += len(batch)
        if last:
            break
        await asyncio.sleep(0)  # the event loop is shared with the requests (embedded: the whole suite)
    log.info(
        "product_import_done",
        import_id=str(import_id),
        applied=record.applied_rows,
        unchanged=record.unchanged_rows,
        failed=record.failed_rows,
    )


async def _record_progress(
    session: AsyncSession, record: ProductImport, outcome: _Outcome, *, seen: int, rows: int, last: bool
) -> None:
    """The batch's errors (the import's first MAX_STORED_ERRORS) and counters, in the batch's transaction."""
    repository = ProductImportRepository(session)
    room = max(0, MAX_STORED_ERRORS - record.errors_total)
    await repository.add_errors(
        [
            {
                "import_id": record.id,
                "sequence": record.errors_total + position,
                "row": error.row,
                "column_name": error.column,
                "message": error.message[:2000],
            }
            for position, error in enumerate(outcome.errors[:room])
        ]
    )
    now = utcnow()
    values: dict[str, Any] = {
        "processed_rows": seen + rows,
        "applied_rows": record.applied_rows + outcome.applied,
        "unchanged_rows": record.unchanged_rows + outcome.unchanged,
        "skipped_rows": record.skipped_rows + outcome.skipped,
        "failed_rows": record.failed_rows + outcome.failed,
        "errors_total": record.errors_total + len(outcome.errors),
        "updated_at": now,
    }
    if last:
        values.update(status=ProductImportStatus.done, finished_at=now)
    if not await repository.move_on(record.id, from_processed=seen, **values):
        raise ImportInterrupted(f"product import {record.id} was moved on by another run")
    for name, value in values.items():
        setattr(record, name, value)


@dataclass
class _Row:
    given: RowInput
    variant: ShopVariant | None = None
    product: ShopProduct | None = None


async def _import_batch(
    session: AsyncSession,
    outbox: Outbox,
    record: ProductImport,
    header: Header,
    lines: list[tuple[int, list[str]]],
    first_rows: dict[uuid.UUID, int],
    *,
    allow_private: bool,
) -> _Outcome:
    outcome = _Outcome()
    rows: list[_Row] = []
    for line, cells in lines:
        given = read_row(header, line, cells)
        if given.problem is not None:
            _fail(outcome, line, *given.problem)
        elif not given.product_uid:
            outcome.skipped += 1
        else:
            rows.append(_Row(given))
    await _find_variants(session, record.store_id, rows, outcome)
    found = [(row.given, row.variant, row.product) for row in rows if row.variant and row.product]
    variant_ids = [variant.id for _, variant, _ in found]
    held = await VariantMappingRepository(session).of_variants(variant_ids)
    held_files = await DesignFileRepository(session).of_owners(OWNER_KIND, variant_ids)
    catalog = await CatalogRepository(session).get_many(sorted({given.product_uid for given, _, _ in found}))
    touched: dict[uuid.UUID, ShopProduct] = {}
    for given, variant, product in found:
        first = first_rows.setdefault(variant.id, given.line)
        if first != given.line:
            _fail(outcome, given.line, SHOP_VARIANT_ID, f"the variant is also in row {first}; name it once")
            continue
        spec = _spec(given, catalog.get(given.product_uid), outcome, allow_private=allow_private)
        if spec is None:
            continue
        mapping = held.get(variant.id)
        files = {file.area: file.url for file in held_files.get(variant.id, [])}
        if mapping is not None and (mapping.product_uid, mapping.attributes, files) == (
            spec.product.product_uid,
            spec.attributes,
            spec.files,
        ):
            outcome.unchanged += 1
            continue
        await apply_spec(session, outbox, product, variant, spec)
        touched[product.id] = product
        outcome.applied += 1
    for product in touched.values():
        await update_product_status(session, product)
    return outcome


def _fail(outcome: _Outcome, line: int, column: str | None, message: str) -> None:
    outcome.failed += 1
    outcome.errors.append(RowError(line, column, message))


async def _find_variants(
    session: AsyncSession, store_id: uuid.UUID, rows: list[_Row], outcome: _Outcome
) -> None:
    """Names each row's variant, by `shop_variant_id` or else by the shop's ids, in two queries for the
    batch; a row whose variant is not one of the store's current products' fails."""
    by_id: dict[uuid.UUID, list[_Row]] = {}
    by_external: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        given = row.given
        if given.shop_variant_id:
            variant_id = variant_uuid(given.shop_variant_id)
            if variant_id is None:
                _fail(
                    outcome,
                    given.line,
                    SHOP_VARIANT_ID,
                    "is not a shop variant id (a UUID); copy it from the export",
                )
            else:
                by_id.setdefault(variant_id, []).append(row)
        elif given.external_product_id and given.external_variant_id:
            by_external.setdefault((given.external_product_id, given.external_variant_id), []).append(row)
        else:
            column = SHOP_VARIANT_ID if not given.external_product_id else EXTERNAL_VARIANT_ID
            _fail(
                outcome,
                given.line,
                column,
                f"name the variant: give {SHOP_VARIANT_ID}, "
                f"or {EXTERNAL_PRODUCT_ID} and {EXTERNAL_VARIANT_ID}",
            )
    variants = ShopVariantRepository(session)
    found_by_id = await variants.in_store(store_id, list(by_id)) if by_id else {}
    for variant_id, named in by_id.items():
        _resolve(
            outcome,
            named,
            found_by_id.get(variant_id),
            SHOP_VARIANT_ID,
            f"no variant {variant_id} in this store (another store's, or removed from the shop); "
            "export the store's products again",
        )
    found_by_external = await variants.by_external_ids(store_id, list(by_external)) if by_external else {}
    for (product_id, external_id), named in by_external.items():
        _resolve(
            outcome,
            named,
            found_by_external.get((product_id, external_id)),
            EXTERNAL_VARIANT_ID,
            f"the store has no variant '{external_id}' of product '{product_id}'; sync the store's "
            "products or export them again",
        )


def _resolve(
    outcome: _Outcome,
    named: list[_Row],
    found: tuple[ShopVariant, ShopProduct] | None,
    column: str,
    message: str,
) -> None:
    for row in named:
        if found is None:
            _fail(outcome, row.given.line, column, message)
        else:
            row.variant, row.product = found


def _spec(
    given: RowInput, product: CatalogProduct | None, outcome: _Outcome, *, allow_private: bool
) -> ValidSpec | None:
    """The row as a spec checked against its catalog product, or None with the row's errors recorded by
    the columns they came from."""
    files = dict(given.files)
    from_design_file_url: str | None = None
    if given.design_file_url and product is not None:
        if not product.print_areas:
            _fail(
                outcome,
                given.line,
                DESIGN_FILE_URL,
                f"'{product.product_uid}' has no print areas; leave it empty",
            )
            return None
        from_design_file_url = product.print_areas[0]["name"]
        if files.get(from_design_file_url, given.design_file_url) != given.design_file_url:
            _fail(
                outcome,
                given.line,
                AREA + from_design_file_url,
                f"'{from_design_file_url}' is the first print area: give its file in {DESIGN_FILE_URL} only",
            )
            return None
        files[from_design_file_url] = given.design_file_url

    def column_of(loc: tuple[Any, ...]) -> str:
        if loc[:1] == ("attributes",) and len(loc) > 1:
            return f"{ATTRIBUTE}{loc[1]}"
        if loc[:1] == ("files",) and len(loc) > 1:
            return DESIGN_FILE_URL if loc[1] == from_design_file_url else f"{AREA}{loc[1]}"
        return PRODUCT_UID

    try:
        payload = MappingIn.model_validate(
            {"product_uid": given.product_uid, "attributes": given.attributes, "files": files}
        )
        return check_spec(
            product,
            product_uid=payload.product_uid,
            attributes=payload.attributes,
            files=payload.files,
            allow_private=allow_private,
            at=(),
        )
    except ValidationError as invalid:
        problems = [(column_of(tuple(error["loc"])), error["msg"]) for error in invalid.errors()]
    except (ProductNotInCatalog, ProductRetired) as refused:
        problems = [(PRODUCT_UID, refused.detail)]
    except SpecInvalid as refused:
        problems = [(column_of(tuple(error["loc"])), error["msg"]) for error in refused.extra["errors"]]
    outcome.failed += 1
    outcome.errors += [RowError(given.line, column, message) for column, message in problems]
    return None
