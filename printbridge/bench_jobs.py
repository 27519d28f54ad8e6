"""`python -m printbridge.bench jobs`: how many jobs a second one job runner completes at each concurrency,
for jobs like a postback: `prepare` reads in a transaction, `perform` POSTs to an HTTP receiver on this
machine that answers after `RECEIVER_MS` (a producer's endpoint is never instant), and the outcome is
recorded in the transaction that completes the job. On PostgreSQL, in a database of its own. The same
jobs at concurrency 1 and higher, one after the other in the same minute: the ratio between them does not
depend on how busy the machine is the way absolute figures do."""

import asyncio
import os
import time
import uuid
from typing import Any

import asyncpg
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from printbridge_shared.db import Database, make_metadata
from printbridge_shared.jobs import Job, JobHandler, JobRunner, enqueue, job_tables

JOBS = int(os.environ.get("PRINTBRIDGE_BENCH_JOBS", "400"))
CONCURRENCIES = tuple(
    int(c) for c in os.environ.get("PRINTBRIDGE_BENCH_JOB_CONCURRENCY", "1,4,8,16").split(",")
)
RECEIVER_MS = 20.0
KIND = "bench.post"


class Post(JobHandler[dict[str, Any]]):
    def __init__(self, http: httpx.AsyncClient, url: str) -> None:
        self.http = http
        self.url = url

    async def perform(self, job: Job, prepared: dict[str, Any]) -> None:
        response = await self.http.post(self.url, json=prepared)
        response.raise_for_status()


async def _receiver(request: Request) -> Response:
    await request.body()
    await asyncio.sleep(RECEIVER_MS / 1000)
    return Response(status_code=200)


async def measure(admin_url: str, receiver_url: str) -> dict[int, float]:
    """Jobs completed a second by one runner at each concurrency."""
    name = f"pb_bench_jobs_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    rates: dict[int, float] = {}
    try:
        db = Database(
            f"{admin_url.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        )
        metadata = make_metadata()
        tables = job_tables(metadata)
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with httpx.AsyncClient(timeout=30) as http:
            for concurrency in CONCURRENCIES:
                async with db.session() as session:
                    for n in range(JOBS):
                        await enqueue(session, tables, KIND, {"n": n})
                runner = JobRunner(db, tables, {KIND: Post(http, receiver_url)}, concurrency=concurrency)
                started = time.perf_counter()
                done = await runner.run_due()
                rates[concurrency] = done / (time.perf_counter() - started)
                print(f"jobs at concurrency {concurrency:3d}: {rates[concurrency]:7.1f}/s ({done} jobs)")
        await db.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return rates


def run(admin_url: str) -> dict[int, float]:
    from printbridge_sandbox.serving import running
    from printbridge_shared.logging import configure_logging

    configure_logging("WARNING")  # a log line per job start and end would be most of the work

    with running(Starlette(routes=[Route("/hook", _receiver, methods=["POST"])])) as url:
        return asyncio.run(measure(admin_url, f"{url}/hook"))
