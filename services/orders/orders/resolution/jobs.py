"""The sweep: a schedule resolves again the orders left `received` for a while (a resolution that failed,
a print-file check or a catalog product that never came), so none waits unseen."""

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.resolution import service as resolution
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobHandler, Schedule

SWEEP_JOB = "orders.resolution_sweep"
# An order younger than this may still be waiting for a check that is on its way.
WAITING_LONGER_THAN = dt.timedelta(minutes=1)


class Sweep(JobHandler[None]):
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def prepare(self, session: AsyncSession, job: Job) -> None:
        await resolution.sweep(session, self.outbox, older_than=WAITING_LONGER_THAN)
        return None


def handlers(outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {SWEEP_JOB: Sweep(outbox)}


def schedules(interval_s: float) -> list[Schedule]:
    return [Schedule(name=SWEEP_JOB, kind=SWEEP_JOB, interval=dt.timedelta(seconds=interval_s))]
