"""The CSV order import part of `make bench`: a 100,000-row file (50,000 orders of two line items each)
imported into a manual store on SQLite (embedded) and on PostgreSQL (distributed), the same code the job
and `printbridge orders import` run. Each run is a process of its own, so its peak resident memory is the
import's: it is measured before (the file written, the database migrated) and after the import."""

import asyncio
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

ROWS = int(os.environ.get("PRINTBRIDGE_BENCH_IMPORT_ROWS", "100000"))
GOAL_SECONDS = 30.0
COLUMNS = (
    "order_reference,currency,email,ship_first_name,ship_last_name,ship_address1,ship_city,ship_zip,"
    "ship_country_code,ship_phone,product_uid,quantity,unit_price,file_front,option_paper"
).split(",")


@dataclass(frozen=True)
class ImportResult:
    database: str
    rows: int
    orders: int
    megabytes: float
    seconds: float
    cpu_seconds: float
    rss_before_mb: float
    rss_peak_mb: float
    load_average: float  # of the machine (1 minute) when the import started

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number in range(rows):
            order = number // 2
            writer.writerow(
                [
                    f"PO-{order:07d}",
                    "EUR",
                    f"buyer{order}@example.com",
                    "Anna",
                    "Muster",
                    f"Hauptstraße {order % 200 + 1}",
                    "Berlin",
                    "10115",
                    "DE",
                    "+49 30 1234567",
                    "poster_a2" if number % 2 == 0 else "mug_white",
                    str(number % 4 + 1),
                    "24.95",
                    f"https://files.example.com/{order}/front.pdf",
                    "matte",
                ]
            )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


async def _run(url: str, path: Path, megabytes: float) -> ImportResult:
    from orders.imports.processing import run_import
    from orders.imports.service import CHUNK_BYTES, create_import
    from orders.main import MIGRATIONS
    from orders.models import OrderImport, Store, messaging
    from printbridge_shared.db import Database, utcnow
    from printbridge_shared.events.outbox import Outbox
    from printbridge_shared.migrations import upgrade

    await upgrade(MIGRATIONS, url)
    db = Database(url)
    store = Store(
        store_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        platform="manual",
        name="Bench spreadsheet",
        status="connected",
        updated_at=utcnow(),
    )
    async with db.session() as session:
        session.add(store)

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk

    before, load = _rss_mb(), os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    async with db.session() as session:
        record = await create_import(session, store, chunks(), filename=path.name, run_at=utcnow())
    await run_import(db, Outbox(messaging.outbox, "orders"), record.id)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    async with db.read_session() as session:
        done = await session.get(OrderImport, record.id)
        assert done is not None and done.rows_failed == 0, done and done.errors_total
        orders = done.orders_created
    await db.dispose()
    database = "sqlite" if url.startswith("sqlite") else "postgresql"
    return ImportResult(database, ROWS, orders, megabytes, seconds, cpu_seconds, before, peak, load)


def measure(database: str, workdir: Path, postgres_admin: str) -> ImportResult:
    """One import in a fresh process on a fresh database (`sqlite` or `postgresql`)."""
    out = subprocess.run(
        [sys.executable, "-m", "printbridge.bench_import", database, str(workdir), postgres_admin],
        check=True,
        capture_output=True,
        text=True,
    )
    return ImportResult(**json.loads(out.stdout.strip().splitlines()[-1]))


async def _postgres_database(admin: str, name: str, *, drop: bool) -> None:
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"' if drop else f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def lines(results: list[ImportResult]) -> list[str]:
    """The report's section."""
    rows = [
        "",
        "## CSV order import",
        "",
        f"One file of {ROWS:,} rows (orders of two line items, 15 columns) imported into a manual store",
        "by the import job's code (`printbridge/bench_import.py`), each run in a fresh process on a fresh",
        "database; resident memory is read before the import (file written, database migrated, modules",
        f"loaded) and at its peak. Goal: ≤ {GOAL_SECONDS:.0f} s on this machine, memory flat. `cpu s` is the",
        "import process's own CPU time (the database server's is not in it): on a machine shared with",
        "other work the wall time grows, the CPU time does not. `load` is the machine's load average",
        f"(1 minute, {os.cpu_count()} cores) when the import started. Measured "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "| database | rows | orders | file MB | seconds | cpu s | rows/s | RSS before MB | RSS peak MB "
        "| load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r.database} | {r.rows:,} | {r.orders:,} | {r.megabytes:.1f} | {r.seconds:.1f} | "
            f"{r.cpu_seconds:.1f} | {r.rows_per_second:,.0f} | {r.rss_before_mb:.0f} | {r.rss_peak_mb:.0f} | "
            f"{r.load_average:.1f} |"
        )
    return rows


def run_all(workdir: Path, postgres_admin: str) -> list[ImportResult]:
    results = [measure(database, workdir, postgres_admin) for database in ("sqlite", "postgresql")]
    for r in results:
        print(
            f"csv import, {r.database}: {r.rows:,} rows in {r.seconds:.1f} s, peak RSS {r.rss_peak_mb:.0f} MB"
        )
    return results


def write_section(report: Path, results: list[ImportResult]) -> None:
    """Puts the section into docs/benchmarks.md, in place of the one there (a run of `bench imports`
    alone leaves the rest of the page as it was)."""
    text = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n"
    heading = "\n## CSV order import\n"
    before, _found, after = text.partition(heading)
    rest = after.partition("\n## ")
    tail = ("\n## " + rest[2]) if rest[1] else ""
    report.write_text(before.rstrip("\n") + "\n" + "\n".join(lines(results)) + "\n" + tail, encoding="utf-8")


def main() -> None:
    database, workdir, admin = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    path = workdir / "orders-import.csv"
    if not path.exists():
        write_file(path, ROWS)
    megabytes = path.stat().st_size / 1024**2
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'orders-{uuid.uuid4().hex}.db'}"
        result = asyncio.run(_run(url, path, megabytes))
    else:
        name = f"printbridge_bench_import_{uuid.uuid4().hex[:8]}"
        asyncio.run(_postgres_database(admin, name, drop=False))
        try:
            base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
            result = asyncio.run(_run(f"{base}/{name}", path, megabytes))
        finally:
            asyncio.run(_postgres_database(admin, name, drop=True))
    print(json.dumps(result.__dict__))


if __name__ == "__main__":
    main()
