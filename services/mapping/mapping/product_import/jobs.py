"""The durable job that runs a CSV mapping import (`printbridge_shared.jobs`). Its work is all database
work, done in batches of their own transactions (`processing.run_import`), so it runs in `perform`,
outside the job's claiming transaction; a retry resumes after the last committed batch."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import ProductImportStatus
from mapping.product_import.processing import run_import
from mapping.product_import.repository import ProductImportRepository
from mapping.product_import.service import IMPORT_JOB
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobHandler


class RunProductImport(JobHandler[uuid.UUID]):
    max_attempts = 5
    retry_base_seconds = 5.0

    def __init__(self, db: Database, outbox: Outbox, *, allow_private: bool) -> None:
        self.db = db
        self.outbox = outbox
        self.allow_private = allow_private

    async def prepare(self, session: AsyncSession, job: Job) -> uuid.UUID | None:
        """The import to run; None when it is already done or failed."""
        import_id = uuid.UUID(job.payload["import_id"])
        record = await ProductImportRepository(session).get_for_update(import_id)
        if record is None or record.status in (ProductImportStatus.done, ProductImportStatus.failed):
            return None
        return import_id

    async def perform(self, job: Job, prepared: uuid.UUID) -> None:
        await run_import(self.db, self.outbox, prepared, allow_private=self.allow_private)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        record = await ProductImportRepository(session).get_for_update(uuid.UUID(job.payload["import_id"]))
        if record is not None and record.status not in (ProductImportStatus.done, ProductImportStatus.failed):
            now = utcnow()
            record.status = ProductImportStatus.failed
            record.failure_reason = f"the import stopped after {record.processed_rows} rows: {reason}"[:2000]
            record.updated_at = record.finished_at = now


def handlers(db: Database, outbox: Outbox, *, allow_private: bool) -> dict[str, JobHandler[Any]]:
    return {IMPORT_JOB: RunProductImport(db, outbox, allow_private=allow_private)}
