"""The order part of `make bench` (issue 11), in the distributed mode: how long a Shopify order takes from
its `orders/create` webhook to `routed` at steady rates, and how many production status updates the
production API takes through the gateway.

Set up once through the public API, against the Shopify sandbox: a catalog product, a shop connected
for a new customer, one product of one variant synced, and that variant mapped with an uploaded PDF
until mapping calls it `mapped`. Then, rate by rate (10, 25, 50, 100, … orders a second, each for
`STEP_SECONDS`), signed `orders/create` deliveries whose lines name that variant are sent on a fixed
schedule (open loop: a slow answer does not delay the next send). Each order's latency is its routed
time (`orders.status_changed_at`, stamped by the orders service when resolution routes it) less its
send time; both are this machine's clock. An order not routed within `DRAIN_SECONDS` of the last send
counts as never routed. The search stops at the first rate whose p99 exceeds a second, or at 667/s (the
goal: Shopify's whole Black-Friday peak a second). Per order the hops come from the services' own
stamps: the delivery's `received_at` in connectors, its `shop_order.received` event's `published_at`
in connectors' outbox, the order's `created_at` in orders. The suite runs on a RabbitMQ vhost of its
own (`own_vhost`), so no other run on the broker takes its events.

Then the routed orders are taken through production (claim, in_production, printed, shipped with
tracking, delivered) by `STATUS_CONCURRENCY` clients at once through the gateway with an operator token,
for `STATUS_SECONDS`."""

import asyncio
import contextlib
import dataclasses
import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import asyncpg
import httpx

from printbridge import bench_webhooks
from printbridge_shared.routes import SERVICES
from printbridge_shared.testing import free_port

RATES = tuple(
    int(r) for r in os.environ.get("PRINTBRIDGE_BENCH_ORDER_RATES", "10,25,50,100,200,400,667").split(",")
)
STEP_SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_ORDER_SECONDS", "20"))
# After the last send of a rate, how long its orders may still take to be routed (later: never routed).
DRAIN_SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_ORDER_DRAIN_SECONDS", "90"))
# Connections the sender may hold open; more sends in flight wait for one (and that wait is latency too).
SEND_CONNECTIONS = 128
# Before the status updates, how long to wait at most for a backlog of orders to be taken in.
SETTLE_SECONDS = 120.0
STATUS_SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_STATUS_SECONDS", "20"))
STATUS_CONCURRENCY = int(os.environ.get("PRINTBRIDGE_BENCH_STATUS_CONCURRENCY", "32"))
GOAL_RATE = 667
GOAL_P99_SECONDS = 1.0
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
SHOP = "bench-orders.myshopify.com"
SKU = "BENCH-FLYER-A5"
HOPS = ("accepted by connectors", "published by connectors", "taken in by orders", "routed by orders")
# The process groups whose CPU the report shows (`all`: the whole machine).
CPU_GROUPS = ("orders", "connectors", "mapping", "postgresql", "rabbitmq", "gateway", "bench", "other", "all")
CATALOG_PRODUCT = {
    "product_uid": "bench_orders_flyer_a5",
    "name": "Flyer A5",
    "type": "flyer",
    "attributes": {"paper": ["matte", "gloss"]},
    "print_areas": [
        {"name": "front", "formats": ["pdf"], "trim_width_mm": 148, "trim_height_mm": 210, "bleed_mm": 3}
    ],
}
# What production reports for each order, in turn, after claiming it.
STEPS: tuple[dict[str, object], ...] = (
    {"status": "in_production"},
    {"status": "printed"},
    {"status": "shipped", "tracking": {"number": "00340434161094042557", "company": "DHL"}},
    {"status": "delivered"},
)


@dataclass(frozen=True)
class Variant:
    """The synced shop variant the bench's orders name."""

    id: str  # mapping's shop variant id
    external_id: str  # Shopify's variant id
    external_product_id: str


@dataclass(frozen=True)
class Sent:
    order_id: str  # Shopify's order id (the order's external id)
    event_id: str  # X-Shopify-Event-Id (connectors keeps the delivery under it)
    at: float  # wall clock (time.time()), the clock the services stamp with
    status: int  # the HTTP status; 0 when no answer came
    seconds: float


