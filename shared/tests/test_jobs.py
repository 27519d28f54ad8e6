"""Durable jobs and schedules on a real database (SQLite and PostgreSQL): jobs run once, after the commit
that enqueued them; failures are retried with a doubling pause and then given up with the reason;
replicas share the work without running a job twice; a job whose runner died is taken again once its
lease has passed; a schedule fires once per period across replicas. Time is an injected clock."""

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from structlog.testing import capture_logs

from printbridge_shared.config import ServiceSettings
from printbridge_shared.db import Database, make_metadata, utcnow
from printbridge_shared.jobs import (
    FAILED,
    QUEUED,
    RUNNING,
    Job,
    JobFailed,
    JobHandler,
    JobRunner,
    JobTables,
    Schedule,
    enqueue,
    job_tables,
)
from printbridge_shared.metrics import ServiceMetrics
from printbridge_shared.testing import eventually

KIND = "test.mail"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class Recorder(JobHandler[dict[str, Any]]):
    """Records each attempt as (n, attempt, runner); its first `failures` attempts fail."""

    retry_base_seconds = 10.0

    def __init__(
        self, performed: list[tuple[int, int, str]], *, name: str = "a", failures: int = 0, permanent=False
    ) -> None:
        self.performed = performed
        self.name = name
        self.failures = failures
        self.permanent = permanent
        self.given_up_with: list[str] = []

    async def perform(self, job: Job, prepared: dict[str, Any]) -> None:
        self.performed.append((prepared["n"], job.attempt, self.name))
        await asyncio.sleep(0)  # let another replica interleave
        if len(self.performed) <= self.failures:
            raise JobFailed("mail server unreachable", permanent=self.permanent)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        self.given_up_with.append(reason)


