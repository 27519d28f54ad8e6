"""The raw baselines of `make bench`, measured in the same run on the same machine as the suite's figures:
how many committed PostgreSQL inserts of a row like the webhook intake's (`webhook_deliveries`: ids, topic,
headers as JSON, the 2.5 kB body) a client makes a second, over one connection and over several; and how
many persistent messages RabbitMQ confirms a second to one publisher (publisher confirms, a durable quorum
queue as the services' queues are), one at a time and with a window in flight (as the outbox relay
publishes a batch and waits for all its confirms). Neither does any of the suite's work: no HTTP, no
signature, no ORM, no event. The suite's figure as a share of these says how much of the machine's
storage and broker capacity it turns into work.

Each uses a database (and a vhost) of its own, dropped afterwards."""

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import aio_pika
import asyncpg

from printbridge import bench_orders, bench_webhooks

SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_RAW_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("PRINTBRIDGE_BENCH_RAW_CONNECTIONS", "16"))
# Messages a publisher has in flight at once in the windowed run (the outbox relay's batch is 100).
WINDOW = 100

TABLE = """
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    platform varchar(20) NOT NULL,
    topic varchar(100) NOT NULL,
    change_key varchar(200) NOT NULL,
    headers json NOT NULL,
    body bytea NOT NULL,
    received_at timestamptz NOT NULL,
    outcome varchar(20) NOT NULL,
    error text
);
CREATE UNIQUE INDEX uq_webhook_deliveries_change ON webhook_deliveries (store_id, change_key);
CREATE INDEX ix_webhook_deliveries_received_at ON webhook_deliveries (received_at);
"""
INSERT = (
    "INSERT INTO webhook_deliveries (id, store_id, platform, topic, change_key, headers, body, received_at, "
    "outcome) VALUES ($1, $2, 'shopify', $3, $4, $5, $6, now(), 'published')"
)


@dataclass(frozen=True)
class RawResult:
    """One baseline: what was done (`operation`), over how many connections or with how many in flight,
    how many a second."""

    system: str
    operation: str
    parallel: int
    per_second: float
    count: int


def _samples() -> Iterator[tuple[bytes, str]]:
    """Bodies and headers of the webhook bench's deliveries, in turn."""
    items = list(bench_webhooks.deliveries(200, "bench-raw.myshopify.com", "shpss_bench_raw"))
    while True:
        for item in items:
            yield item.body, json.dumps(item.headers)


async def postgres_inserts(admin_url: str, connections: int, seconds: float = SECONDS) -> RawResult:
    """Committed single-row inserts (autocommit: each is its own transaction) for `seconds` over
    `connections` connections at once, in a fresh database."""
    name = f"pb_bench_raw_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
        setup = await asyncpg.connect(url)
        await setup.execute(TABLE)
        await setup.close()
        pool = [await asyncpg.connect(url) for _ in range(connections)]
        samples = _samples()
        store_id = uuid.uuid4()
        deadline = time.monotonic() + seconds
        counts = [0] * connections

        async def insert_until_deadline(index: int, connection: asyncpg.Connection) -> None:
            statement = await connection.prepare(INSERT)
            while time.monotonic() < deadline:
                body, headers = next(samples)
                change_key = uuid.uuid4().hex
                await statement.fetch(uuid.uuid4(), store_id, bench_webhooks.TOPIC, change_key, headers, body)
                counts[index] += 1

        started = time.monotonic()
        await asyncio.gather(*(insert_until_deadline(i, c) for i, c in enumerate(pool)))
        elapsed = time.monotonic() - started
        stored = await pool[0].fetchval("SELECT count(*) FROM webhook_deliveries")
        for connection in pool:
            await connection.close()
        if stored != sum(counts):
            raise RuntimeError(f"{sum(counts)} inserts returned but {stored} rows stored")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    total = sum(counts)
    return RawResult(
        "postgresql", "committed insert of a webhook delivery row", connections, total / elapsed, total
    )


async def rabbitmq_publishes(amqp_url: str, window: int, seconds: float = SECONDS) -> RawResult:
    """Persistent messages of the webhook body's size published to a durable quorum queue by one
    publisher with confirms, `window` awaiting their confirm at once, for `seconds`."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue_name = f"pb_bench_raw_{uuid.uuid4().hex[:8]}"
        queue = await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        body = next(_samples())[0]
        count = 0
        deadline = time.monotonic() + seconds
        started = time.monotonic()

        async def publish() -> None:
            message = aio_pika.Message(
                body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json"
            )
            await channel.default_exchange.publish(message, routing_key=queue_name)

        while time.monotonic() < deadline:
            await asyncio.gather(*(publish() for _ in range(window)))
            count += window
        elapsed = time.monotonic() - started
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    return RawResult("rabbitmq", "confirmed persistent publish", window, count / elapsed, count)


def run(admin_url: str) -> list[RawResult]:
    """Every baseline, one after the other: PostgreSQL over one connection and over `CONNECTIONS`, and
    RabbitMQ one message at a time and with `WINDOW` in flight (on a vhost of its own)."""
    results = []
    for connections in (1, CONNECTIONS):
        results.append(asyncio.run(postgres_inserts(admin_url, connections)))
        print(_line(results[-1]))
    with bench_orders.own_vhost(f"pb-bench-raw-{uuid.uuid4().hex[:8]}") as amqp_url:
        for window in (1, WINDOW):
            results.append(asyncio.run(rabbitmq_publishes(amqp_url, window)))
            print(_line(results[-1]))
    return results


def _line(result: RawResult) -> str:
    return f"raw {result.system:10} {result.operation:45} x{result.parallel:<3} {result.per_second:8.0f}/s"


def best(results: list[RawResult], system: str) -> RawResult | None:
    """The system's highest figure of this run."""
    mine = [r for r in results if r.system == system]
    return max(mine, key=lambda r: r.per_second) if mine else None


# The aim for each service process at rest (issue 13).
IDLE_RSS_AIM_MB = 150


@dataclass(frozen=True)
class ProcessMemory:
    """One process of the suite at rest: the service it runs (`gateway` for nginx, `supervisor` for
    run-dist itself), its role (a service's uvicorn parent or one of its workers) and its resident set."""

    service: str
    role: str
    pid: int
    rss_mb: float


def idle_rss(root_pid: int) -> list[ProcessMemory]:
    """VmRSS of every descendant of `root_pid` (a `printbridge run-dist`) and of itself, by service."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                commands[int(entry.name)] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parents[int(entry.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    found = []
    for pid in sorted(commands):
        chain = [pid]
        while chain[-1] != root_pid and chain[-1] in parents and len(chain) < 64:
            chain.append(parents[chain[-1]])
        if chain[-1] != root_pid:
            continue
        service, role = _service_of(chain, commands)
        rss = _vm_rss_mb(pid)
        if rss is not None:
            found.append(ProcessMemory(service, role, pid, rss))
    return found


def _service_of(chain: list[int], commands: dict[int, str]) -> tuple[str, str]:
    """The service of the first process in `chain` (itself, then its ancestors): the nearest that runs
    `printbridge serve NAME`; a process below that one is one of its workers."""
    for depth, pid in enumerate(chain):
        command = commands.get(pid, "")
        if " serve " in command:
            return command.split(" serve ", 1)[1].split()[0], "worker" if depth else "main"
        if command.startswith("nginx"):
            return "gateway", "nginx"
        if " run-dist" in command:
            return "supervisor", "run-dist"
    return "other", "?"


def _vm_rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
