"""The checks of an order's print files as durable jobs (the shared `CheckFile`), and the schedule that
checks failed ones again. A new result resolves the order again, so a file that now passes releases it."""

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from orders.files import service as files
from orders.models import OrderFile
from orders.resolution import service as resolution
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import JobHandler, Schedule
from printbridge_shared.printfiles import FileCheck
from printbridge_shared.printfiles.jobs import CheckFile, RecheckFailed, recheck_schedule


class OrderFiles:
    """Orders' print files as the check job finds and keeps them."""

    id_key = "order_file_id"
    recheck = "POST /v1/orders/{id}/files/recheck"

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def to_check(self, session: AsyncSession, file_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        row = await session.get(OrderFile, file_id)
        return None if row is None else (row.url, row.requirements)

    async def keep(self, session: AsyncSession, file_id: uuid.UUID, mark: str, result: FileCheck) -> None:
        row = await files.record_result(session, file_id, mark, result)
        if row is not None:
            cause = f"the '{row.area}' print file of item {row.position} was checked: {row.status}"
            await resolution.resolve_in_background(session, self.outbox, [row.order_id], cause=cause)


def handlers(http: httpx.AsyncClient, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {
        files.CHECK_JOB: CheckFile(http, OrderFiles(outbox)),
        files.RECHECK_FAILED_JOB: RecheckFailed(files.recheck_failed),
    }


def schedules(interval_s: float) -> list[Schedule]:
    return [recheck_schedule(files.RECHECK_FAILED_JOB, interval_s)]
