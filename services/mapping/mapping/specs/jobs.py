"""The design-file checks as durable jobs (the shared `CheckFile`): one job per file and fingerprint
fetches it through the guarded client and stores what it found; a schedule queues a new check of every
failed file."""

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.specs import files
from mapping.specs.repository import DesignFileRepository
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import JobHandler, Schedule
from printbridge_shared.printfiles import FileCheck
from printbridge_shared.printfiles.jobs import CheckFile, RecheckFailed, recheck_schedule


class DesignFiles:
    """Design files as the check job finds and keeps them; a new result runs the owner's hook."""

    id_key = "design_file_id"
    recheck = "POST …/files/recheck"

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def to_check(self, session: AsyncSession, file_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        row = await DesignFileRepository(session).get(file_id)
        return None if row is None else (row.url, row.requirements)

    async def keep(self, session: AsyncSession, file_id: uuid.UUID, mark: str, result: FileCheck) -> None:
        await files.record_result(session, self.outbox, file_id, mark, result)


def handlers(http: httpx.AsyncClient, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {
        files.CHECK_JOB: CheckFile(http, DesignFiles(outbox)),
        files.RECHECK_FAILED_JOB: RecheckFailed(files.recheck_failed),
    }


def schedules(interval_s: float) -> list[Schedule]:
    return [recheck_schedule(files.RECHECK_FAILED_JOB, interval_s)]
