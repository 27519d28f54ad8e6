"""Durable jobs and schedules: background work that survives crashes, restarts and several replicas.

A service enqueues a job (a `kind` and a JSON `payload`) inside its own unit of work, so the job exists
exactly when the change that asked for it was committed. The job runner (a supervised worker, one per
process) claims due jobs with a lease, runs each kind's handler, and then completes the job, schedules
its next attempt with a doubling pause, or gives up with the reason. The handler's I/O runs outside any
transaction: `prepare` and the outcome hooks get a session, `perform` does not.

- A runner runs up to `concurrency` jobs side by side: it claims due jobs for all its free slots in one
  transaction, and a slot that frees (or a commit that enqueued a job) makes it look again.
- Each kind of job is a lane: a free slot goes to the kind with due jobs that has the fewest running in
  this runner, and within a kind the oldest due job goes first. A backlog of one kind (thousands of
  postbacks waiting for a slow receiver) shares the slots with the other kinds instead of holding back
  every job queued after it (a manual order's print-file check). Work that
  must happen in order is one job at a time by its `unique_key` (one open job per key), never by the
  runner. A job whose outcome cannot be recorded (the database went away) is logged and left to its
  lease; the other slots go on. `stop()` claims nothing more and waits for the running jobs; cancelling
  the runner cancels them (their leases bring them back).

- Several replicas share the jobs: a claim is one `UPDATE` of the rows taken (on PostgreSQL after `SELECT …
  FOR UPDATE SKIP LOCKED`, so replicas take different rows without waiting; on SQLite the single writer
  serialises claims). A job is attempted by one runner at a time.
- A runner that dies mid-job leaves the job `running` with a lease; when the lease has passed, any
  runner takes it again (as the next attempt, or gives it up when it was the last).
- A runner that cannot record an attempt's outcome because the database went away (a restart, a dropped
  connection) keeps trying while the attempt's lease lasts, so a short outage does not hold the job
  (and what waits behind it) until the lease has passed.
- A commit that enqueued a job wakes the runner of this process at once (`Database.on_commit`); other
  replicas find it at their next look (at most `idle_seconds` later).
- Schedules run a job kind every `interval`: one job per due time across replicas (the `schedules` row's
  due time moves on with a conditional `UPDATE` that exactly one runner wins; missed periods while
  everything was down are run once, not caught up one by one).
- A job with a `unique_key` is enqueued only when no open (queued or running) job has that key; for a
  handler with `unique_while_queued`, only while it waits: once it runs, a new one may be queued.
- Delivery is at least once: a crash after the I/O and before the completion runs the job again, so
  handlers are idempotent (or, like the link mails, harmless when repeated)."""

import asyncio
import datetime as dt
import functools
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar, cast

