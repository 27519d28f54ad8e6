"""Print files that came with an order: each checked by a durable job with the shared file checker
(printbridge_shared.printfiles) against its print area, re-checked on a schedule while failed and on
demand; a result that differs from the one held resolves the order again, so a file fixed at its address
releases the order (docs/orders-resolution.md)."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Order, OrderFile, OrderStatus, jobs
from printbridge_shared.printfiles import FileCheck
from printbridge_shared.printfiles.jobs import details_of
from printbridge_shared.printfiles.jobs import enqueue_check as queue_check
from printbridge_shared.printfiles.jobs import fingerprint as check_fingerprint

CHECK_JOB = "order_files.check"
RECHECK_FAILED_JOB = "order_files.recheck_failed"


def fingerprint(row: OrderFile) -> str:
    """What a check is of (the address and the requirements): a check of an older one is dropped."""
    return check_fingerprint(row.url, row.requirements)


def requirements_of(area: Mapping[str, Any]) -> dict[str, Any]:
    """What a file of a print area is checked against: the catalog's print area without its name."""
    return {key: value for key, value in area.items() if key != "name"}


def result_of(row: OrderFile) -> dict[str, Any]:
    return {
        "url": row.url,
        "requirements": row.requirements,
        "status": row.status,
        "problem": row.problem,
        "message": row.message,
        "fix": row.fix,
        "checked_at": row.checked_at.isoformat() if row.checked_at else None,
    }


async def results(
    session: AsyncSession, order_ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, int, str], dict[str, Any]]:
    rows = await session.scalars(select(OrderFile).where(OrderFile.order_id.in_(order_ids)))
    return {(row.order_id, row.position, row.area): result_of(row) for row in rows}


async def request_checks(
    session: AsyncSession,
    order_id: uuid.UUID,
    position: int,
    files: Sequence[tuple[str, str, Mapping[str, Any]]],
) -> None:
    """Checks the line's files (area, url, the area's spec): a new file, or one at a new address or with
    new requirements, is `pending` and queued; one already checked as it is keeps its result."""
    for area, url, spec in files:
        requirements = requirements_of(spec)
        row = await session.scalar(
            select(OrderFile).where(
                OrderFile.order_id == order_id, OrderFile.position == position, OrderFile.area == area
            )
        )
        if row is None:
            row = OrderFile(id=uuid.uuid4(), order_id=order_id, position=position, area=area)
            session.add(row)
        elif row.url == url and row.requirements == requirements:
            continue
        row.url, row.requirements = url, requirements
        row.status, row.problem, row.message, row.fix, row.details, row.checked_at = (
            "pending",
            None,
            None,
            None,
            None,
            None,
        )
        await enqueue_check(session, row)


async def enqueue_check(session: AsyncSession, row: OrderFile) -> None:
    await queue_check(session, jobs, CHECK_JOB, "order_file_id", row.id, fingerprint(row))


async def recheck(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Queues a new check of every file of the order; how many."""
    rows = (await session.scalars(select(OrderFile).where(OrderFile.order_id == order_id))).all()
    for row in rows:
        await enqueue_check(session, row)
    return len(rows)


async def recheck_failed(session: AsyncSession) -> None:
    """The schedule's work: every failed file of an order still waiting is checked again."""
    statement = (
        select(OrderFile)
        .join(Order, Order.id == OrderFile.order_id)
        .where(OrderFile.status == "failed", Order.status.in_((OrderStatus.received, OrderStatus.on_hold)))
    )
    for row in await session.scalars(statement):
        await enqueue_check(session, row)


async def record_result(
    session: AsyncSession, file_id: uuid.UUID, mark: str, result: FileCheck
) -> OrderFile | None:
    """Keeps a check's result when the row is still what was checked; the row when the result differs
    from the one held (its order is then to be resolved again), else None."""
    row = await session.get(OrderFile, file_id)
    if row is None or fingerprint(row) != mark:
        return None
    found = details_of(result)
    outcome = (
        "passed" if result.ok else "failed",
        result.reason and result.reason.value,
        result.message,
        result.fix,
        found,
    )
    before = (row.status, row.problem, row.message, row.fix, row.details or {})
    row.status, row.problem, row.message, row.fix, row.details = outcome
    row.checked_at = result.checked_at
    if outcome == before:
        return None
    await session.flush()
    return row
