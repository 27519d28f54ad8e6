"""An owner's design files: set (replacing the owner's earlier ones), checked by a durable job against
their print area's requirements, re-checked on a schedule while failed and on demand, and kept in step
with the catalog. A file whose address and requirements did not change keeps its result; any other
change makes it `pending` and queues its check."""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import CatalogProduct, DesignFile, jobs
from mapping.specs import owners
from mapping.specs.repository import DesignFileRepository
from mapping.specs.schemas import DesignFileRead, FileStatus
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import DesignFileResult
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.printfiles import FileCheck
from printbridge_shared.printfiles.jobs import details_of
from printbridge_shared.printfiles.jobs import enqueue_check as queue_check
from printbridge_shared.printfiles.jobs import fingerprint as check_fingerprint

CHECK_JOB = "design_files.check"
RECHECK_FAILED_JOB = "design_files.recheck_failed"


def requirements_of(product: CatalogProduct, area: str) -> dict[str, Any] | None:
    """What a file for `area` must be (the print area without its name), or None: no such area."""
    for spec in product.print_areas:
        if spec["name"] == area:
            return {key: value for key, value in spec.items() if key != "name"}
    return None


def fingerprint(row: DesignFile) -> str:
    """Names what a check is of (the address and the requirements): a check of an older address or older
    requirements finds another fingerprint and is dropped."""
    return check_fingerprint(row.url, row.requirements)


async def enqueue_check(session: AsyncSession, row: DesignFile) -> None:
    """Queues the check of the row as it is now; at most one open check per row and fingerprint."""
    await queue_check(session, jobs, CHECK_JOB, "design_file_id", row.id, fingerprint(row))


def _reset(row: DesignFile) -> None:
    row.status = FileStatus.pending
    row.problem = row.message = row.fix = None
    row.details = None
    row.checked_at = None


async def set_files(
    session: AsyncSession,
    *,
    owner_kind: str,
    owner_id: uuid.UUID,
    customer_id: uuid.UUID,
    product: CatalogProduct,
    files: Mapping[str, str],
    held_rows: list[DesignFile] | None = None,
) -> list[DesignFile]:
    """Makes the owner's files exactly `files` (every area one of the product's: validated before). The
    owner's files for other areas are removed; an unchanged address with unchanged requirements keeps its
    result. Returns the rows by area. `held_rows`: the owner's rows, when the caller has just read them."""
    repository = DesignFileRepository(session)
    if held_rows is None:
        held_rows = await repository.of_owner(owner_kind, owner_id)
    held = {row.area: row for row in held_rows}
    rows = []
    for area, url in sorted(files.items()):
        requirements = requirements_of(product, area)
        if requirements is None:
            raise ValueError(f"{product.product_uid} has no print area {area}: validate the spec first")
        row = held.pop(area, None)
        if row is not None and row.url == url and row.requirements == requirements:
            rows.append(row)
            continue
        if row is None:
            row = DesignFile(
                id=uuid.uuid4(),
                customer_id=customer_id,
                owner_kind=owner_kind,
                owner_id=owner_id,
                area=area,
                created_at=utcnow(),
            )
            repository.add(row)
        row.url, row.requirements = url, requirements
        _reset(row)
        await enqueue_check(session, row)
        rows.append(row)
    for gone in held.values():
        await repository.remove(gone)
    await session.flush()
    return rows


async def follow_product(
    session: AsyncSession, *, owner_kind: str, owner_id: uuid.UUID, product: CatalogProduct
) -> bool:
    """After a catalog change: a file whose area now asks something else is checked again (a file for an
    area the product no longer has stays, and makes the spec `spec_invalid`). True when a file changed."""
    changed = False
    for row in await DesignFileRepository(session).of_owner(owner_kind, owner_id):
        requirements = requirements_of(product, row.area)
        if requirements is not None and requirements != row.requirements:
            row.requirements = requirements
            _reset(row)
            await enqueue_check(session, row)
            changed = True
    return changed


async def recheck(session: AsyncSession, *, owner_kind: str, owner_id: uuid.UUID) -> int:
    """Queues a new check of each of the owner's files (e.g. after the customer fixed one at its address);
    each keeps its last result until the new one comes. Returns how many were queued."""
    rows = await DesignFileRepository(session).of_owner(owner_kind, owner_id)
    for row in rows:
        await enqueue_check(session, row)
    return len(rows)


async def recheck_failed(session: AsyncSession) -> None:
    """The schedule's work: every failed file is checked again, so one fixed at its address passes."""
    for row in await DesignFileRepository(session).failed():
        await enqueue_check(session, row)


async def remove_files(session: AsyncSession, *, owner_kind: str, owner_id: uuid.UUID) -> None:
    await DesignFileRepository(session).remove_owner(owner_kind, owner_id)


async def record_result(
    session: AsyncSession, outbox: Outbox, file_id: uuid.UUID, mark: str, result: FileCheck
) -> None:
    """Stores a check's result when the row still is what was checked; when the result differs from the
    one held, the owner's `checked` hook runs in this transaction, after any other check of the owner's
    files has committed (so it judges the owner by every file's latest result)."""
    repository = DesignFileRepository(session)
    row = await repository.get(file_id)
    if row is None:
        return
    await repository.lock_owner(row.owner_kind, row.owner_id)
    row = await repository.get(file_id, fresh=True)
    if row is None or fingerprint(row) != mark:
        return
    status = FileStatus.passed if result.ok else FileStatus.failed
    found = details_of(result)
    outcome = (status, result.reason and result.reason.value, result.message, result.fix, found)
    before = (row.status, row.problem, row.message, row.fix, row.details or {})
    row.status, row.problem, row.message, row.fix = outcome[:4]
    row.details = found
    row.checked_at = result.checked_at
    if outcome != before:
        await session.flush()
        await owners.file_checked(session, outbox, row.owner_kind, row.owner_id)


def to_read(row: DesignFile) -> DesignFileRead:
    return DesignFileRead(
        url=row.url,
        status=FileStatus(row.status),
        problem=row.problem,
        message=row.message,
        fix=row.fix,
        checked_at=row.checked_at,
        **(row.details or {}),
    )


def to_result(row: DesignFile) -> DesignFileResult:
    """The file as events carry it."""
    return DesignFileResult(
        url=row.url,
        status=row.status,
        problem=row.problem,
        message=row.message,
        fix=row.fix,
        checked_at=row.checked_at,
    )
