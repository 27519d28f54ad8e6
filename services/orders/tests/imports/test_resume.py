"""An import that stops half-way (a crash, a lost lease) resumes after its last committed batch: no order
twice, no row counted twice; and a job given up leaves the import failed with the reason."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest

from orders.imports import processing
from orders.imports.jobs import ImportJob
from orders.imports.service import IMPORT_JOB, create_import
from orders.models import Store, jobs
from printbridge_shared.jobs import Job, JobRunner


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


@pytest.fixture
async def queued_import(app, client, manual_store, line, order_file):
    """An accepted import of five orders whose job waits a day, so the test runs it itself."""

    async def create() -> uuid.UUID:
        rows = [line(f"PO-{n}") for n in range(1, 6)]
        async with app.state.db.session() as session:
            store = await session.get(Store, manual_store)
            record = await create_import(
                session,
                store,
                _once(order_file(rows)),
                filename="five.csv",
                run_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        return record.id

    return await create()


async def test_an_import_interrupted_after_its_first_batch_resumes_without_duplicates(
    app, client, user_headers, manual_store, queued_import, monkeypatch
):
    monkeypatch.setattr(processing, "BATCH_ORDERS", 2)
    build_order = processing.build_order
    built = 0

    def crashing_in_the_second_batch(*args, **kwargs):
        nonlocal built
        built += 1
        if built == 3:
            raise RuntimeError("the process died")
        return build_order(*args, **kwargs)

    monkeypatch.setattr(processing, "build_order", crashing_in_the_second_batch)
    with pytest.raises(RuntimeError):
        await processing.run_import(app.state.db, app.state.outbox, queued_import)
    halfway = (await client.get(f"/v1/order-imports/{queued_import}", headers=user_headers())).json()
    assert (halfway["status"], halfway["orders_created"], halfway["rows_read"]) == ("running", 2, 2)

    monkeypatch.setattr(processing, "build_order", build_order)
    await processing.run_import(app.state.db, app.state.outbox, queued_import)

    done = (await client.get(f"/v1/order-imports/{queued_import}", headers=user_headers())).json()
    assert (done["status"], done["orders_created"], done["orders_existing"], done["rows_read"]) == (
        "done",
        5,
        0,
        5,
    )
    listed = (await client.get(f"/v1/stores/{manual_store}/orders", headers=user_headers())).json()["items"]
    assert sorted(item["external_id"] for item in listed) == [f"PO-{n}" for n in range(1, 6)]


async def test_the_job_runner_retries_an_interrupted_import_and_the_retry_finishes_it(
    app, client, user_headers, manual_store, queued_import, monkeypatch
):
    monkeypatch.setattr(processing, "BATCH_ORDERS", 2)
    build_order = processing.build_order
    calls = 0

    def crashing_once_in_the_second_batch(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the process died")
        return build_order(*args, **kwargs)

    monkeypatch.setattr(processing, "build_order", crashing_once_in_the_second_batch)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)  # the queued job is due
    runner = JobRunner(
        app.state.db, jobs, {IMPORT_JOB: ImportJob(app.state.db, app.state.outbox)}, clock=lambda: now
    )

    assert await runner.run_next()  # attempt 1: the first batch, then the crash
    now += dt.timedelta(minutes=1)  # past the retry pause
    assert await runner.run_next()  # attempt 2 resumes after the first batch

    done = (await client.get(f"/v1/order-imports/{queued_import}", headers=user_headers())).json()
    assert (done["status"], done["orders_created"], done["rows_read"], done["errors"]) == ("done", 5, 5, [])
    listed = (await client.get(f"/v1/stores/{manual_store}/orders", headers=user_headers())).json()["items"]
    assert len(listed) == 5
    assert not await runner.run_next()  # the job is gone


async def test_an_import_that_is_done_is_not_run_again(app, client, user_headers, queued_import):
    await processing.run_import(app.state.db, app.state.outbox, queued_import)
    await processing.run_import(app.state.db, app.state.outbox, queued_import)

    done = (await client.get(f"/v1/order-imports/{queued_import}", headers=user_headers())).json()
    assert (done["orders_created"], done["orders_existing"]) == (5, 0)


async def test_a_job_given_up_leaves_the_import_failed_with_the_reason(
    app, client, user_headers, queued_import
):
    job = Job(
        id=uuid.uuid4(),
        kind="orders.import",
        payload={"import_id": str(queued_import)},
        attempt=5,
        max_attempts=5,
        created_at=dt.datetime.now(dt.UTC),
    )
    async with app.state.db.session() as session:
        await ImportJob(app.state.db, app.state.outbox).given_up(session, job, "OSError: disk full")

    failed = (await client.get(f"/v1/order-imports/{queued_import}", headers=user_headers())).json()
    assert failed["status"] == "failed"
    assert failed["failure_reason"] == "the import stopped after 0 rows: OSError: disk full"
