"""The checks of an order's print files as durable jobs, and the schedule that checks failed ones again."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from orders.files import service as files
from orders.models import OrderFile
from orders.resolution import service as resolution
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler, Schedule
from printbridge_shared.printfiles import FileCheck, PrintRequirements, check_file


@dataclass
class Check:
    file_id: uuid.UUID
    fingerprint: str
    url: str
    requirements: PrintRequirements
    result: FileCheck | None = None


class CheckOrderFile(JobHandler[Check]):
    """Fetches one file and judges it; a file that cannot be fetched is an answer (`file_unreachable`),
    only an unexpected error is retried, and after the last attempt the file counts as failed."""

    max_attempts = 3
    retry_base_seconds = 30.0

    def __init__(self, http: httpx.AsyncClient, outbox: Outbox) -> None:
        self.http = http
        self.outbox = outbox

    async def prepare(self, session: AsyncSession, job: Job) -> Check | None:
        row = await session.get(OrderFile, uuid.UUID(job.payload["order_file_id"]))
        if row is None or files.fingerprint(row) != job.payload["fingerprint"]:
            return None
        return Check(
            row.id, job.payload["fingerprint"], row.url, PrintRequirements.model_validate(row.requirements)
        )

    async def perform(self, job: Job, prepared: Check) -> None:
        prepared.result = await check_file(self.http, prepared.url, prepared.requirements)

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Check) -> None:
        if prepared.result is None:
            raise JobFailed("the check ended without a result")
        await self._keep(session, prepared.file_id, prepared.fingerprint, prepared.result)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        file_id = uuid.UUID(job.payload["order_file_id"])
        await self._keep(session, file_id, job.payload["fingerprint"], files.unchecked(reason))

    async def _keep(self, session: AsyncSession, file_id: uuid.UUID, mark: str, result: FileCheck) -> None:
        """Keeps the result; a new one resolves the order again, so a file that now passes releases it."""
        row = await files.record_result(session, file_id, mark, result)
        if row is not None:
            cause = f"the '{row.area}' print file of item {row.position} was checked: {row.status}"
            await resolution.resolve(session, self.outbox, [row.order_id], cause=cause)


class RecheckFailed(JobHandler[None]):
    async def prepare(self, session: AsyncSession, job: Job) -> None:
        await files.recheck_failed(session)
        return None


def handlers(http: httpx.AsyncClient, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {files.CHECK_JOB: CheckOrderFile(http, outbox), files.RECHECK_FAILED_JOB: RecheckFailed()}


def schedules(interval_s: float) -> list[Schedule]:
    return [
        Schedule(
            name=files.RECHECK_FAILED_JOB,
            kind=files.RECHECK_FAILED_JOB,
            interval=dt.timedelta(seconds=interval_s),
        )
    ]
