"""Running an import: the stored file is copied to a temporary file one chunk at a time, read row by row,
and its orders are written in batches, each batch with the import's progress in one transaction. A run
that stops half-way (a crash, a lost lease) is resumed after the last committed batch; an order whose
reference the store already has is counted as existing, so a repeated batch or file creates nothing."""

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, update

from orders.imports.columns import Header, check_header
from orders.imports.csvfile import header_cells, read_rows
from orders.imports.repository import ImportRepository
from orders.imports.rows import Candidate, Grouper, Outcome, RowError
from orders.manual.service import build_order
from orders.models import ImportStatus, Order, OrderEvent, OrderImport, OrderLine, Store
from orders.resolution import service as resolution
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

BATCH_ORDERS = 500
# A batch is also written after this many rows, so a file of failing rows keeps its memory flat too.
BATCH_ROWS = 5_000
# Rows read (and orders checked) between two turns of the event loop: the batch being written moves on
# (a round trip each), and on SQLite the import shares the loop with the embedded suite (decision 10).
YIELD_EVERY_ROWS = 50
MAX_STORED_ERRORS = 1_000

Progress = Callable[[OrderImport], None]


class ImportInterrupted(Exception):
    """Another run of the same import committed a batch meanwhile (this one had lost its lease)."""


@dataclass
class _Counts:
    rows_read: int
    orders_created: int
    orders_existing: int
    rows_failed: int
    errors_total: int
    lines_done: int

    @classmethod
    def of(cls, record: OrderImport) -> "_Counts":
        return cls(
            record.rows_read,
            record.orders_created,
            record.orders_existing,
            record.rows_failed,
            record.errors_total,
            record.lines_done,
        )


@dataclass
class _Batch:
    candidates: list[Candidate] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_ok: int = 0
    rows_failed: int = 0
    last_line: int = 0

    def add(self, outcome: Outcome) -> None:
        self.last_line = max(self.last_line, outcome.last_row)
        if isinstance(outcome, Candidate):
            self.candidates.append(outcome)
            self.rows_ok += outcome.rows
        else:
            self.errors += outcome.errors
            self.rows_failed += outcome.rows

    @property
    def full(self) -> bool:
        return len(self.candidates) >= BATCH_ORDERS or self.rows_ok + self.rows_failed >= BATCH_ROWS


async def run_import(
    db: Database,
    outbox: Outbox,
    import_id: uuid.UUID,
    *,
    progress: Progress | None = None,
    allow_private: bool = False,
) -> None:
    """Imports the file of `import_id` from where its committed batches left off, to the end, and marks
    the import done. An import already done or failed is left as it is. Each batch's new orders are
    resolved in its transaction (orders/resolution/). `allow_private`: plain http:// print files are
    taken (PRINTBRIDGE_ALLOW_PRIVATE_URLS)."""
    async with db.session() as session:
        record = await ImportRepository(session).get_for_update(import_id)
        if record is None or record.status in (ImportStatus.done, ImportStatus.failed):
            return
        store = await session.get(Store, record.store_id)
        if store is None:
            raise LookupError(f"store {record.store_id} of import {import_id} is not known")
        record.status = ImportStatus.running
        record.updated_at = utcnow()
    counts = _Counts.of(record)
    with tempfile.TemporaryDirectory(prefix="order-import-") as folder:
        path = Path(folder) / "orders.csv"
        await _copy_file(db, import_id, path)
        with path.open(encoding="utf-8-sig", newline="") as text:
            header_line = text.readline()
            header = check_header(header_cells(header_line, record.delimiter), record.delimiter)
            if not isinstance(header, Header):
                raise ValueError(f"import {import_id}: the stored file's header is not valid")
            text.seek(0)
            grouper = Grouper(header, done_through=counts.lines_done, allow_private=allow_private)
            batch = _Batch()
            # One batch is written while the next is read: on PostgreSQL the server inserts on the other
            # core meanwhile. At most one write is in flight, and it is awaited before the next starts.
            writing: asyncio.Task[None] | None = None
            try:
                for number, row in enumerate(read_rows(text, record.delimiter), start=1):
                    for outcome in grouper.add(row):
                        batch.add(outcome)
                    if batch.full:
                        if writing is not None:
                            await writing
                        writing = asyncio.create_task(
                            _write(db, outbox, record, store, batch, counts, progress)
                        )
                        batch = _Batch()
                    if number % YIELD_EVERY_ROWS == 0:
                        await asyncio.sleep(0)
                for outcome in grouper.finish():
                    batch.add(outcome)
                if writing is not None:
                    await writing
            finally:
                if writing is not None and not writing.done():
                    writing.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await writing
    await _write(db, outbox, record, store, batch, counts, progress, last=True)
    log.info("order_import_done", import_id=str(import_id), **counts.__dict__)


