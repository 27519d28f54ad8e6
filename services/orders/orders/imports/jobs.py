"""The durable job that runs an import (`printbridge_shared.jobs`). Its work is all database work, done
in batches of their own transactions (`processing.run_import`), so it runs in `perform`, outside the
job's claiming transaction; a retry resumes after the last committed batch."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.imports.processing import run_import
from orders.imports.repository import ImportRepository
from orders.imports.service import IMPORT_JOB
from orders.models import ImportStatus
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobHandler


class ImportJob(JobHandler[uuid.UUID]):
    max_attempts = 5
    retry_base_seconds = 5.0

    def __init__(self, db: Database, outbox: Outbox, *, allow_private: bool = False) -> None:
        self.db = db
        self.outbox = outbox
        self.allow_private = allow_private

    async def prepare(self, session: AsyncSession, job: Job) -> uuid.UUID | None:
        """The import to run; None when it is already done or failed (e.g. the CLI ran it)."""
        import_id = uuid.UUID(job.payload["import_id"])
        record = await ImportRepository(session).get_for_update(import_id)
        if record is None or record.status in (ImportStatus.done, ImportStatus.failed):
            return None
        return import_id

    async def perform(self, job: Job, prepared: uuid.UUID) -> None:
        await run_import(self.db, self.outbox, prepared, allow_private=self.allow_private)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        record = await ImportRepository(session).get_for_update(uuid.UUID(job.payload["import_id"]))
        if record is not None and record.status not in (ImportStatus.done, ImportStatus.failed):
            now = utcnow()
            record.status = ImportStatus.failed
            record.failure_reason = f"the import stopped after {record.rows_read} rows: {reason}"[:2000]
            record.updated_at = record.finished_at = now


def job_handlers(db: Database, outbox: Outbox, *, allow_private: bool) -> dict[str, JobHandler[Any]]:
    return {IMPORT_JOB: ImportJob(db, outbox, allow_private=allow_private)}