import structlog
from sqlalchemy import (
    Column,
    CursorResult,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import GUID, JOBS_ENQUEUED, Database, UTCDateTime, upsert_insert, utcnow
from printbridge_shared.events.retry import doubling_delay
from printbridge_shared.metrics import ServiceMetrics

log = structlog.get_logger(__name__)

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
DEFAULT_MAX_ATTEMPTS = 5
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class JobTables:
    jobs: Table
    schedules: Table


def job_tables(metadata: MetaData) -> JobTables:
    """Adds the `jobs` and `schedules` tables to a service's metadata (every service has both): version
    1 plus each later step, the same definitions the migrations apply, so the two cannot drift."""
    jobs, schedules = job_tables_v1(metadata)
    lanes_index_v2(jobs)
    return JobTables(jobs=jobs, schedules=schedules)


LANES_INDEX = "ix_jobs_lanes"
LANES_COLUMNS = ("kind", "status", "run_at")


def lanes_index_v2(jobs: Table) -> Index:
    """Step 2: the due jobs of one kind, oldest first (a claim looks at each kind's lane on its own)."""
    return Index(LANES_INDEX, *(jobs.c[name] for name in LANES_COLUMNS))


def job_tables_v1(metadata: MetaData) -> tuple[Table, Table]:
    """`jobs` and `schedules` as migration version 1 created them. Frozen: a change to these tables is a
    step of its own, applied in `job_tables` and by a migration."""
    jobs = Table(
        "jobs",
        metadata,
        Column("id", GUID(), primary_key=True),
        Column("kind", String(100), nullable=False),
        Column("payload", Text, nullable=False),
        # At most one open job per key: cleared when the job is done or given up.
        Column("unique_key", String(200), nullable=True, unique=True),
        Column("status", String(20), nullable=False),
        Column("run_at", UTCDateTime(), nullable=False),
        Column("attempts", Integer, nullable=False),
        # Unset: the handler's `max_attempts` when the job runs (a setting may change meanwhile).
        Column("max_attempts", Integer, nullable=True),
        Column("lease_until", UTCDateTime(), nullable=True),
        Column("last_error", Text, nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("failed_at", UTCDateTime(), nullable=True),
        Index("ix_jobs_due", "status", "run_at"),
    )
    schedules = Table(
        "schedules",
        metadata,
        Column("name", String(100), primary_key=True),
        Column("kind", String(100), nullable=False),
        Column("interval_seconds", Float, nullable=False),
        Column("next_run_at", UTCDateTime(), nullable=False),
    )
    return jobs, schedules


async def enqueue(
    session: AsyncSession,
    tables: JobTables,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    run_at: dt.datetime | None = None,
    max_attempts: int | None = None,
    unique_key: str | None = None,
) -> uuid.UUID | None:
    """Adds a job to the caller's transaction. Returns its id, or None when `unique_key` is taken by an
    open job (nothing is added then)."""
    now = utcnow()
    job_id = uuid.uuid4()
    values = {
        "id": job_id,
        "kind": kind,
        "payload": json.dumps(payload or {}),
        "unique_key": unique_key,
        "status": QUEUED,
        "run_at": run_at or now,
        "attempts": 0,
        "max_attempts": max_attempts,
        "created_at": now,
    }
    table = tables.jobs
    if unique_key is None:
        await session.execute(insert(table).values(**values))
    else:
        statement = upsert_insert(session.get_bind().dialect.name, table).values(**values)
        result = await session.execute(statement.on_conflict_do_nothing(index_elements=["unique_key"]))
        if cast(CursorResult[Any], result).rowcount != 1:
            return None
    session.info[JOBS_ENQUEUED] = True
    return job_id


@dataclass(frozen=True)
class Job:
    """A claimed job as its handler sees it; `attempt` counts from 1."""

    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    created_at: dt.datetime


class JobFailed(Exception):
    """An expected failure of one attempt, with a reason fit to show operators. `permanent`: retrying
    cannot help (the job is given up at once)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


Prepared = TypeVar("Prepared")


class JobHandler(Generic[Prepared]):
    """What a service does for one kind of job: `prepare` (in a transaction; None: nothing more to do,
    the job is done), `perform` (the I/O, outside any transaction, with what `prepare` returned), then
    `succeeded` or `given_up` (each in the transaction that completes the job). A job whose whole work is
    a database change overrides only `prepare`."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # A job that reads the current state of something (a shop's product): a request that comes while it
    # runs may concern a change it has already read past, so its unique key is released when it starts
    # and another job with that key can be queued for after it.
    unique_while_queued: bool = False
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 300.0

    async def prepare(self, session: AsyncSession, job: Job) -> Prepared | None:
        return cast(Prepared, job.payload)

    async def perform(self, job: Job, prepared: Prepared) -> None:
        """The job's I/O; none by default."""

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Prepared) -> None:
        """Runs in the transaction that completes the job."""

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        """Runs in the transaction that marks the job failed."""

    def retry_delay(self, attempt: int) -> float:
        """The pause after failed attempt number `attempt`: doubling from `retry_base_seconds`."""
        return doubling_delay(attempt, self.retry_base_seconds, self.retry_max_seconds)


@dataclass(frozen=True)
class Schedule:
    """Enqueue a job of `kind` (with `payload`) every `interval`; `name` identifies it across replicas."""

    name: str
    kind: str
    interval: dt.timedelta
    payload: Mapping[str, Any] | None = None


Clock = Callable[[], dt.datetime]


# How often the running runner refreshes its job gauges (each refresh is two queries), and looks for due
# schedules (a query per schedule; they run every minute or less often).
METRICS_EVERY_SECONDS = 1.0
SCHEDULES_EVERY_SECONDS = 1.0


class JobRunner:
    """Claims and runs due jobs of the kinds it has handlers for, up to `concurrency` side by side, and
    enqueues scheduled ones. A supervised worker (`run` until `stop`); tests drive `run_due` and
    `enqueue_due_schedules` directly with their own `clock`."""

    def __init__(
        self,
        db: Database,
        tables: JobTables,
        handlers: Mapping[str, JobHandler[Any]],
        *,
        schedules: Sequence[Schedule] = (),
        metrics: ServiceMetrics | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        idle_seconds: float = 5.0,
        concurrency: int = 1,
        clock: Clock = utcnow,
        record_retry_seconds: float = 0.5,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        unknown = [s.kind for s in schedules if s.kind not in handlers]
        if unknown:
            raise ValueError(f"schedules for job kinds without a handler: {unknown}")
        self.db = db
        self.tables = tables
        self.handlers = handlers
        self.schedules = schedules
        self.metrics = metrics
        self.lease = lease
        self.idle_seconds = idle_seconds
        self.concurrency = concurrency
        self.clock = clock
        self.record_retry_seconds = record_retry_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self.waiting = False  # idle until the next due time, a commit that enqueued a job, or stop()
        self._running_kinds: Counter[str] = Counter()
        self._turn = 0  # which due kind goes first when kinds are level (see `lanes`)
        db.on_commit(self._wake.set, when=JOBS_ENQUEUED)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        await self.register_schedules()
        running: set[asyncio.Task[None]] = set()
        try:
            await self._keep_running(running)
        except asyncio.CancelledError:
            for task in running:
                task.cancel()
            raise
        finally:
            await asyncio.gather(*running, return_exceptions=True)

    async def _keep_running(self, running: set[asyncio.Task[None]]) -> None:
        loop = asyncio.get_running_loop()
        metrics_at = schedules_at = 0.0
        while not self._stopping:
            self._wake.clear()
            if len(running) < self.concurrency:
                if loop.time() >= schedules_at:
                    await self.enqueue_due_schedules()
                    schedules_at = loop.time() + SCHEDULES_EVERY_SECONDS
                await self._start_due(running)
            if loop.time() >= metrics_at:
                await self.refresh_metrics()
                metrics_at = loop.time() + METRICS_EVERY_SECONDS
            if self._stopping:
                break
            pause: float | None = None  # every slot busy: until one frees (it wakes the runner)
            if len(running) < self.concurrency:
                pause = await self.seconds_until_due()
                if pause <= 0:
                    if loop.time() >= schedules_at:
                        continue
                    pause = schedules_at - loop.time()  # a schedule is due: at its next look, not in a spin
            self.waiting = True
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            except TimeoutError:
                pass
            finally:
                self.waiting = False

    async def run_due(self) -> int:
        """Runs every job that is due now, up to `concurrency` side by side, until none is (jobs that the
        finished ones queued included) or `stop()` was called; the number run."""
        running: set[asyncio.Task[None]] = set()
        count = 0
        try:
            while True:
                count += await self._start_due(running)
                if not running:
                    return count
                done, _pending = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running -= done
        except asyncio.CancelledError:
            for task in running:
                task.cancel()
            raise
        finally:
            await asyncio.gather(*running, return_exceptions=True)

    async def _start_due(self, running: set[asyncio.Task[None]]) -> int:
        """Claims due jobs for the free slots (in one transaction) and starts each in its own task; the
        number started."""
        started = 0
        while len(running) < self.concurrency and not self._stopping:
            claimed = await self.claim_due(self.concurrency - len(running))
            if not claimed:
                break
            for job in claimed:
                task = asyncio.create_task(self._attempt(job), name=f"job:{job.kind}:{job.id}")
                running.add(task)
                self._running_kinds[job.kind] += 1
                task.add_done_callback(functools.partial(self._slot_freed, running, job.kind))
            started += len(claimed)
        return started

    def _slot_freed(self, running: set[asyncio.Task[None]], kind: str, task: asyncio.Task[None]) -> None:
        running.discard(task)
        self._running_kinds[kind] -= 1
        self._wake.set()

    # Claiming ---------------------------------------------------------------------------------------

    def _due(self, now: dt.datetime, kind: str) -> Any:
        jobs = self.tables.jobs.c
        return and_(
            jobs.kind == kind,
            or_(
                and_(jobs.status == QUEUED, jobs.run_at <= now),
                and_(jobs.status == RUNNING, jobs.lease_until <= now),
            ),
        )

    async def claim(self) -> Job | None:
        """Takes the next due job (see `claim_due`)."""
        claimed = await self.claim_due(1)
        return claimed[0] if claimed else None

    async def claim_due(self, limit: int) -> list[Job]:
        """Takes up to `limit` due jobs in one transaction: marks each running with a lease and counts the
        attempt. The slots are shared between the kinds that have due jobs (`lanes`), oldest first within
        a kind. A job whose last attempt's lease ran out (its runner died) is given up instead. On
        PostgreSQL the rows are locked (`SKIP LOCKED`: replicas take other rows); on SQLite the claiming
        transaction holds the single writer."""
        jobs = self.tables.jobs
        while True:
            now = self.clock()
            claimed: list[Job] = []
            gave_up = False
            async with self.db.session() as session:
                rows: list[Any] = []
                for kind, slots in self.lanes(await self._due_kinds(session, now), limit).items():
                    query = (
                        select(jobs)
                        .where(self._due(now, kind))
                        .order_by(jobs.c.run_at, jobs.c.created_at)
                        .limit(slots)
                    )
                    if self.db.engine.dialect.name == "postgresql":
                        query = query.with_for_update(skip_locked=True)
                    rows.extend((await session.execute(query)).mappings().all())
                if not rows:
                    return []
                for row in rows:
                    handler = self.handlers[row["kind"]]
                    max_attempts = row["max_attempts"] or handler.max_attempts
                    job = Job(
                        id=row["id"],
                        kind=row["kind"],
                        payload=json.loads(row["payload"]),
                        attempt=row["attempts"] + 1,
                        max_attempts=max_attempts,
                        created_at=row["created_at"],
                    )
                    if row["attempts"] >= max_attempts:
                        # Its runner died during the last attempt (or the attempts were lowered meanwhile).
                        last = row["last_error"] or "the runner stopped during the last attempt"
                        reason = f"lease expired: {last}" if row["status"] == RUNNING else last
                        given_up = replace(job, attempt=row["attempts"])
                        where = and_(jobs.c.id == job.id, self._due(now, job.kind))
                        await self._give_up(session, handler, given_up, reason, now, where=where)
                        gave_up = True
                        continue
                    claimed.append(job)
                if claimed:
                    running = {
                        "status": RUNNING,
                        "attempts": jobs.c.attempts + 1,
                        "lease_until": now + self.lease,
                    }
                    ids = [job.id for job in claimed]
                    await session.execute(update(jobs).where(jobs.c.id.in_(ids)).values(**running))
                    released = [job.id for job in claimed if self.handlers[job.kind].unique_while_queued]
                    if released:
                        await session.execute(
                            update(jobs).where(jobs.c.id.in_(released)).values(unique_key=None)
                        )
            if claimed or not gave_up:
                return claimed

    async def _due_kinds(self, session: AsyncSession, now: dt.datetime) -> list[str]:
        """The kinds with at least one due job, in one statement (an index look-up per kind)."""
        jobs = self.tables.jobs.c
        kinds = list(self.handlers)
        due = [
            or_(
                exists().where(jobs.kind == kind, jobs.status == QUEUED, jobs.run_at <= now),
                exists().where(jobs.kind == kind, jobs.status == RUNNING, jobs.lease_until <= now),
            )
            for kind in kinds
        ]
        row = (await session.execute(select(*due))).one()
        return [kind for kind, is_due in zip(kinds, row, strict=True) if is_due]

    def lanes(self, due_kinds: Sequence[str], slots: int) -> dict[str, int]:
        """How many of `slots` free slots each due kind gets: one at a time, to the kind with the fewest
        jobs running in this runner (those given out in this call counted); kinds that are level take
        turns, starting one further on at each call, so no kind always comes first."""
        if not due_kinds:
            return {}
        turn = self._turn % len(due_kinds)
        self._turn += 1
        order = [*due_kinds[turn:], *due_kinds[:turn]]
        load = {kind: self._running_kinds[kind] for kind in order}
        lanes = dict.fromkeys(order, 0)
        for _ in range(slots):
            kind = min(order, key=load.__getitem__)
            load[kind] += 1
            lanes[kind] += 1
        return {kind: n for kind, n in lanes.items() if n}

    # Running ----------------------------------------------------------------------------------------

    async def run_next(self) -> bool:
        """Claims and runs one due job; False when none is due."""
        job = await self.claim()
        if job is None:
            return False
        await self._run_claimed(job)
        return True

    async def _attempt(self, job: Job) -> None:
        """Runs one claimed job and records its outcome. Never raises: when the outcome cannot be recorded,
        even after `_record` tried again while the lease lasted, the job stays running until its lease
        passes and is then attempted again."""
        try:
            await self._run_claimed(job)
        except Exception:
            log.exception("job_outcome_not_recorded", kind=job.kind, job_id=str(job.id), attempt=job.attempt)

    async def _run_claimed(self, job: Job) -> None:
        lease_ends = time.monotonic() + self.lease.total_seconds()
        handler = self.handlers[job.kind]
        log.info("job_started", kind=job.kind, job_id=str(job.id), attempt=job.attempt)
        try:
            async with self.db.session() as session:
                prepared = await handler.prepare(session, job)
            if prepared is not None:
                await handler.perform(job, prepared)
        except JobFailed as failure:
            reason, permanent = failure.reason, failure.permanent
            await self._record(
                job, lease_ends, lambda: self._failed(handler, job, reason, permanent=permanent)
            )
            return
        except Exception as exc:
            log.exception("job_attempt_crashed", kind=job.kind, job_id=str(job.id), attempt=job.attempt)
            crash = f"{type(exc).__name__}: {exc}"
            await self._record(job, lease_ends, lambda: self._failed(handler, job, crash, permanent=False))
            return
        await self._record(job, lease_ends, lambda: self._complete(handler, job, prepared))

    async def _record(self, job: Job, lease_ends: float, outcome: Callable[[], Awaitable[None]]) -> None:
        """Records an attempt's outcome, trying again while the database cannot be reached (a restart, a
        dropped connection) for as long as the attempt's lease lasts. Without this, a database that went
        away after the work was done left the job `running` until its lease ran out (5 minutes), and
        everything queued behind it (an order's later postbacks) waited as long. Past the lease another
        runner may have the job, so the error is raised and the lease brings the job back."""
        pause = self.record_retry_seconds
        while True:
            try:
                await outcome()
                return
            except (DBAPIError, OSError) as exc:
                if self._stopping or time.monotonic() + pause >= lease_ends:
                    raise
                log.warning(
                    "job_outcome_recording_retried",
                    kind=job.kind,
                    job_id=str(job.id),
                    attempt=job.attempt,
                    error=f"{type(exc).__name__}: {exc}"[:MAX_REASON_CHARS],
                    retry_in_seconds=pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    async def _complete(self, handler: JobHandler[Any], job: Job, prepared: Any) -> None:
        async with self.db.session() as session:
            deleted = await session.execute(delete(self.tables.jobs).where(self._mine(job)))
            if cast(CursorResult[Any], deleted).rowcount != 1:
                log.warning("job_lease_lost", kind=job.kind, job_id=str(job.id), attempt=job.attempt)
                return
            if prepared is not None:
                await handler.succeeded(session, job, prepared)
        self._count(job.kind, "succeeded")
        log.info("job_succeeded", kind=job.kind, job_id=str(job.id), attempt=job.attempt)

    def _mine(self, job: Job) -> Any:
        """Still this attempt's job (a runner that overran its lease must not undo its successor's)."""
        jobs = self.tables.jobs.c
        return and_(jobs.id == job.id, jobs.status == RUNNING, jobs.attempts == job.attempt)

    async def _failed(self, handler: JobHandler[Any], job: Job, reason: str, *, permanent: bool) -> None:
        reason = reason[:MAX_REASON_CHARS]
        now = self.clock()
        async with self.db.session() as session:
            if permanent or job.attempt >= job.max_attempts:
                await self._give_up(session, handler, job, reason, now, where=self._mine(job))
                return
            pause = dt.timedelta(seconds=handler.retry_delay(job.attempt))
            await session.execute(
                update(self.tables.jobs)
                .where(self._mine(job))
                .values(status=QUEUED, run_at=now + pause, lease_until=None, last_error=reason)
            )
        self._count(job.kind, "retried")
        log.warning(
            "job_attempt_failed",
            kind=job.kind,
            job_id=str(job.id),
            attempt=job.attempt,
            reason=reason,
            retry_in_seconds=pause.total_seconds(),
        )

    async def _give_up(
        self,
        session: AsyncSession,
        handler: JobHandler[Any],
        job: Job,
        reason: str,
        now: dt.datetime,
        *,
        where: Any,
    ) -> None:
        marked = await session.execute(
            update(self.tables.jobs)
            .where(where)
            .values(status=FAILED, unique_key=None, lease_until=None, last_error=reason, failed_at=now)
        )
        if cast(CursorResult[Any], marked).rowcount != 1:
            return
        await handler.given_up(session, job, reason)
        self._count(job.kind, "given_up")
        log.error("job_given_up", kind=job.kind, job_id=str(job.id), attempts=job.attempt, reason=reason)

    def _count(self, kind: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.job_attempts.labels(self.metrics.service, kind, outcome).inc()

    # Schedules --------------------------------------------------------------------------------------

    async def register_schedules(self) -> None:
        """Creates each schedule's row (first due now), or keeps its due time and updates its interval."""
        table = self.tables.schedules
        now = self.clock()
        for schedule in self.schedules:
            async with self.db.session() as session:
                statement = upsert_insert(self.db.engine.dialect.name, table).values(
                    name=schedule.name,
                    kind=schedule.kind,
                    interval_seconds=schedule.interval.total_seconds(),
                    next_run_at=now,
                )
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["name"],
                        set_={"kind": schedule.kind, "interval_seconds": schedule.interval.total_seconds()},
                    )
                )

    async def enqueue_due_schedules(self) -> int:
        """Enqueues one job per schedule whose time has come; the number enqueued (by this runner)."""
        table = self.tables.schedules
        enqueued = 0
        for schedule in self.schedules:
            now = self.clock()
            async with self.db.session() as session:
                due_at = await session.scalar(
                    select(table.c.next_run_at).where(
                        table.c.name == schedule.name, table.c.next_run_at <= now
                    )
                )
                if due_at is None:
                    continue
                periods_passed = (now - due_at) // schedule.interval + 1
                moved = await session.execute(
                    update(table)
                    .where(table.c.name == schedule.name, table.c.next_run_at == due_at)
                    .values(next_run_at=due_at + periods_passed * schedule.interval)
                )
                if cast(CursorResult[Any], moved).rowcount != 1:
                    continue  # another replica enqueued this period's run
                await enqueue(session, self.tables, schedule.kind, schedule.payload)
                enqueued += 1
                log.info(
                    "schedule_fired", schedule=schedule.name, kind=schedule.kind, due_at=due_at.isoformat()
                )
        return enqueued

    # Observing --------------------------------------------------------------------------------------

    async def seconds_until_due(self) -> float:
        """How long the runner may sleep: until the next job or schedule is due, at most `idle_seconds`."""
        jobs, schedules = self.tables.jobs.c, self.tables.schedules.c
        kinds = list(self.handlers)
        names = [s.name for s in self.schedules]
        query = select(
            select(func.min(jobs.run_at))
            .where(jobs.kind.in_(kinds), jobs.status == QUEUED)
            .scalar_subquery(),
            select(func.min(jobs.lease_until))
            .where(jobs.kind.in_(kinds), jobs.status == RUNNING)
            .scalar_subquery(),
            select(func.min(schedules.next_run_at)).where(schedules.name.in_(names)).scalar_subquery(),
        )
        async with self.db.read_session() as session:  # one round trip
            row = (await session.execute(query)).one()
        next_job: dt.datetime | None = row[0]
        next_lease: dt.datetime | None = row[1]
        next_schedule: dt.datetime | None = row[2]
        candidates = [t for t in (next_job, next_lease, next_schedule) if t is not None]
        if not candidates:
            return self.idle_seconds
        wait = (min(candidates) - self.clock()).total_seconds()
        return max(0.0, min(self.idle_seconds, wait))

    async def refresh_metrics(self) -> None:
        """Sets the job gauges: jobs per kind and status, and the age of the oldest due job."""
        if self.metrics is None:
            return
        jobs = self.tables.jobs.c
        now = self.clock()
        async with self.db.read_session() as session:
            counts = await session.execute(
                select(jobs.kind, jobs.status, func.count()).group_by(jobs.kind, jobs.status)
            )
            oldest: dt.datetime | None = await session.scalar(
                select(func.min(jobs.run_at)).where(jobs.status == QUEUED, jobs.run_at <= now)
            )
        seen = {(kind, status): n for kind, status, n in counts}
        for kind in {*self.handlers, *(k for k, _s in seen)}:
            for status in (QUEUED, RUNNING, FAILED):
                self.metrics.jobs.labels(self.metrics.service, kind, status).set(seen.get((kind, status), 0))
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        self.metrics.jobs_oldest_due_age.labels(self.metrics.service).set(max(0.0, age))


def create_job_tables_v1() -> None:
    """Creates `jobs` and `schedules` as of version 1; call from a service's migration. A later change
    to these tables gets its own `..._v2` step, so old migrations stay as they ran."""
    from alembic import op

    from printbridge_shared.db import make_metadata

    bind = op.get_bind()
    for table in job_tables_v1(make_metadata()):
        table.create(bind)


def create_lanes_index_v2() -> None:
    """Step 2 (`lanes_index_v2`): call from a service's migration."""
    from alembic import op

    op.create_index(LANES_INDEX, "jobs", list(LANES_COLUMNS))


def drop_lanes_index_v2() -> None:
    from alembic import op

    op.drop_index(LANES_INDEX, table_name="jobs")


def drop_job_tables_v1() -> None:
    from alembic import op

    for name in ("schedules", "jobs"):
        op.drop_table(name)