async def _copy_file(db: Database, import_id: uuid.UUID, path: Path) -> None:
    """The stored file, one chunk in memory at a time."""
    with path.open("wb") as out:
        sequence = 0
        while True:
            async with db.read_session() as session:
                data = await ImportRepository(session).chunk(import_id, sequence)
            if data is None:
                return
            out.write(data)
            sequence += 1


async def _write(
    db: Database,
    outbox: Outbox,
    record: OrderImport,
    store: Store,
    batch: _Batch,
    counts: _Counts,
    progress: Progress | None,
    *,
    last: bool = False,
) -> None:
    """One transaction: the batch's new orders (one executemany per table), its errors (the first
    MAX_STORED_ERRORS of the import), and the progress, moved on only from the line this run saw last."""
    now = utcnow()
    async with db.session() as session:
        repository = ImportRepository(session)
        existing: set[str] = set()
        if batch.candidates:
            existing = await repository.existing_references(
                store.store_id, (c.reference for c in batch.candidates)
            )
        orders: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for candidate in batch.candidates:
            if candidate.reference in existing:
                continue
            existing.add(candidate.reference)
            source = f"CSV import {record.filename or 'upload'}, row {candidate.first_row}"
            order, order_lines, entry = build_order(store, candidate.order, now=now, source=source)
            orders.append(order)
            lines += order_lines
            history.append(entry)
        await repository.insert_many(Order.__table__, orders)
        await repository.insert_many(OrderLine.__table__, lines)
        await repository.insert_many(OrderEvent.__table__, history)
        if orders:
            await resolution.arrived(
                session,
                outbox,
                [order["id"] for order in orders],
                cause=f"imported from {record.filename or 'a CSV file'}",
            )
        room = max(0, MAX_STORED_ERRORS - counts.errors_total)
        await repository.add_errors(
            [
                {
                    "import_id": record.id,
                    "sequence": counts.errors_total + position,
                    "row": error.row,
                    "column_name": error.column,
                    "message": error.message,
                }
                for position, error in enumerate(batch.errors[:room])
            ]
        )
        seen_through = counts.lines_done
        counts.rows_read += batch.rows_ok + batch.rows_failed
        counts.orders_created += len(orders)
        counts.orders_existing += len(batch.candidates) - len(orders)
        counts.rows_failed += batch.rows_failed
        counts.errors_total += len(batch.errors)
        counts.lines_done = max(counts.lines_done, batch.last_line)
        values: dict[str, Any] = {**counts.__dict__, "updated_at": now}
        if last:
            values.update(status=ImportStatus.done, finished_at=now)
        moved = await session.execute(
            update(OrderImport)
            .where(OrderImport.id == record.id, OrderImport.lines_done == seen_through)
            .values(**values)
        )
        if cast(CursorResult[Any], moved).rowcount != 1:
            raise ImportInterrupted(f"import {record.id} was moved on by another run")
    for name, value in values.items():
        setattr(record, name, value)
    if progress is not None:
        progress(record)
