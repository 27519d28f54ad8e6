"""The design-file checks as durable jobs: one job per file and fingerprint fetches it through the
guarded client and stores what it found; a schedule queues a new check of every failed file."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.specs import files
from mapping.specs.repository import DesignFileRepository
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


class CheckDesignFile(JobHandler[Check]):
    """Fetches one file and judges it against its print area. A file that cannot be fetched is an answer
    (`file_unreachable`), not a failed job; only an unexpected error is retried, and after the last
    attempt the file counts as failed with the reason."""

    max_attempts = 3
    retry_base_seconds = 30.0

    def __init__(self, http: httpx.AsyncClient, outbox: Outbox) -> None:
        self.http = http
        self.outbox = outbox

    async def prepare(self, session: AsyncSession, job: Job) -> Check | None:
        row = await DesignFileRepository(session).get(uuid.UUID(job.payload["design_file_id"]))
        if row is None or files.fingerprint(row) != job.payload["fingerprint"]:
            return None  # removed, or changed since: the change queued its own check
        return Check(
            file_id=row.id,
            fingerprint=job.payload["fingerprint"],
            url=row.url,
            requirements=PrintRequirements.model_validate(row.requirements),
        )

    async def perform(self, job: Job, prepared: Check) -> None:
        prepared.result = await check_file(self.http, prepared.url, prepared.requirements)

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Check) -> None:
        if prepared.result is None:
            raise JobFailed("the check ended without a result")
        await files.record_result(
            session, self.outbox, prepared.file_id, prepared.fingerprint, prepared.result
        )

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        file_id, mark = uuid.UUID(job.payload["design_file_id"]), job.payload["fingerprint"]
        await files.record_unchecked(session, self.outbox, file_id, mark, reason)


class RecheckFailed(JobHandler[None]):
    async def prepare(self, session: AsyncSession, job: Job) -> None:
        await files.recheck_failed(session)
        return None


def handlers(http: httpx.AsyncClient, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {files.CHECK_JOB: CheckDesignFile(http, outbox), files.RECHECK_FAILED_JOB: RecheckFailed()}


def schedules(interval_s: float) -> list[Schedule]:
    return [
        Schedule(
            name=files.RECHECK_FAILED_JOB,
            kind=files.RECHECK_FAILED_JOB,
            interval=dt.timedelta(seconds=interval_s),
        )
    ]
