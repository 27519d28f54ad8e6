"""`printbridge orders import FILE --store ID`: the CSV order import of the orders service, run by the
command against the orders database of the suite it acts on, with a progress bar. The file is accepted
as an upload is (checked, stored, its job queued), then imported here; the job waits
`FALLBACK_AFTER`, so that the running service finishes an import this command could not."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orders.config import Settings
from orders.imports.processing import run_import
from orders.imports.schemas import OrderImport
from orders.imports.service import CHUNK_BYTES, create_import, get, importable_store
from orders.main import MIGRATIONS
from orders.models import OrderImport as OrderImportRecord
from orders.models import messaging
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import Database
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.migrations import upgrade

FALLBACK_AFTER = dt.timedelta(minutes=15)
OPERATOR = Scope(customer_id=None, store_ids=None)


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


def _lines(path: Path) -> int:
    count = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            count += chunk.count(b"\n")
    return max(count, 1)


async def import_file(url: str, store_id: uuid.UUID, path: Path, *, show_progress: bool) -> OrderImport:
    """Accepts and imports `path` into the manual store; the import as the API shows it."""
    await upgrade(MIGRATIONS, url)
    db = Database(url)
    try:
        async with db.session() as session:
            store = await importable_store(session, OPERATOR, store_id)
            run_at = dt.datetime.now(dt.UTC) + FALLBACK_AFTER
            record = await create_import(session, store, _chunks(path), filename=path.name, run_at=run_at)
        with Progress(
            TextColumn("importing {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines · {task.fields[created]} created, {task.fields[failed]} rows failed"),
            TimeElapsedColumn(),
            disable=not show_progress,
        ) as progress:
            task = progress.add_task(path.name, total=_lines(path), created=0, failed=0)

            def advance(state: OrderImportRecord) -> None:
                progress.update(
                    task, completed=state.lines_done, created=state.orders_created, failed=state.rows_failed
                )

            outbox = Outbox(messaging.outbox, "orders")
            allow_private = Settings().allow_private_urls
            await run_import(db, outbox, record.id, progress=advance, allow_private=allow_private)
        async with db.read_session() as session:
            return await get(session, OPERATOR, record.id)
    finally:
        await db.dispose()


def summary(result: OrderImport, *, first_errors: int = 20) -> list[str]:
    """What the command prints: the counts, then the first errors as `row N, column: message`."""
    lines = [
        f"import {result.id}: {result.status}; {result.rows_read} rows read, {result.orders_created} orders "
        f"created, {result.orders_existing} already there, {result.rows_failed} rows failed"
    ]
    for error in result.errors[:first_errors]:
        where = f"row {error.row}" + (f", {error.column}" if error.column else "")
        lines.append(f"  {where}: {error.message}")
    if result.errors_total > first_errors:
        lines.append(
            f"  … and {result.errors_total - first_errors} more errors: GET /v1/order-imports/{result.id}"
        )
    return lines