@dataclass(frozen=True)
class Step:
    rate: int
    sent: int
    sent_per_second: float  # as achieved by the sender
    answered_ok: int
    routed: int
    on_hold: int
    # How many orders got this far: stored by connectors, published by its outbox, taken in by orders.
    received: int
    published: int
    taken_in: int
    p50: float  # seconds from the send to routed; inf for an order never routed
    p99: float
    answer_p50: float  # the webhook's HTTP answer
    answer_p99: float
    hops: dict[str, tuple[float, float]]  # hop → (p50, p99) in seconds, of the routed orders
    cpu: dict[str, float]  # process group → CPU seconds from the first send to the last order routed
    window: float  # those seconds of wall time
    load: float  # the machine's 1-minute load average when the step started

    @property
    def passed(self) -> bool:
        return self.p99 <= GOAL_P99_SECONDS

    def cores(self, group: str) -> float:
        return self.cpu.get(group, 0.0) / self.window

    def cpu_ms_per_order(self, group: str) -> float:
        return self.cpu.get(group, 0.0) / self.sent * 1000


@dataclass(frozen=True)
class StatusRun:
    orders: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    by_operation: dict[str, tuple[int, float, float]]  # operation → (requests, p50 ms, p99 ms)
    cpu: dict[str, float] = field(default_factory=dict)  # process group → CPU seconds during the run

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class OrdersResult:
    steps: list[Step]
    status: StatusRun
    setup_seconds: float
    measured_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def best(self) -> Step | None:
        """The highest steady rate whose p99 was within the goal."""
        passed = [step for step in self.steps if step.passed]
        return max(passed, key=lambda step: step.rate) if passed else None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (inf counts as the largest value); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def flyer_pdf() -> bytes:
    """An A5 page with 3 mm bleed on every side (154 x 216 mm), which passes the catalog product's
    checks."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(154 / 25.4 * 72, 216 / 25.4 * 72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _wait(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} not done within {within} s")
        time.sleep(0.2)


def mapped_variant(base: str, headers: dict[str, str], store_id: str) -> Variant:
    """The shop's one variant once synced, mapped to the catalog product with an uploaded design file,
    once mapping calls it `mapped` (its file checked and passed)."""
    found: list[Variant] = []

    def synced() -> bool:
        page = httpx.get(f"{base}/v1/stores/{store_id}/products", headers=headers, timeout=30)
        page.raise_for_status()
        found.extend(
            Variant(v["id"], v["external_id"], p["external_id"])
            for p in page.json()["items"]
            for v in p["variants"]
            if v["sku"] == SKU
        )
        return bool(found)

    _wait(synced, 120, "the product sync")
    variant = found[0]
    store = httpx.get(f"{base}/v1/stores/{store_id}", headers=headers, timeout=30).json()
    uploaded = httpx.post(
        f"{base}/v1/files",
        data={"customer_id": store["customer_id"]},
        files={"file": ("flyer.pdf", flyer_pdf(), "application/pdf")},
        headers=headers,
        timeout=60,
    )
    if uploaded.status_code != 201:
        raise SystemExit(f"the design file was refused: {uploaded.status_code} {uploaded.text[:500]}")
    spec = {
        "product_uid": CATALOG_PRODUCT["product_uid"],
        "attributes": {"paper": "matte"},
        "files": {"front": uploaded.json()["url"]},
    }
    mapped = httpx.put(
        f"{base}/v1/shop-variants/{variant.id}/mapping", json=spec, headers=headers, timeout=30
    )
    if mapped.status_code != 200:
        raise SystemExit(f"the mapping was refused: {mapped.status_code} {mapped.text[:500]}")

    def is_mapped() -> bool:
        found_variant = httpx.get(f"{base}/v1/shop-variants/{variant.id}", headers=headers, timeout=30).json()
        return bool(found_variant["mapping_status"] == "mapped")

    _wait(is_mapped, 120, "the variant's mapping")
    return variant


def orders_of(variant: Variant, count: int, secret: str, seed: int) -> list[bench_webhooks.Delivery]:
    """`count` signed deliveries (bench_webhooks' realistic orders of 1 to 3 lines) whose every line names
    the mapped variant."""

    def point_at_variant(order: dict[str, object]) -> None:
        for line in cast(list[dict[str, object]], order["line_items"]):
            line.update(
                {
                    "product_id": int(variant.external_product_id),
                    "variant_id": int(variant.external_id),
                    "sku": SKU,
                    "title": "Flyer",
                    "variant_title": "A5",
                    "name": "Flyer - A5",
                }
            )

    return list(bench_webhooks.deliveries(count, SHOP, secret, seed=seed, adjust=point_at_variant))


async def _send(client: httpx.AsyncClient, delivery: bench_webhooks.Delivery) -> Sent:
    at, began = time.time(), time.perf_counter()
    try:
        response = await client.post(bench_webhooks.PATH, content=delivery.body, headers=delivery.headers)
        status = response.status_code
    except httpx.HTTPError:
        status = 0
    return Sent(
        delivery.headers["X-Shopify-Order-Id"],
        delivery.headers["X-Shopify-Event-Id"],
        at,
        status,
        time.perf_counter() - began,
    )


async def send_steadily(base: str, items: list[bench_webhooks.Delivery], rate: float) -> list[Sent]:
    """Sends `items` at `rate` a second on a fixed schedule, whatever the answers take."""
    limits = httpx.Limits(max_connections=SEND_CONNECTIONS, max_keepalive_connections=SEND_CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        began = time.perf_counter()
        tasks = []
        for index, item in enumerate(items):
            delay = began + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_send(client, item)))
        return list(await asyncio.gather(*tasks))


def _stamp(value: dt.datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


async def _drained(
    orders_url: str, store_id: str, order_ids: list[str], expected: int, within: float
) -> None:
    """Waits until `expected` of the orders are routed, or `within` seconds have passed."""
    connection = await asyncpg.connect(orders_url)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            routed = await connection.fetchval(
                "SELECT count(*) FROM orders WHERE store_id = $1 AND external_id = ANY($2::text[]) "
                "AND status = 'routed'",
                uuid.UUID(store_id),
                order_ids,
            )
            if routed >= expected:
                return
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


@dataclass(frozen=True)
class Stamps:
    """Per order (by external id): what the services stamped."""

    received: dict[str, float]  # connectors: the delivery arrived
    published: dict[str, float]  # connectors: its shop_order.received event left the outbox
    created: dict[str, float]  # orders: the order was taken in
    routed: dict[str, float]  # orders: resolution routed it
    on_hold: int


def _stamped(rows: list[asyncpg.Record], column: str) -> dict[str, float]:
    found = {row["external_id"]: _stamp(row[column]) for row in rows}
    return {external_id: at for external_id, at in found.items() if at is not None}


async def stamps(
    connectors_url: str, orders_url: str, store_id: str, sent: list[Sent], since: float
) -> Stamps:
    order_ids = [s.order_id for s in sent]
    # Connectors keeps a delivery under its topic and X-Shopify-Event-Id.
    by_key = {f"{bench_webhooks.TOPIC}:{s.event_id}": s.order_id for s in sent}
    wanted = set(order_ids)
    connection = await asyncpg.connect(connectors_url)
    try:
        deliveries = await connection.fetch(
            "SELECT change_key, received_at FROM webhook_deliveries WHERE change_key = ANY($1::text[])",
            list(by_key),
        )
        events = await connection.fetch(
            "SELECT envelope, published_at FROM outbox WHERE event_type = 'shop_order.received' "
            "AND published_at >= $1",
            dt.datetime.fromtimestamp(since, dt.UTC),
        )
    finally:
        await connection.close()
    received = {by_key[r["change_key"]]: _stamp(r["received_at"]) for r in deliveries}
    published: dict[str, float | None] = {}
    for event in events:
        external_id = json.loads(event["envelope"])["data"]["external_id"]
        if external_id in wanted:
            published[external_id] = _stamp(event["published_at"])
    connection = await asyncpg.connect(orders_url)
    try:
        rows = await connection.fetch(
            "SELECT external_id, status, created_at, status_changed_at FROM orders "
            "WHERE store_id = $1 AND external_id = ANY($2::text[])",
            uuid.UUID(store_id),
            order_ids,
        )
    finally:
        await connection.close()
    return Stamps(
        received={k: v for k, v in received.items() if v is not None},
        published={k: v for k, v in published.items() if v is not None},
        created=_stamped(rows, "created_at"),
        routed=_stamped([r for r in rows if r["status"] == "routed"], "status_changed_at"),
        on_hold=sum(1 for r in rows if r["status"] == "on_hold"),
    )


def hops(sent: list[Sent], found: Stamps) -> dict[str, tuple[float, float]]:
    """p50 and p99 of each hop, over the orders routed (a hop whose stamps are missing is left out)."""
    spans: dict[str, list[float]] = {hop: [] for hop in HOPS}
    for s in sent:
        if s.order_id not in found.routed:
            continue
        chain = [
            s.at,
            found.received.get(s.order_id),
            found.published.get(s.order_id),
            found.created.get(s.order_id),
            found.routed[s.order_id],
        ]
        for hop, start, end in zip(HOPS, chain[:-1], chain[1:], strict=True):
            if start is not None and end is not None:
                spans[hop].append(end - start)
    return {hop: (percentile(v, 0.50), percentile(v, 0.99)) for hop, v in spans.items()}


def cpu_jiffies() -> dict[str, int]:
    """CPU time (user + system, in clock ticks) of this machine's processes by group: each suite service,
    the gateway (nginx), PostgreSQL, RabbitMQ, the bench itself (its load loop and the Shopify sandbox
    thread), everything else (`other`: work of other users), and the machine's total (`all`)."""
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            used[pid] = int(fields[11]) + int(fields[12])
            names[pid] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    groups: dict[str, int] = {}
    for pid, ticks in used.items():
        group = _group(pid, parents, names)
        groups[group] = groups.get(group, 0) + ticks
    with open("/proc/stat") as stat_file:
        cpu = [int(v) for v in stat_file.readline().split()[1:]]
    groups["all"] = sum(cpu) - cpu[3] - cpu[4]  # less idle and iowait
    return groups


def _group(pid: int, parents: dict[int, int], names: dict[int, str]) -> str:
    """The group of a process. The suite's processes are this one's descendants (run-dist, its
    services and their uvicorn workers, nginx): each counts for the nearest of its ancestors that names
    a service. PostgreSQL and RabbitMQ are the machine's own servers; anything else, other runs' services
    included, is `other`."""
    command = names.get(pid, "")
    if pid == os.getpid():
        return "bench"
    if command.startswith("postgres"):
        return "postgresql"
    if "beam.smp" in command or "rabbitmq" in command:
        return "rabbitmq"
    label = None
    for _ in range(64):
        command = names.get(pid, "")
        if label is None and " serve " in command:
            label = command.split(" serve ", 1)[1].split()[0]
        elif label is None and command.startswith("nginx"):
            label = "gateway"
        elif label is None and " run-dist" in command:
            label = "supervisor"
        pid = parents.get(pid, 0)
        if pid == os.getpid():
            return label or "bench"
        if pid not in names:
            return "other"
    return "other"


def cpu_seconds(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    """CPU seconds by group between two `cpu_jiffies`; `other` is the machine's total less the groups'."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {g: (after.get(g, 0) - before.get(g, 0)) / ticks for g in set(before) | set(after)}
    used["other"] = used.get("all", 0.0) - sum(v for g, v in used.items() if g not in ("all", "other"))
    return {g: v for g, v in sorted(used.items(), key=lambda kv: -kv[1]) if v > 0}


def measure_rate(
    base: str,
    rate: int,
    items: list[bench_webhooks.Delivery],
    store_id: str,
    connectors_url: str,
    orders_url: str,
) -> Step:
    load = os.getloadavg()[0]
    cpu_before, began = cpu_jiffies(), time.time()
    sent = asyncio.run(send_steadily(base, items, rate))
    ok = [s for s in sent if 200 <= s.status < 300]
    asyncio.run(_drained(orders_url, store_id, [s.order_id for s in ok], len(ok), DRAIN_SECONDS))
    cpu_after, ended = cpu_jiffies(), time.time()
    found = asyncio.run(stamps(connectors_url, orders_url, store_id, sent, began - 1))
    latencies = [found.routed[s.order_id] - s.at if s.order_id in found.routed else math.inf for s in sent]
    first, last = min(s.at for s in sent), max(s.at for s in sent)
    answers = [s.seconds for s in sent]
    step = Step(
        rate=rate,
        sent=len(sent),
        sent_per_second=(len(sent) - 1) / (last - first) if last > first else math.nan,
        answered_ok=len(ok),
        routed=len(found.routed),
        on_hold=found.on_hold,
        received=len(found.received),
        published=len(found.published),
        taken_in=len(found.created),
        p50=percentile(latencies, 0.50),
        p99=percentile(latencies, 0.99),
        answer_p50=percentile(answers, 0.50),
        answer_p99=percentile(answers, 0.99),
        hops=hops(sent, found),
        cpu=cpu_seconds(cpu_before, cpu_after),
        window=ended - began,
        load=load,
    )
    print(
        f"orders {rate:4d}/s (sent {step.sent_per_second:6.1f}/s): {step.answered_ok} answered 2xx, "
        f"{step.received} stored by connectors, {step.published} published, {step.taken_in} taken in, "
        f"{step.routed}/{step.sent} routed, {step.on_hold} on hold, "
        f"p50 {step.p50:.3f} s, p99 {step.p99:.3f} s ({'ok' if step.passed else 'over 1 s'}); "
        f"webhook answer p99 {step.answer_p99 * 1000:.0f} ms; "
        + ", ".join(f"{h} p99 {v[1] * 1000:.0f} ms" for h, v in step.hops.items())
    )
    print("  cores busy: " + ", ".join(f"{group} {step.cores(group):.2f}" for group in step.cpu))
    return step


def _warm_up(base: str, variant: Variant, secret: str, store_id: str, orders_url: str) -> None:
    """One order through the whole way first: the catalog product must be known to orders, and an order
    that goes on hold means the setup is wrong (its reasons are shown)."""
    (item,) = orders_of(variant, 1, secret, seed=10_000)
    (sent,) = asyncio.run(send_steadily(base, [item], 1))
    if sent.status != 200:
        raise SystemExit(f"the first webhook was refused: {sent.status}")

    async def status() -> tuple[str | None, object]:
        connection = await asyncpg.connect(orders_url)
        try:
            row = await connection.fetchrow(
                "SELECT status, hold_reasons FROM orders WHERE store_id = $1 AND external_id = $2",
                uuid.UUID(store_id),
                sent.order_id,
            )
        finally:
            await connection.close()
        return (row["status"], row["hold_reasons"]) if row else (None, None)

    deadline = time.monotonic() + 60
    while (found := asyncio.run(status()))[0] != "routed":
        if time.monotonic() > deadline:
            raise SystemExit(f"the first order was not routed within 60 s: {found}")
        time.sleep(0.5)


async def _routed_order_ids(orders_url: str, store_id: str) -> list[uuid.UUID]:
    """The store's routed orders, once the orders service has stopped taking any in (a rate over the goal
    leaves a backlog that would otherwise still be worked off beside the status updates)."""
    connection = await asyncpg.connect(orders_url)
    try:
        last, deadline = -1, time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            count = await connection.fetchval(
                "SELECT count(*) FROM orders WHERE store_id = $1 AND status = 'routed'", uuid.UUID(store_id)
            )
            if count == last:
                break
            last = count
            await asyncio.sleep(2)
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE store_id = $1 AND status = 'routed' ORDER BY status_changed_at",
            uuid.UUID(store_id),
        )
    finally:
        await connection.close()
    return [row["id"] for row in rows]


async def status_updates(base: str, token: str, order_ids: list[uuid.UUID]) -> StatusRun:
    """Each of `STATUS_CONCURRENCY` clients takes the next routed order, claims it and reports its steps
    one after the other, until `STATUS_SECONDS` have passed (a request is not started after that)."""
    queue = list(reversed(order_ids))
    samples: list[tuple[str, float, bool]] = []
    orders = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=STATUS_CONCURRENCY, max_keepalive_connections=STATUS_CONCURRENCY)
    began = time.perf_counter()
    deadline = began + STATUS_SECONDS

    async def request(client: httpx.AsyncClient, operation: str, path: str, body: object) -> bool:
        started = time.perf_counter()
        try:
            response = await client.post(path, json=body, headers=headers)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        samples.append((operation, time.perf_counter() - started, ok))
        return ok

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal orders
        while queue and time.perf_counter() < deadline:
            order_id = queue.pop()
            orders += 1
            if not await request(client, "claim", f"/v1/production/orders/{order_id}/claim", None):
                continue
            for body in STEPS:
                if time.perf_counter() >= deadline:
                    return
                if not await request(
                    client, f"status {body['status']}", f"/v1/orders/{order_id}/status", body
                ):
                    break

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(STATUS_CONCURRENCY)))
    seconds = time.perf_counter() - began
    if not queue:
        print("status updates: every routed order was used before the time was up")
    by_operation: dict[str, tuple[int, float, float]] = {}
    for operation in dict.fromkeys(op for op, _, _ in samples):
        times = [t * 1000 for op, t, _ in samples if op == operation]
        by_operation[operation] = (len(times), percentile(times, 0.50), percentile(times, 0.99))
    all_times = [t * 1000 for _, t, _ in samples]
    return StatusRun(
        orders=orders,
        requests=len(samples),
        seconds=seconds,
        errors=sum(1 for _, _, ok in samples if not ok),
        p50_ms=percentile(all_times, 0.50),
        p99_ms=percentile(all_times, 0.99),
        by_operation=by_operation,
    )


def _show_problems(log: Path, lines: int = 30) -> None:
    """The suite's last warnings and errors, when orders it accepted were not routed."""
    problems = [line for line in log.read_text(errors="replace").splitlines() if '"level": "' in line]
    problems = [line for line in problems if '"level": "warning"' in line or '"level": "error"' in line]
    print(f"orders accepted but not routed; the suite's last {lines} warnings and errors:")
    for line in problems[-lines:]:
        print("  " + line[:600])


@contextlib.contextmanager
def own_vhost(name: str) -> Iterator[str]:
    """The AMQP address of a RabbitMQ vhost of the bench's own, made with `rabbitmqctl` and deleted
    afterwards: every run-dist on a broker declares the same queues, so on the shared `/` another run
    (a colleague's end-to-end tests) consumes some of the bench's events and those orders never arrive.
    Without `rabbitmqctl` (a broker elsewhere) the bench uses `/` and says so."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        print("rabbitmqctl not found: the bench shares the broker's vhost / with any other run on it")
        yield AMQP_URL
        return
    for command in (["add_vhost", name], ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"]):
        subprocess.run([rabbitmqctl, *command], check=True, capture_output=True)
    try:
        yield AMQP_URL + urllib.parse.quote(name, safe="")
    finally:
        subprocess.run([rabbitmqctl, "delete_vhost", name], check=False, capture_output=True)


def _rate_steps() -> Iterator[int]:
    for rate in RATES:
        yield min(rate, GOAL_RATE)
        if rate >= GOAL_RATE:
            return


@dataclass(frozen=True)
class ShopSuite:
    """The distributed suite as the order benches use it: a Shopify sandbox shop connected for a
    customer, its one variant synced and mapped, and one order routed through the whole way."""

    base: str
    headers: dict[str, str]
    shopify: str
    secret: str  # the app's client secret, which signs the shop's webhooks
    store_id: str
    variant: Variant
    connectors_url: str
    orders_url: str
    log: Path
    setup_seconds: float


def add_postback_endpoint(suite: ShopSuite, url: str, description: str) -> str:
    """Adds a postback endpoint for every order at `url` through the public API; answers its secret."""
    endpoint = httpx.post(
        f"{suite.base}/v1/postbacks/endpoints",
        json={"url": url, "description": description},
        headers=suite.headers,
        timeout=30,
    )
    endpoint.raise_for_status()
    return str(endpoint.json()["secret"])


def prepare_shopify(shopify: str, base: str, name: str) -> tuple[dict[str, str], str]:
    """The Shopify sandbox ready for a suite at `base`: an app, the shop and its one product. The suite's
    settings that point at it, and the app's client secret (it signs the shop's webhooks)."""
    client_id, secret = "printbridge-bench", f"shpss_bench_{name}_" + uuid.uuid4().hex
    httpx.post(
        f"{shopify}/_sandbox/shopify/apps", json={"client_id": client_id, "client_secret": secret}
    ).raise_for_status()
    from printbridge.bench import create_shop

    create_shop(shopify, SHOP)
    product = {"title": "Flyer", "variants": [{"sku": SKU, "price": "19.00", "options": {"Size": "A5"}}]}
    httpx.post(f"{shopify}/_sandbox/shopify/shops/{SHOP}/products", json=product).raise_for_status()
    env = {
        "PRINTBRIDGE_SHOPIFY_ADMIN_URL": f"{shopify}/shops/{{shop}}",
        "PRINTBRIDGE_SHOPIFY_CLIENT_ID": client_id,
        "PRINTBRIDGE_SHOPIFY_CLIENT_SECRET": secret,
        "PRINTBRIDGE_ALLOW_PRIVATE_URLS": "true",
        "PRINTBRIDGE_PUBLIC_URL": base,
    }
    return env, secret


def set_up_shop(
    base: str,
    env: dict[str, str],
    shopify: str,
    secret: str,
    urls: tuple[str, str],
    log: Path,
    before_orders: Callable[[ShopSuite], None] | None = None,
) -> ShopSuite:
    """Through the public API of a running suite: an operator, the catalog product, the sandbox shop
    connected for a customer, its variant mapped, and one order routed the whole way. `urls`: the
    connectors and orders databases (asyncpg addresses); `before_orders` runs before that first order."""
    from printbridge.bench import connect_shop, login

    setup_began = time.monotonic()
    token = login(base, env)
    headers = {"Authorization": f"Bearer {token}"}
    httpx.post(
        f"{base}/v1/catalog/products", json=CATALOG_PRODUCT, headers=headers, timeout=30
    ).raise_for_status()
    store_id = connect_shop(base, token, shopify, SHOP)
    variant = mapped_variant(base, headers, store_id)
    suite = ShopSuite(
        base=base,
        headers=headers,
        shopify=shopify,
        secret=secret,
        store_id=store_id,
        variant=variant,
        connectors_url=urls[0],
        orders_url=urls[1],
        log=log,
        setup_seconds=0.0,
    )
    if before_orders is not None:
        before_orders(suite)
    _warm_up(base, variant, secret, store_id, suite.orders_url)
    return dataclasses.replace(suite, setup_seconds=time.monotonic() - setup_began)


@contextlib.contextmanager
def shop_suite(
    workdir: Path, name: str, *, before_orders: Callable[[ShopSuite], None] | None = None
) -> Iterator[ShopSuite]:
    """Starts `printbridge run-dist` (on a RabbitMQ vhost of its own, free ports) against a Shopify
    sandbox in this process and sets the shop up through the public API; `before_orders` runs before the
    first order is placed. The databases are dropped afterwards."""
    from printbridge.bench import BIN, database_url, distributed_env, drop_databases, started
    from printbridge_sandbox.serving import running
    from printbridge_sandbox.shopify.app import create_app as shopify_app

    env, names = distributed_env(workdir)
    # Free ports rather than the route table's, which another run-dist on this machine may hold.
    env |= {service.env_prefix + "PORT": str(free_port()) for service in SERVICES}
    # A machine busy with other work starts the processes slowly; the bench itself waits 300 s.
    env["PRINTBRIDGE_STARTUP_TIMEOUT_SECONDS"] = "280"
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    log = workdir / f"{name}.log"
    try:
        with (
            own_vhost(f"pb_bench_{name}_{uuid.uuid4().hex[:8]}") as amqp_url,
            running(shopify_app()) as shopify,
        ):
            env["PRINTBRIDGE_AMQP_URL"] = amqp_url
            shop_env, secret = prepare_shopify(shopify, base, name)
            env |= shop_env
            with started([str(BIN / "printbridge"), "run-dist"], env, f"{base}/healthz", log):
                urls = (database_url(names, "connectors"), database_url(names, "orders"))
                suite = set_up_shop(base, env, shopify, secret, urls, log, before_orders)
                print(f"{name} bench set up in {suite.setup_seconds:.0f} s: variant {suite.variant}")
                yield suite
    finally:
        drop_databases(names)


def run(workdir: Path) -> OrdersResult:
    from printbridge.bench import login_again

    steps: list[Step] = []
    with shop_suite(workdir, "orders") as suite:
        for seed, rate in enumerate(_rate_steps()):
            items = orders_of(suite.variant, int(rate * STEP_SECONDS), suite.secret, seed=seed)
            steps.append(
                measure_rate(suite.base, rate, items, suite.store_id, suite.connectors_url, suite.orders_url)
            )
            if not steps[-1].passed:
                break
        if any(step.routed < step.answered_ok for step in steps):
            _show_problems(suite.log)
        routed = asyncio.run(_routed_order_ids(suite.orders_url, suite.store_id))
        token = login_again(suite.base)  # the first may be near its end
        cpu_before = cpu_jiffies()
        status = asyncio.run(status_updates(suite.base, token, routed))
        status = dataclasses.replace(status, cpu=cpu_seconds(cpu_before, cpu_jiffies()))
        print(
            f"status updates: {status.requests_per_second:.0f} requests/s, "
            f"p50 {status.p50_ms:.1f} ms, p99 {status.p99_ms:.1f} ms, {status.errors} errors, "
            f"{status.orders} orders"
        )
    return OrdersResult(steps, status, suite.setup_seconds)


def _seconds(value: float) -> str:
    return "never" if math.isinf(value) else "n/a" if math.isnan(value) else f"{value:.3f}"


def section(result: OrdersResult, machine: str) -> list[str]:
    best = result.best
    failed = next((step for step in result.steps if not step.passed), None)
    if best is None:
        verdict = "no rate tried kept p99 within 1 s"
    else:
        verdict = f"{best.rate}/s ({best.rate / GOAL_RATE:.0%} of the goal of {GOAL_RATE}/s" + (
            ": met)" if best.rate >= GOAL_RATE else f", {GOAL_RATE - best.rate}/s short)"
        )
    if failed is not None:
        verdict += f"; the next rate tried, {failed.rate}/s, was over (p99 {_seconds(failed.p99)} s)"
    lines = [
        "## Orders: webhook to routed",
        "",
        f"Measured {result.measured_at:%Y-%m-%d %H:%M} UTC on {machine}: "
        "`python -m printbridge.bench orders` (distributed: `printbridge run-dist`, PostgreSQL, RabbitMQ, "
        "nginx; `printbridge/bench_orders.py`).",
        "",
        "Set up through the public API against the Shopify sandbox: a catalog product, a shop connected for "
        "a customer, its one variant synced and mapped with an uploaded PDF until `mapped`; one order "
        f"routed first (set-up {result.setup_seconds:.0f} s). Then signed `orders/create` deliveries "
        "(bench_webhooks' orders of 1 to 3 lines, every line that variant) go to `POST /v1/webhooks/shopify` "
        f"through nginx on a fixed schedule, {STEP_SECONDS:.0f} s per rate, from an asyncio httpx loop in "
        "the bench process (open loop: a slow answer does not hold back the next send). Latency: the "
        "order's `status_changed_at` when routed (orders' database) less its send time, one clock. An "
        f"order not routed {DRAIN_SECONDS:.0f} s after the last send counts as never. The search stops at "
        f"the first rate over 1 s at p99, or at {GOAL_RATE}/s.",
        "",
        f"**Highest steady rate with p99 ≤ 1 s: {verdict}.**",
        "",
        "The counts: orders sent, answered 2xx, stored by connectors (`webhook_deliveries`), published "
        "(their `shop_order.received` left connectors' outbox), taken in by orders, routed, put on hold.",
        "",
        "| orders/s | sent/s | sent / 2xx / stored / published / taken in / routed / on hold | p50 s | p99 s "
        "| webhook answer p50 / p99 ms | load |",
        "|---:|---:|---|---:|---:|---|---:|",
    ]
    for step in result.steps:
        counts = " / ".join(
            f"{n:,}"
            for n in (
                step.sent,
                step.answered_ok,
                step.received,
                step.published,
                step.taken_in,
                step.routed,
                step.on_hold,
            )
        )
        lines.append(
            f"| {step.rate} | {step.sent_per_second:.1f} | {counts} | {_seconds(step.p50)} | "
            f"{_seconds(step.p99)} | {step.answer_p50 * 1000:.0f} / {step.answer_p99 * 1000:.0f} | "
            f"{step.load:.1f} |"
        )
    lines += [
        "",
        "Where the time goes, per hop (p50 / p99 in ms, of the orders routed): sent → *accepted by "
        "connectors* (the delivery's `received_at`) → *published by connectors* (its `shop_order.received` "
        "event's `published_at` in connectors' outbox) → *taken in by orders* (the order's `created_at`) → "
        "*routed by orders* (`status_changed_at`). Stamps are taken inside each transaction, before its "
        "commit, so a hop can be slightly negative.",
        "",
        "| orders/s | " + " | ".join(HOPS) + " |",
        "|---:|" + "---:|" * len(HOPS),
    ]
    for step in result.steps:
        cells = [
            f"{step.hops[hop][0] * 1000:.0f} / {step.hops[hop][1] * 1000:.0f}"
            if not math.isnan(step.hops[hop][0])
            else "n/a"
            for hop in HOPS
        ]
        lines.append(f"| {step.rate} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "CPU per process group from the first send of a rate to its last order routed: cores busy "
        f"(of {os.cpu_count()}), and in brackets CPU ms per order sent. `bench` is the load loop and the "
        "Shopify sandbox; `other` is everything else on the machine, other users' work included "
        "(PostgreSQL's row too holds every database's work on its server).",
        "",
        "| orders/s | " + " | ".join(CPU_GROUPS) + " |",
        "|---:|" + "---:|" * len(CPU_GROUPS),
    ]
    for step in result.steps:
        cells = [f"{step.cores(group):.2f} ({step.cpu_ms_per_order(group):.1f})" for group in CPU_GROUPS]
        lines.append(f"| {step.rate} | " + " | ".join(cells) + " |")
    if failed is not None:
        slowest = max(
            HOPS, key=lambda hop: -math.inf if math.isnan(failed.hops[hop][1]) else failed.hops[hop][1]
        )
        lines += [
            "",
            f"At {failed.rate}/s the slowest hop at p99 was *{slowest}* "
            f"({failed.hops[slowest][1] * 1000:.0f} ms).",
        ]
    status = result.status
    lines += [
        "",
        "### Production status updates",
        "",
        f"The routed orders taken through production by {STATUS_CONCURRENCY} concurrent clients (asyncio "
        "httpx; wrk is not needed) through nginx with an operator token, each client one order at a time: "
        "`POST /v1/production/orders/{id}/claim`, then `POST /v1/orders/{id}/status` with `in_production`, "
        f"`printed`, `shipped` (with tracking) and `delivered`, for {STATUS_SECONDS:.0f} s. An error is "
        "any answer but 200.",
        "",
        "| orders | requests | requests/s | p50 ms | p99 ms | errors |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {status.orders:,} | {status.requests:,} | {status.requests_per_second:.0f} | "
        f"{status.p50_ms:.1f} | {status.p99_ms:.1f} | {status.errors} |",
        "",
        "| operation | requests | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for operation, (count, p50, p99) in status.by_operation.items():
        lines.append(f"| {operation} | {count:,} | {p50:.1f} | {p99:.1f} |")
    if status.cpu and status.requests:
        busy = ", ".join(
            f"{group} {status.cpu.get(group, 0.0) / status.seconds:.2f} "
            f"({status.cpu.get(group, 0.0) / status.requests * 1000:.1f})"
            for group in CPU_GROUPS
        )
        lines += ["", f"CPU meanwhile, cores busy (CPU ms per request): {busy}."]
    lines.append("")
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    """Replaces the section of docs/benchmarks.md whose heading is `lines[0]` (`## …`), up to the next
    `## ` heading, or appends it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    heading = f"\n{lines[0]}\n"
    before, found, after = text.partition(heading)
    tail = ""
    if found:
        rest = after.partition("\n## ")
        tail = ("\n## " + rest[2]) if rest[1] else ""
    path.write_text(
        before.rstrip("\n") + "\n\n" + "\n".join(lines).rstrip("\n") + "\n" + tail, encoding="utf-8"
    )