@pytest.fixture
async def tables(database_url: str) -> JobTables:
    metadata = make_metadata()
    tables = job_tables(metadata)
    db = Database(database_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await db.dispose()
    return tables


@pytest.fixture
async def databases(database_url: str, tables: JobTables) -> AsyncIterator[list[Database]]:
    """Two Database objects on the same database: two replicas of one service."""
    dbs = [Database(database_url), Database(database_url)]
    yield dbs
    for db in dbs:
        await db.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def add_jobs(db: Database, tables: JobTables, *numbers: int, **options: Any) -> None:
    async with db.session() as session:
        for n in numbers:
            await enqueue(session, tables, KIND, {"n": n}, **options)


async def job_rows(db: Database, tables: JobTables) -> list[dict[str, Any]]:
    async with db.read_session() as session:
        return [dict(row) for row in (await session.execute(select(tables.jobs))).mappings()]


async def test_a_job_runs_once_after_the_commit_that_enqueued_it_and_is_then_gone(databases, tables):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    runner = JobRunner(db, tables, {KIND: Recorder(performed)})
    await add_jobs(db, tables, 1)
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await enqueue(session, tables, KIND, {"n": 2})
            raise RuntimeError("the caller's unit of work fails")

    assert await runner.run_due() == 1
    assert await runner.run_due() == 0
    assert performed == [(1, 1, "a")]
    assert await job_rows(db, tables) == []


async def test_a_failed_attempt_is_retried_after_a_doubling_pause(databases, tables, clock):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    metrics = ServiceMetrics("test")
    runner = JobRunner(db, tables, {KIND: Recorder(performed, failures=2)}, clock=clock, metrics=metrics)
    await add_jobs(db, tables, 7, run_at=clock.now)

    assert await runner.run_due() == 1
    [row] = await job_rows(db, tables)
    assert (row["status"], row["attempts"], row["last_error"]) == (QUEUED, 1, "mail server unreachable")
    assert row["run_at"] == clock.now + dt.timedelta(seconds=10)
    clock.advance(9.9)
    assert await runner.run_due() == 0
    clock.advance(0.1)
    assert await runner.run_due() == 1  # fails again: the next pause is 20 s
    clock.advance(19.9)
    assert await runner.run_due() == 0
    clock.advance(0.1)
    assert await runner.run_due() == 1
    assert performed == [(7, 1, "a"), (7, 2, "a"), (7, 3, "a")]
    assert await job_rows(db, tables) == []
    rendered = metrics.render().decode()
    counter = 'printbridge_job_attempts_total{kind="test.mail",outcome="%s",service="test"} %s'
    assert counter % ("retried", "2.0") in rendered and counter % ("succeeded", "1.0") in rendered


@pytest.mark.parametrize(("permanent", "attempts"), [(False, 3), (True, 1)])
async def test_the_last_failed_attempt_gives_up_with_the_reason(
    databases, tables, clock, permanent, attempts
):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    handler = Recorder(performed, failures=99, permanent=permanent)
    runner = JobRunner(db, tables, {KIND: handler}, clock=clock)
    await add_jobs(db, tables, 1, max_attempts=3, run_at=clock.now)
    for _ in range(3):
        await runner.run_due()
        clock.advance(3600)

    [row] = await job_rows(db, tables)
    assert (row["status"], row["attempts"]) == (FAILED, attempts)
    assert row["last_error"] == "mail server unreachable"
    assert row["failed_at"] is not None and len(performed) == attempts
    assert handler.given_up_with == ["mail server unreachable"]


async def test_two_replicas_share_the_jobs_without_running_one_twice(databases, tables):
    performed: list[tuple[int, int, str]] = []
    runners = [
        JobRunner(db, tables, {KIND: Recorder(performed, name=name)})
        for db, name in zip(databases, "ab", strict=True)
    ]
    await add_jobs(databases[0], tables, *range(40))

    await asyncio.gather(*(runner.run_due() for runner in runners))

    assert sorted(n for n, _attempt, _runner in performed) == list(range(40))
    assert {attempt for _n, attempt, _runner in performed} == {1}
    assert await job_rows(databases[0], tables) == []


@pytest.mark.parametrize("max_attempts", [3, 1])
async def test_a_job_whose_runner_died_mid_attempt_is_taken_again_after_its_lease(
    databases, tables, clock, max_attempts
):
    performed: list[tuple[int, int, str]] = []
    lease = dt.timedelta(minutes=5)
    died = JobRunner(databases[0], tables, {KIND: Recorder([])}, clock=clock, lease=lease)
    handler = Recorder(performed, name="b")
    survivor = JobRunner(databases[1], tables, {KIND: handler}, clock=clock, lease=lease)
    await add_jobs(databases[0], tables, 1, max_attempts=max_attempts, run_at=clock.now)
    assert await died.claim() is not None  # ... and its process dies before the job is done

    assert await survivor.run_due() == 0
    clock.advance(lease.total_seconds())
    await survivor.run_due()

    if max_attempts == 3:
        assert performed == [(1, 2, "b")]
        assert await job_rows(databases[0], tables) == []
    else:
        [row] = await job_rows(databases[0], tables)
        assert performed == [] and row["status"] == FAILED
        assert handler.given_up_with == ["lease expired: the runner stopped during the last attempt"]


class LosesTheDatabase(Recorder):
    """Its work is done; then the database connection drops while the outcome is recorded, the first
    `times` tries (the database restarting)."""

    def __init__(self, performed: list[tuple[int, int, str]], *, times: int) -> None:
        super().__init__(performed)
        self.times = times
        self.recording_tries = 0

    async def succeeded(self, session: AsyncSession, job: Job, prepared: dict[str, Any]) -> None:
        self.recording_tries += 1
        if self.recording_tries <= self.times:
            raise OperationalError("DELETE FROM jobs", {}, ConnectionResetError("Connection reset by peer"))


async def test_an_outcome_that_could_not_be_recorded_while_the_database_was_away_is_recorded_once_it_is_back(
    databases, tables
):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    handler = LosesTheDatabase(performed, times=2)
    runner = JobRunner(db, tables, {KIND: handler}, record_retry_seconds=0.01)
    await add_jobs(db, tables, 1)

    assert await runner.run_due() == 1

    assert performed == [(1, 1, "a")], "done once, not left running until its lease ran out"
    assert handler.recording_tries == 3
    assert await job_rows(db, tables) == []


async def test_an_outcome_still_unrecorded_when_the_lease_ends_leaves_the_job_to_the_lease(databases, tables):
    db = databases[0]
    handler = LosesTheDatabase([], times=1_000)
    lease = dt.timedelta(seconds=0.2)
    runner = JobRunner(db, tables, {KIND: handler}, lease=lease, record_retry_seconds=0.01)
    await add_jobs(db, tables, 1)

    [job] = await runner.claim_due(1)

    with capture_logs() as logs:
        await runner._attempt(job)  # run_due would claim it again once the lease has passed

    assert 1 < handler.recording_tries < 1_000
    assert [entry["event"] for entry in logs if entry["log_level"] == "error"] == ["job_outcome_not_recorded"]
    [row] = await job_rows(db, tables)
    assert row["status"] == RUNNING and row["attempts"] == 1


async def test_a_commit_that_enqueues_a_job_wakes_the_idle_runner_at_once(databases, tables):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    runner = JobRunner(db, tables, {KIND: Recorder(performed)}, idle_seconds=120)
    task = asyncio.create_task(runner.run())
    try:
        await eventually(lambda: runner.waiting)
        await add_jobs(db, tables, 5)
        await eventually(lambda: performed == [(5, 1, "a")], within=5)
    finally:
        runner.stop()
        await task


async def test_a_schedule_fires_once_per_period_across_replicas(databases, tables, clock):
    performed: list[tuple[int, int, str]] = []
    every_minute = Schedule("sync", KIND, dt.timedelta(minutes=1), payload={"n": 0})
    runners = [
        JobRunner(db, tables, {KIND: Recorder(performed)}, schedules=[every_minute], clock=clock)
        for db in databases
    ]
    for runner in runners:
        await runner.register_schedules()

    async def fire() -> int:
        return sum([await runner.enqueue_due_schedules() for runner in runners])

    assert await fire() == 1  # due at once
    assert await fire() == 0
    clock.advance(59)
    assert await fire() == 0
    clock.advance(1)
    assert await fire() == 1
    clock.advance(60 * 3.5)  # everything was down for three periods: one run, not three
    assert await fire() == 1
    clock.advance(30)
    assert await fire() == 1
    assert await runners[1].run_due() == 4
    assert len(performed) == 4


async def test_a_unique_key_admits_one_open_job_at_a_time(databases, tables):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    runner = JobRunner(db, tables, {KIND: Recorder(performed)})
    async with db.session() as session:
        first = await enqueue(session, tables, KIND, {"n": 1}, unique_key="store:1")
        second = await enqueue(session, tables, KIND, {"n": 2}, unique_key="store:1")
    assert first is not None and second is None
    await runner.run_due()
    await add_jobs(db, tables, 3, unique_key="store:1")
    await runner.run_due()
    assert [n for n, _attempt, _runner in performed] == [1, 3]


async def test_a_job_unique_only_while_queued_lets_a_request_made_while_it_runs_queue_another(
    databases, tables
):
    """A read of current state that started before a change cannot have seen it: the change's request
    must make a run of its own, not be swallowed by the run in progress."""
    db = databases[0]
    performed: list[tuple[int, int, str]] = []
    queued_meanwhile: list[uuid.UUID | None] = []

    class ReadsState(Recorder):
        unique_while_queued = True

        async def perform(self, job: Job, prepared: dict[str, Any]) -> None:
            if prepared["n"] == 1:
                async with db.session() as session:
                    again = await enqueue(session, tables, KIND, {"n": 2}, unique_key="product:1")
                    twice = await enqueue(session, tables, KIND, {"n": 3}, unique_key="product:1")
                queued_meanwhile.extend([again, twice])
            await super().perform(job, prepared)

    runner = JobRunner(db, tables, {KIND: ReadsState(performed)})
    await add_jobs(db, tables, 1, unique_key="product:1")
    await runner.run_due()

    assert queued_meanwhile[0] is not None and queued_meanwhile[1] is None  # one more, not one per request
    assert [n for n, _attempt, _runner in performed] == [1, 2]


async def test_metrics_count_jobs_by_status_and_the_age_of_the_oldest_due_one(databases, tables, clock):
    db = databases[0]
    metrics = ServiceMetrics("test")
    handler = Recorder([], failures=99, permanent=True)
    runner = JobRunner(db, tables, {KIND: handler}, clock=clock, metrics=metrics)
    await add_jobs(db, tables, 1, run_at=clock.now)
    await runner.run_due()  # given up at once: failed
    async with db.session() as session:
        await enqueue(session, tables, KIND, {"n": 2}, run_at=clock.now)
        await enqueue(session, tables, KIND, {"n": 3}, run_at=clock.now + dt.timedelta(hours=1))
    clock.advance(90)

    await runner.refresh_metrics()

    rendered = metrics.render().decode()
    for status, count in (("queued", 2), ("running", 0), ("failed", 1)):
        assert f'printbridge_jobs{{kind="test.mail",service="test",status="{status}"}} {count}.0' in rendered
    assert 'printbridge_jobs_oldest_due_age_seconds{service="test"} 90.0' in rendered


class Gate(JobHandler[dict[str, Any]]):
    """Each job waits in `perform` until the test opens the gate; records which run side by side."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.inside: set[int] = set()
        self.most_inside = 0
        self.done: list[int] = []

    async def perform(self, job: Job, prepared: dict[str, Any]) -> None:
        self.inside.add(prepared["n"])
        self.most_inside = max(self.most_inside, len(self.inside))
        try:
            await self.opened.wait()
        finally:
            self.inside.discard(prepared["n"])
        self.done.append(prepared["n"])


async def test_a_runner_runs_up_to_its_concurrency_of_jobs_side_by_side(databases, tables):
    db = databases[0]
    gate = Gate()
    runner = JobRunner(db, tables, {KIND: gate}, concurrency=3)
    await add_jobs(db, tables, *range(7))

    running = asyncio.create_task(runner.run_due())
    await eventually(lambda: len(gate.inside) == 3)
    gate.opened.set()

    assert await running == 7
    assert gate.most_inside == 3 and sorted(gate.done) == list(range(7))
    assert await job_rows(db, tables) == []


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_replicas_running_jobs_side_by_side_never_run_one_twice(databases, tables, concurrency):
    performed: list[tuple[int, int, str]] = []
    runners = [
        JobRunner(db, tables, {KIND: Recorder(performed, name=name)}, concurrency=concurrency)
        for db, name in zip(databases, "ab", strict=True)
    ]
    await add_jobs(databases[0], tables, *range(60))

    await asyncio.gather(*(runner.run_due() for runner in runners))

    assert sorted(n for n, _attempt, _runner in performed) == list(range(60))
    assert {attempt for _n, attempt, _runner in performed} == {1}
    assert await job_rows(databases[0], tables) == []


async def test_jobs_sharing_a_unique_key_run_one_after_the_other_while_others_run_beside_them(
    databases, tables
):
    """Order is kept by the key (one open job per key, the next queued by the one before), not by
    running one job at a time."""
    db = databases[0]
    order: list[int] = []
    beside = Gate()

    class InTurn(JobHandler[dict[str, Any]]):
        async def perform(self, job: Job, prepared: dict[str, Any]) -> None:
            order.append(prepared["n"])
            await asyncio.sleep(0)

        async def succeeded(self, session: AsyncSession, job: Job, prepared: dict[str, Any]) -> None:
            if prepared["n"] < 5:
                await enqueue(session, tables, "test.turn", {"n": prepared["n"] + 1}, unique_key="order:1")

    runner = JobRunner(db, tables, {"test.turn": InTurn(), KIND: beside}, concurrency=4)
    async with db.session() as session:
        await enqueue(session, tables, "test.turn", {"n": 1}, unique_key="order:1")
        assert await enqueue(session, tables, "test.turn", {"n": 9}, unique_key="order:1") is None
        await enqueue(session, tables, KIND, {"n": 100})
    running = asyncio.create_task(runner.run_due())
    await eventually(lambda: order == [1, 2, 3, 4, 5] and beside.inside == {100})
    beside.opened.set()

    assert await running == 6


async def test_a_job_whose_outcome_cannot_be_recorded_waits_for_its_lease_and_the_others_go_on(
    databases, tables, clock
):
    db = databases[0]
    performed: list[tuple[int, int, str]] = []

    class OutcomeFails(Recorder):
        async def succeeded(self, session: AsyncSession, job: Job, prepared: dict[str, Any]) -> None:
            if prepared["n"] == 1 and job.attempt == 1:
                raise RuntimeError("the outcome could not be kept")  # not a lost connection: no retry

    lease = dt.timedelta(minutes=5)
    runner = JobRunner(db, tables, {KIND: OutcomeFails(performed)}, clock=clock, lease=lease, concurrency=2)
    await add_jobs(db, tables, 1, 2, 3, run_at=clock.now)

    assert await runner.run_due() == 3
    [row] = await job_rows(db, tables)
    assert (row["status"], row["attempts"]) == ("running", 1)  # its attempt's outcome was not kept
    clock.advance(lease.total_seconds())
    assert await runner.run_due() == 1
    assert sorted(performed) == [(1, 1, "a"), (1, 2, "a"), (2, 1, "a"), (3, 1, "a")]
    assert await job_rows(db, tables) == []


async def test_a_long_job_does_not_hold_back_jobs_queued_while_it_runs(databases, tables):
    db = databases[0]
    gate = Gate()
    performed: list[tuple[int, int, str]] = []
    runner = JobRunner(
        db, tables, {KIND: gate, "test.quick": Recorder(performed)}, idle_seconds=120, concurrency=2
    )
    task = asyncio.create_task(runner.run())
    try:
        await add_jobs(db, tables, 1)
        await eventually(lambda: gate.inside == {1})
        async with db.session() as session:
            await enqueue(session, tables, "test.quick", {"n": 2})
        await eventually(lambda: performed == [(2, 1, "a")], within=5)
        assert gate.inside == {1}
    finally:
        gate.opened.set()
        runner.stop()
        await task


async def test_a_backlog_of_one_kind_shares_the_slots_with_a_job_of_another_kind_queued_after_it(
    databases, tables
):
    """A lane per kind: thousands of postbacks waiting for a slow receiver do not hold back a print
    file's check queued after them (oldest first across kinds did, for minutes, in the 10,000-order
    fault run)."""
    db = databases[0]
    postbacks = Gate()
    checked: list[tuple[int, int, str]] = []
    runner = JobRunner(db, tables, {KIND: postbacks, "test.check": Recorder(checked)}, concurrency=2)
    await add_jobs(db, tables, *range(20))
    async with db.session() as session:
        await enqueue(session, tables, "test.check", {"n": 100})

    running = asyncio.create_task(runner.run_due())
    await eventually(lambda: checked == [(100, 1, "a")] and len(postbacks.inside) == 2)
    postbacks.opened.set()

    assert await running == 21
    assert sorted(postbacks.done) == list(range(20))


def test_free_slots_go_to_the_due_kinds_with_the_fewest_running_and_level_kinds_take_turns(databases, tables):
    runner = JobRunner(databases[0], tables, {k: Recorder([]) for k in "abc"}, concurrency=8)
    shares = runner.lanes(["a", "b", "c"], 8)
    assert sorted(shares.values()) == [2, 3, 3] and sum(shares.values()) == 8
    assert runner.lanes(["a", "b"], 1) != runner.lanes(["a", "b"], 1)  # level: each in turn
    runner._running_kinds.update({"a": 5, "b": 1})
    assert runner.lanes(["a", "b", "c"], 2) == {"c": 1, "b": 1}
    assert runner.lanes(["a", "b", "c"], 3) in ({"c": 2, "b": 1}, {"b": 1, "c": 2})
    assert runner.lanes([], 3) == {}


async def test_stopping_the_runner_waits_for_its_running_jobs_to_finish(databases, tables):
    db = databases[0]
    gate = Gate()
    runner = JobRunner(db, tables, {KIND: gate}, idle_seconds=120, concurrency=4)
    task = asyncio.create_task(runner.run())
    await add_jobs(db, tables, 1, 2)
    await eventually(lambda: gate.inside == {1, 2})

    runner.stop()
    for _ in range(50):  # let the runner go round its loop as often as it would
        await asyncio.sleep(0)
    assert not task.done()
    gate.opened.set()
    await asyncio.wait_for(task, timeout=5)

    assert sorted(gate.done) == [1, 2]
    assert await job_rows(db, tables) == []


async def test_cancelling_the_runner_cancels_its_running_jobs_which_their_leases_bring_back(
    databases, tables
):
    db = databases[0]
    gate = Gate()
    runner = JobRunner(db, tables, {KIND: gate}, idle_seconds=120, concurrency=4)
    task = asyncio.create_task(runner.run())
    await add_jobs(db, tables, 1, 2)
    await eventually(lambda: gate.inside == {1, 2})

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert gate.inside == set() and gate.done == []
    assert (
        sorted((row["status"], row["attempts"]) for row in await job_rows(db, tables)) == [("running", 1)] * 2
    )


def test_the_concurrency_must_be_at_least_one(databases, tables):
    with pytest.raises(ValueError, match="at least 1"):
        JobRunner(databases[0], tables, {KIND: Recorder([])}, concurrency=0)


@pytest.mark.parametrize(
    ("database_url", "setting", "expected"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1/jobs", None, 8),
        ("sqlite+aiosqlite:///var/jobs.db", None, 4),
        ("postgresql+asyncpg://postgres@127.0.0.1/jobs", "2", 2),
    ],
)
def test_the_concurrency_setting_defaults_by_database(monkeypatch, database_url, setting, expected):
    if setting is not None:
        monkeypatch.setenv("PRINTBRIDGE_JOBS_CONCURRENCY", setting)
    assert ServiceSettings(database_url=database_url).resolved_jobs_concurrency() == expected


async def test_one_claim_takes_the_oldest_due_jobs_up_to_the_free_slots_and_gives_up_spent_ones(
    databases, tables, clock
):
    db = databases[0]
    handler = Recorder([])
    runner = JobRunner(db, tables, {KIND: handler}, clock=clock, concurrency=3)
    await add_jobs(db, tables, 1, run_at=clock.now - dt.timedelta(seconds=3))
    await add_jobs(db, tables, 2, max_attempts=1, run_at=clock.now - dt.timedelta(seconds=2))
    async with db.session() as session:  # job 2's runner died during its one attempt, long ago
        await session.execute(
            tables.jobs.update()
            .where(tables.jobs.c.payload == '{"n": 2}')
            .values(status="running", attempts=1, lease_until=clock.now - dt.timedelta(seconds=1))
        )
    await add_jobs(db, tables, 3, 4, 5, run_at=clock.now - dt.timedelta(seconds=1))

    first = await runner.claim_due(3)
    second = await runner.claim_due(3)

    assert [job.payload["n"] for job in first] == [1, 3]  # 2 was among the three looked at: given up
    assert [job.payload["n"] for job in second] == [4, 5]
    assert {job.attempt for job in first + second} == {1}
    rows = {row["payload"]: row for row in await job_rows(db, tables)}
    assert rows['{"n": 2}']["status"] == FAILED
    assert {rows[f'{{"n": {n}}}']["status"] for n in (1, 3, 4, 5)} == {"running"}
    assert await runner.claim_due(3) == []


async def test_the_runner_sleeps_until_the_next_job_lease_or_schedule_is_due_at_most_its_idle_time(
    databases, tables, clock
):
    db = databases[0]
    hourly = Schedule("hourly", KIND, dt.timedelta(hours=1), payload={"n": 0})
    runner = JobRunner(db, tables, {KIND: Recorder([])}, schedules=[hourly], clock=clock, idle_seconds=120)
    assert await runner.seconds_until_due() == 120  # nothing at all
    await runner.register_schedules()
    assert await runner.seconds_until_due() == 0  # the schedule is due at once
    await runner.enqueue_due_schedules()  # its job is queued at the real now, after the clock's
    clock.advance(1)
    assert await runner.run_due() == 1
    await add_jobs(db, tables, 1, run_at=clock.now + dt.timedelta(seconds=90))
    assert await runner.seconds_until_due() == 90
    await add_jobs(db, tables, 2, run_at=clock.now + dt.timedelta(seconds=30))
    assert await runner.seconds_until_due() == 30
