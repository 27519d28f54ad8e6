"""A print file's check as a durable job, for every service that keeps checked files (mapping's design
files, orders' print files): one job per file and fingerprint fetches the file through the guarded client
and hands the result to the service, which keeps it and does what follows (a mapping's status, an order
released). The service says how its files are found and kept (`CheckedFiles`); the job is the same."""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.jobs import Job, JobFailed, JobHandler, JobTables, Schedule, enqueue
from printbridge_shared.printfiles.checker import FileCheck, FileProblem, check_file
from printbridge_shared.printfiles.judging import PrintRequirements

# What a check measured, kept beside its outcome.
DETAILS = ("format", "bytes", "width_px", "height_px", "width_mm", "height_mm", "dpi", "pages", "http_status")


def fingerprint(url: str, requirements: Mapping[str, Any]) -> str:
    """Names what a check is of (the address and the requirements): a check of an older address or older
    requirements finds another fingerprint and is dropped."""
    text = json.dumps([url, requirements], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def enqueue_check(
    session: AsyncSession, jobs: JobTables, kind: str, id_key: str, file_id: uuid.UUID, mark: str
) -> None:
    """Queues the check of a file as it is now (`mark`: its fingerprint); at most one open check per file
    and fingerprint. `id_key` is the payload's key of the file's id, as `CheckedFiles.id_key`."""
    await session.flush()
    payload = {id_key: str(file_id), "fingerprint": mark}
    await enqueue(session, jobs, kind, payload, unique_key=f"{kind}:{file_id}:{mark}")


def recheck_schedule(kind: str, interval_s: float) -> Schedule:
    """The schedule of a service's `RecheckFailed` job."""
    return Schedule(name=kind, kind=kind, interval=dt.timedelta(seconds=interval_s))


def details_of(result: FileCheck) -> dict[str, Any]:
    return result.model_dump(mode="json", include=set(DETAILS), exclude_none=True)


def unchecked(reason: str, recheck: str) -> FileCheck:
    """The check itself kept failing (not the file): the file counts as failed until a later check.
    `recheck` names how to ask for one."""
    return FileCheck(
        url="",
        ok=False,
        reason=FileProblem.file_unreachable,
        message=f"the file could not be checked: {reason}"[:1000],
        fix=f"check again later ({recheck}); if it keeps failing, host the file elsewhere",
    )


class CheckedFiles(Protocol):
    """A service's checked files, as the check job needs them."""

    # The job payload's key of the file's id (e.g. "design_file_id"), and how to ask for a new check.
    id_key: str
    recheck: str

    async def to_check(self, session: AsyncSession, file_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        """The file's address and requirements as they are now; None when it is gone."""
        ...

    async def keep(self, session: AsyncSession, file_id: uuid.UUID, mark: str, result: FileCheck) -> None:
        """Keeps a result when the file is still what was checked (its fingerprint is `mark`)."""
        ...


@dataclass
class FileToCheck:
    file_id: uuid.UUID
    fingerprint: str
    url: str
    requirements: PrintRequirements
    result: FileCheck | None = None


class CheckFile(JobHandler[FileToCheck]):
    """Fetches one file and judges it against its print area. A file that cannot be fetched is an answer
    (`file_unreachable`), not a failed job, unless the reason passes (no connection, a time-out, a 429 or
    5xx: the file's server, or Printbridge's own file service, restarting or busy): then the check is
    tried again after `retry_base_seconds`, doubling, and only the last attempt's answer is kept. An
    unexpected error is retried alike, and after the last attempt the file counts as failed with the
    reason. Without the retries a file whose server was down for seconds would count as failed until the
    next recheck of failed files (hourly by default), and hold its order as long."""

    max_attempts = 4
    retry_base_seconds = 10.0

    def __init__(self, http: httpx.AsyncClient, files: CheckedFiles) -> None:
        self.http = http
        self.files = files

    async def prepare(self, session: AsyncSession, job: Job) -> FileToCheck | None:
        file_id = uuid.UUID(job.payload[self.files.id_key])
        found = await self.files.to_check(session, file_id)
        if found is None or fingerprint(*found) != job.payload["fingerprint"]:
            return None  # removed, or changed since: the change queued its own check
        url, requirements = found
        return FileToCheck(
            file_id, job.payload["fingerprint"], url, PrintRequirements.model_validate(requirements)
        )

    async def perform(self, job: Job, prepared: FileToCheck) -> None:
        result = await check_file(self.http, prepared.url, prepared.requirements)
        if result.transient and job.attempt < job.max_attempts:
            raise JobFailed(f"{result.message}; the check is tried again")
        prepared.result = result

    async def succeeded(self, session: AsyncSession, job: Job, prepared: FileToCheck) -> None:
        if prepared.result is None:
            raise JobFailed("the check ended without a result")
        await self.files.keep(session, prepared.file_id, prepared.fingerprint, prepared.result)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        file_id = uuid.UUID(job.payload[self.files.id_key])
        await self.files.keep(
            session, file_id, job.payload["fingerprint"], unchecked(reason, self.files.recheck)
        )


class RecheckFailed(JobHandler[None]):
    """The schedule's job: queues a new check of every failed file (`queue_checks` does it)."""

    def __init__(self, queue_checks: Callable[[AsyncSession], Awaitable[None]]) -> None:
        self.queue_checks = queue_checks

    async def prepare(self, session: AsyncSession, job: Job) -> None:
        await self.queue_checks(session)
        return None
