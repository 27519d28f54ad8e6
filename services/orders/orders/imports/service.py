"""CSV order imports: accepting an upload for a manual store (checked, stored, queued as a durable job),
and reading imports in the caller's scope. Running one is `processing.run_import`."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.imports.columns import Header, HeaderProblem, check_header
from orders.imports.csvfile import FileRefused, UploadCheck, header_cells
from orders.imports.exceptions import ImportFileInvalid, ImportNotFound
from orders.imports.repository import ImportRepository
from orders.imports.schemas import ImportRowError, OrderImportPage, OrderImportSummary
from orders.imports.schemas import OrderImport as OrderImportRead
from orders.manual.service import ensure_accepts_orders
from orders.models import ImportStatus, OrderImport, Store, jobs
from orders.order.exceptions import StoreNotFound
from orders.store.repository import StoreRepository
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.csv_cells import sniff_delimiter
from printbridge_shared.db import utcnow
from printbridge_shared.errors import MAX_FIELD_ERRORS
from printbridge_shared.fields import UNSTORABLE
from printbridge_shared.jobs import enqueue
from printbridge_shared.pagination import (
    decode_time_position,
    encode_position,
)

log = structlog.get_logger(__name__)

IMPORT_JOB = "orders.import"
CHUNK_BYTES = 1024 * 1024
MAX_FILENAME = 255


def template_path(store_id: uuid.UUID) -> str:
    return f"/v1/stores/{store_id}/orders/import-template.csv"


async def visible_store(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    """The store, when the caller sees it; 404 otherwise."""
    store = await StoreRepository(session).get(store_id)
    if store is None or not scope.sees_store(store.customer_id, store.store_id):
        raise StoreNotFound(store_id)
    return store


async def importable_store(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    """The caller's manual store that takes orders: 404 for a store it does not see, 409 for a shop's
    store or a disconnected one."""
    store = await visible_store(session, scope, store_id)
    ensure_accepts_orders(store)
    return store


async def create_import(
    session: AsyncSession,
    store: Store,
    chunks: AsyncIterator[bytes],
    *,
    filename: str | None,
    run_at: dt.datetime | None = None,
) -> OrderImport:
    """Stores the file chunk by chunk while checking it (UTF-8 throughout, a valid header, rows after
    it), then queues its import job, all in the caller's transaction: a refused file leaves nothing.
    `run_at` holds the job back (the CLI runs the import itself and leaves the job as a fallback)."""
    now = utcnow()
    record = OrderImport(
        id=uuid.uuid4(),
        store_id=store.store_id,
        customer_id=store.customer_id,
        status=ImportStatus.queued,
        filename=_storable_name(filename),
        size_bytes=0,
        delimiter=",",
        rows_read=0,
        orders_created=0,
        orders_existing=0,
        rows_failed=0,
        errors_total=0,
        lines_done=1,
        created_at=now,
        updated_at=now,
    )
    repository = ImportRepository(session)
    await repository.add(record)
    check = UploadCheck()
    sequence = 0
    header_checked = False
    try:
        async for chunk in chunks:
            check.feed(chunk)
            if not header_checked and check.header_line is not None:
                _check_header(store, check.header_line)  # refused at once, not after the whole upload
                header_checked = True
            await repository.add_chunk(record.id, sequence, chunk)
            record.size_bytes += len(chunk)
            sequence += 1
        header_line, record.delimiter = check.finish()
    except FileRefused as refused:
        raise ImportFileInvalid(
            refused.message,
            code=refused.code,
            errors=[{"loc": ["body", "file"], "msg": refused.message, "type": refused.code}],
        ) from None
    if not header_checked:
        _check_header(store, header_line)
    await enqueue(
        session,
        jobs,
        IMPORT_JOB,
        {"import_id": str(record.id)},
        run_at=run_at,
        unique_key=f"order-import:{record.id}",
    )
    log.info(
        "order_import_queued", import_id=str(record.id), store_id=str(store.store_id), bytes=record.size_bytes
    )
    return record


def _storable_name(filename: str | None) -> str | None:
    """The upload's file name as a database stores it: without control characters, the last 255."""
    name = UNSTORABLE.sub("", filename or "").strip()
    return name[-MAX_FILENAME:] or None


def _check_header(store: Store, header_line: str) -> Header:
    delimiter = sniff_delimiter(header_line)
    checked = check_header(header_cells(header_line, delimiter), delimiter)
    if isinstance(checked, Header):
        return checked
    raise _header_invalid(store, checked)


def _header_invalid(store: Store, problems: list[HeaderProblem]) -> ImportFileInvalid:
    """422 listing the header's problems, at most MAX_FIELD_ERRORS of them (decision 9)."""
    listed = "; ".join(f"{p.column}: {p.message}" for p in problems[:MAX_FIELD_ERRORS])
    more = len(problems) - MAX_FIELD_ERRORS
    detail = (
        f"the file's header is not one this import reads ({listed}"
        + (f"; and {more} more" if more > 0 else "")
        + f"); download the template at {template_path(store.store_id)} and keep its column names"
    )
    errors = [
        {"loc": ["body", "file", "header", p.column], "msg": p.message, "type": "header_invalid"}
        for p in problems[:MAX_FIELD_ERRORS]
    ]
    refusal = ImportFileInvalid(detail, code="import-header-invalid", errors=errors)
    if more > 0:
        refusal.extra["errors_truncated"] = more
    return refusal


async def get(session: AsyncSession, scope: Scope, import_id: uuid.UUID) -> OrderImportRead:
    repository = ImportRepository(session)
    record = await repository.get(scope, import_id)
    if record is None:
        raise ImportNotFound(import_id)
    return to_read(
        record,
        [
            ImportRowError(row=e.row, column=e.column_name, message=e.message)
            for e in await repository.errors(import_id)
        ],
    )


def to_read(record: OrderImport, errors: list[ImportRowError]) -> OrderImportRead:
    return OrderImportRead.model_validate(
        {**OrderImportSummary.model_validate(record).model_dump(), "errors": errors}
    )


async def list_imports(
    session: AsyncSession, scope: Scope, store_id: uuid.UUID, *, cursor: str | None, limit: int
) -> OrderImportPage:
    """A store's imports, newest first; 404 for a store the caller does not see."""
    await visible_store(session, scope, store_id)
    repository = ImportRepository(session)
    rows = await repository.of_store(scope, store_id, before=decode_time_position(cursor), limit=limit + 1)
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return OrderImportPage(
        items=[OrderImportSummary.model_validate(r) for r in items], next_cursor=next_cursor
    )
