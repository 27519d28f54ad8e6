"""`make bench`: create-customer and get-customer throughput and latency through the gateway in both
run modes, and the same calls made directly to the customers service (the gateway's overhead); signed
Shopify `orders/create` webhook deliveries through the gateway in the distributed mode, against the
Shopify sandbox. Load comes from wrk on loopback; results go to docs/benchmarks.md with the machine
and date. The CSV import, the product sync and the orders' webhook-to-routed latency and production
status updates (bench_import.py, bench_products.py, bench_orders.py; the last needs no wrk) follow."""

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from printbridge import (
    bench_import,
    bench_orders,
    bench_products,
    bench_raw,
    bench_status_out,
    bench_summary,
    bench_webhooks,
)
from printbridge_shared import log_scan
from printbridge_shared.routes import SERVICES
from printbridge_shared.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DURATION = os.environ.get("PRINTBRIDGE_BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("PRINTBRIDGE_BENCH_CONNECTIONS", "32")
PASSWORD = "bench-password-" + uuid.uuid4().hex
POSTGRES_ADMIN = os.environ.get("PRINTBRIDGE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKERS = os.environ.get("PRINTBRIDGE_BENCH_CUSTOMERS_WORKERS", "2")
CONNECTORS_WORKERS = os.environ.get("PRINTBRIDGE_BENCH_CONNECTORS_WORKERS", "2")
# Distinct deliveries generated for the webhook rows: more than the run can send, so none repeats.
DELIVERIES = int(os.environ.get("PRINTBRIDGE_BENCH_DELIVERIES", "40000"))
BASELINE = "bare FastAPI endpoint"
WEBHOOK = "shopify webhook"
# Goals of issue 7 (and issue 8 for the webhook), as shares of the bare endpoint's throughput in the same run.
GOALS = {"get customer": 0.40, "create customer": 0.25, WEBHOOK: 0.50}
# Issue 8: three webhooks for each order of Shopify's whole Black-Friday peak.
WEBHOOK_TARGET_PER_SECOND = 2000
BENCH_SHOP = "bench-prints.myshopify.com"
# How long the distributed suite rests after it is healthy before its processes' memory is read.
IDLE_SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_IDLE_SECONDS", "15"))
PACKAGES = ("customers", "storefront_auth", "connectors", "mapping", "orders")

POST_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.body = '{{"name": "Bench Customer", "description": "created by make bench"}}'
"""
GET_SCRIPT = """
wrk.headers["Authorization"] = "Bearer {token}"
"""


@dataclass
class Result:
    mode: str
    target: str
    operation: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300  # a loaded 2-core machine starts nine processes slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} did not start:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def started(
    command: list[str], env: dict[str, str], health_url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """The command's process, once `health_url` answers 200; stopped with SIGINT afterwards."""
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_healthy(health_url, process, log)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    log_scan.KNOWN.add(PASSWORD)
    log_scan.assert_no_secrets_in(log)


def login(base: str, env: dict[str, str]) -> str:
    subprocess.run(
        [BIN / "printbridge", "operator", "create", "bench@example.com"],
        input=PASSWORD,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    return login_again(base)


def login_again(base: str) -> str:
    """A fresh access token of the operator `login` created (a long run outlives the first one)."""
    response = httpx.post(f"{base}/v1/auth/login", json={"email": "bench@example.com", "password": PASSWORD})
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@dataclass
class WebhookCheck:
    """What the distributed webhook run sent and what the connectors database holds afterwards."""

    requests: int
    ok: int
    repeats: int
    stored_deliveries: int
    stored_events: int


def wrk(
    url: str, script: str, workdir: Path, connections: str = CONNECTIONS
) -> tuple[float, float, float, int]:
    script_file = workdir / f"wrk-{uuid.uuid4().hex}.lua"
    script_file.write_text(script)
    rps, p50, p99, errors, _ = wrk_file(url, script_file, connections)
    return rps, p50, p99, errors


def wrk_file(
    url: str, script_file: Path, connections: str = CONNECTIONS
) -> tuple[float, float, float, int, int]:
    """requests/s, p50 and p99 in ms, errors (non-2xx and socket errors), and the number of requests."""
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{DURATION}", "--latency", "-s", str(script_file), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _latency_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    p99 = _latency_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return rps, p50, p99, errors, requests


def _latency_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(mode: str, target: str, base: str, token: str, workdir: Path) -> list[Result]:
    created = httpx.post(
        f"{base}/v1/customers", json={"name": "Bench Get"}, headers={"Authorization": f"Bearer {token}"}
    )
    created.raise_for_status()
    results = []
    get_url = f"{base}/v1/customers/{created.json()['id']}"
    for operation, url, script, connections in (
        ("create customer", f"{base}/v1/customers", POST_SCRIPT.format(token=token), CONNECTIONS),
        ("get customer", get_url, GET_SCRIPT.format(token=token), CONNECTIONS),
        ("get customer (1 connection)", get_url, GET_SCRIPT.format(token=token), "1"),
    ):
        rps, p50, p99, errors = wrk(url, script, workdir, connections)
        results.append(Result(mode, target, operation, rps, p50, p99, errors))
        print(f"{mode:12} {target:18} {operation:28} {rps:8.0f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    return results


def base_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRINTBRIDGE_")}
    env.update(
        {
            "PRINTBRIDGE_RATE_LIMIT_PER_SECOND": "0",
            "PRINTBRIDGE_ACCESS_LOG": "false",
            "PRINTBRIDGE_LOG_LEVEL": "WARNING",
            "PRINTBRIDGE_DATA_DIR": str(workdir / "var"),
        }
    )
    return env


def bench_baseline(workdir: Path, customers: bool = True) -> list[Result]:
    """The yardstick (bench_baseline.py) under the same uvicorn settings the suite uses."""
    port = free_port()
    command = [str(BIN / "python"), "-m", "uvicorn", "printbridge.bench_baseline:app", "--port", str(port)]
    command += ["--no-access-log", "--no-server-header", "--log-level", "warning"]
    base = f"http://127.0.0.1:{port}"
    with started(command, base_env(workdir), f"{base}/docs", workdir / "baseline.log"):
        results = measure("baseline", BASELINE, base, "none", workdir) if customers else []
        # The same wrk script and deliveries as the distributed run (the bare endpoint checks nothing).
        script = webhook_script(workdir, "shpss_bench_baseline")
        rps, p50, p99, errors, _ = wrk_file(f"{base}{bench_webhooks.PATH}", script)
        results.append(Result("baseline", BASELINE, WEBHOOK, rps, p50, p99, errors))
        _print(results[-1])
        return results


def _print(r: Result) -> None:
    print(
        f"{r.mode:12} {r.target:18} {r.operation:28} {r.requests_per_second:8.0f}/s  "
        f"p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms  errors {r.errors}"
    )


def webhook_script(workdir: Path, secret: str) -> Path:
    started_at = time.monotonic()
    items = list(bench_webhooks.deliveries(DELIVERIES, BENCH_SHOP, secret))
    script = bench_webhooks.write_wrk_script(items, BENCH_SHOP, workdir)
    print(f"generated {len(items)} signed deliveries in {time.monotonic() - started_at:.1f} s")
    return script


def bench_embedded(workdir: Path) -> list[Result]:
    env = base_env(workdir) | {"PRINTBRIDGE_PORT": str(free_port())}
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    with started([str(BIN / "printbridge"), "run"], env, f"{base}/healthz", workdir / "embedded.log"):
        token = login(base, env)
        results = measure("embedded", "gateway", base, token, workdir)
    # The customers service alone, on the same SQLite file and without the in-process gateway in front;
    # storefront-auth runs beside it (same SQLite file as before) so the same token verifies.
    auth_port, port = free_port(), free_port()
    direct = env | {
        "PRINTBRIDGE_STOREFRONT_AUTH_URL": f"http://127.0.0.1:{auth_port}",
        "PRINTBRIDGE_MODE": "embedded",
    }
    with (
        started(
            [str(BIN / "printbridge"), "serve", "storefront-auth", "--port", str(auth_port)],
            direct,
            f"http://127.0.0.1:{auth_port}/readyz",
            workdir / "storefront-auth.log",
        ),
        started(
            [str(BIN / "printbridge"), "serve", "customers", "--port", str(port)],
            direct,
            f"http://127.0.0.1:{port}/readyz",
            workdir / "customers.log",
        ),
    ):
        results += measure("embedded", "customers directly", f"http://127.0.0.1:{port}", token, workdir)
    return results


async def _drop_databases(names: list[str]) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def distributed_env(workdir: Path) -> tuple[dict[str, str], list[str]]:
    """The environment of a `printbridge run-dist` of the bench: a free gateway port, the bench's worker
    counts, and a fresh PostgreSQL database per service (their names, to drop afterwards)."""
    suffix = uuid.uuid4().hex[:8]
    names = [f"pb_bench_{package}_{suffix}" for package in PACKAGES]
    env = base_env(workdir) | {
        "PRINTBRIDGE_PORT": str(free_port()),
        "PRINTBRIDGE_CUSTOMERS_WORKERS": WORKERS,
        "PRINTBRIDGE_CONNECTORS_WORKERS": CONNECTORS_WORKERS,
    }
    admin_base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    for package, name in zip(PACKAGES, names, strict=True):
        env[f"PRINTBRIDGE_{package.upper()}_DATABASE_URL"] = f"{admin_base}/{name}"
    return env, names


def database_url(names: list[str], package: str) -> str:
    """The asyncpg (plain `postgresql://`) address of one service's bench database."""
    return f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{names[PACKAGES.index(package)]}"


def drop_databases(names: list[str]) -> None:
    asyncio.run(_drop_databases(names))


def bench_distributed(
    workdir: Path, customers: bool = True
) -> tuple[list[Result], WebhookCheck, list[bench_raw.ProcessMemory]]:
    from printbridge_sandbox.serving import running
    from printbridge_sandbox.shopify.app import create_app as shopify_app

    env, names = distributed_env(workdir)
    # Free ports rather than the route table's, which another run-dist on this machine may hold.
    env |= {service.env_prefix + "PORT": str(free_port()) for service in SERVICES}
    # A machine busy with other work starts the processes slowly; the bench itself waits 300 s.
    env["PRINTBRIDGE_STARTUP_TIMEOUT_SECONDS"] = "280"
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    customers_url = f"http://127.0.0.1:{env['PRINTBRIDGE_CUSTOMERS_PORT']}"
    client_id, secret = "printbridge-bench", "shpss_bench_" + uuid.uuid4().hex
    results: list[Result] = []
    try:
        with (
            bench_orders.own_vhost(f"pb_bench_dist_{uuid.uuid4().hex[:8]}") as amqp_url,
            running(shopify_app()) as shopify,
        ):
            env["PRINTBRIDGE_AMQP_URL"] = amqp_url
            httpx.post(
                f"{shopify}/_sandbox/shopify/apps", json={"client_id": client_id, "client_secret": secret}
            ).raise_for_status()
            env |= {
                "PRINTBRIDGE_SHOPIFY_ADMIN_URL": f"{shopify}/shops/{{shop}}",
                "PRINTBRIDGE_SHOPIFY_CLIENT_ID": client_id,
                "PRINTBRIDGE_SHOPIFY_CLIENT_SECRET": secret,
                "PRINTBRIDGE_ALLOW_PRIVATE_URLS": "true",
                "PRINTBRIDGE_PUBLIC_URL": base,
            }
            script = webhook_script(workdir, secret)
            command = [str(BIN / "printbridge"), "run-dist"]
            with started(command, env, f"{base}/healthz", workdir / "dist.log") as process:
                time.sleep(IDLE_SECONDS)  # at rest: nothing sent yet
                memory = bench_raw.idle_rss(process.pid)
                for m in memory:
                    print(f"idle RSS {m.service:16} {m.role:8} {m.rss_mb:6.0f} MB")
                token = login(base, env)
                if customers:
                    results += measure("distributed", "gateway (nginx)", base, token, workdir)
                    results += measure("distributed", "customers directly", customers_url, token, workdir)
                create_shop(shopify)
                connect_shop(base, token, shopify)
                rps, p50, p99, errors, requests = wrk_file(f"{base}{bench_webhooks.PATH}", script)
                results.append(Result("distributed", "gateway (nginx)", WEBHOOK, rps, p50, p99, errors))
                _print(results[-1])
                delivered, events = asyncio.run(_stored(database_url(names, "connectors")))
                check = WebhookCheck(
                    requests=requests,
                    ok=requests - errors,
                    repeats=max(0, requests - DELIVERIES),
                    stored_deliveries=delivered,
                    stored_events=events,
                )
                print(check)
    finally:
        drop_databases(names)
    return results, check, memory


def create_shop(shopify: str, shop: str = BENCH_SHOP) -> None:
    """The shop in the Shopify sandbox."""
    httpx.post(
        f"{shopify}/_sandbox/shopify/shops", json={"domain": shop, "name": "Bench Prints"}
    ).raise_for_status()


def connect_shop(base: str, token: str, shopify: str, shop: str = BENCH_SHOP) -> str:
    """A customer with the sandbox's Shopify shop connected through the public API (POST /v1/stores, the
    merchant approves in the sandbox, which sends the browser back to the callback); the store's id."""
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{base}/v1/customers", json={"name": "Bench Brand"}, headers=headers)
    created.raise_for_status()
    body = {"platform": "shopify", "shop": shop, "customer_id": created.json()["id"]}
    deadline = time.monotonic() + 30
    while True:  # connectors learns of the customer by event
        started_connect = httpx.post(f"{base}/v1/stores", json=body, headers=headers, timeout=30)
        if started_connect.status_code != 422 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if started_connect.status_code != 201:
        raise SystemExit(f"connecting the bench shop failed: {started_connect.text}")
    page = httpx.get(started_connect.json()["authorize_url"], follow_redirects=True, timeout=30)
    store_id = started_connect.json()["store"]["id"]
    store = httpx.get(f"{base}/v1/stores/{store_id}", headers=headers).json()
    if page.status_code != 200 or store["status"] != "connected":
        raise SystemExit(f"the bench shop did not connect: {page.status_code} {page.text[:500]} {store}")
    return str(store_id)


async def _stored(url: str) -> tuple[int, int]:
    """Deliveries and shop_order.received events in the connectors database, once the count is steady
    (requests in flight when wrk stopped still commit)."""
    connection = await asyncpg.connect(url)
    try:
        last = (-1, -1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            delivered = await connection.fetchval(
                "SELECT count(*) FROM webhook_deliveries WHERE topic = $1", bench_webhooks.TOPIC
            )
            events = await connection.fetchval(
                "SELECT count(*) FROM outbox WHERE event_type = 'shop_order.received'"
            )
            if (delivered, events) == last:
                return last
            last = (delivered, events)
            await asyncio.sleep(0.5)
        return last
    finally:
        await connection.close()


async def _dispatch_overhead(workdir: Path, rounds: int = 2000) -> tuple[float, float]:
    """p50 of a GET through the embedded dispatcher and straight into the customers app, in one process
    with the same transport: the difference is what the in-process gateway itself costs."""
    import statistics

    from printbridge.config import GatewaySettings
    from printbridge.embedded import build_embedded
    from printbridge_shared.auth.principal import Principal, PrincipalKind
    from printbridge_shared.logging import configure_logging

    configure_logging("WARNING")

    gateway = build_embedded(
        GatewaySettings(data_dir=workdir / "dispatch", access_log=False, rate_limit_per_second=0)
    )
    async with gateway.lifespan(None):
        operator = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4())
        token = await gateway.apps["storefront-auth"].state.token_issuer.access_token(operator)
        headers = {"Authorization": f"Bearer {token}"}
        clients = {
            name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
            for name, app in (("gateway", gateway), ("direct", gateway.apps["customers"]))
        }
        created = await clients["direct"].post("/v1/customers", json={"name": "Bench"}, headers=headers)
        path = f"/v1/customers/{created.json()['id']}"
        samples: dict[str, list[float]] = {"gateway": [], "direct": []}
        for _ in range(rounds):
            for name, client in clients.items():
                started = time.perf_counter()
                await client.get(path, headers=headers)
                samples[name].append((time.perf_counter() - started) * 1000)
        for client in clients.values():
            await client.aclose()
    return statistics.median(samples["gateway"]), statistics.median(samples["direct"])


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {system}"


def overhead(results: list[Result], mode: str, operation: str) -> str:
    by_target = {r.target: r for r in results if r.mode == mode and r.operation == operation}
    direct = by_target.get("customers directly")
    gateway = next((r for t, r in by_target.items() if t != "customers directly"), None)
    if not direct or not gateway:
        return "n/a"
    return (
        f"{gateway.p50_ms - direct.p50_ms:+.2f} ms at p50; throughput ratio gateway/direct "
        f"{gateway.requests_per_second / direct.requests_per_second:.2f}"
    )


def share_of_baseline(results: list[Result], mode: str, operation: str, goal: float) -> str:
    baseline = next((r for r in results if r.mode == "baseline" and r.operation == operation), None)
    through_gateway = (r for r in results if r.mode == mode and r.target != "customers directly")
    gateway = next((r for r in through_gateway if r.operation == operation), None)
    if baseline is None or gateway is None:
        return "n/a"
    share = gateway.requests_per_second / baseline.requests_per_second
    verdict = "met" if share >= goal else "not met"
    return (
        f"{share:.0%} ({gateway.requests_per_second:.0f}/s against {baseline.requests_per_second:.0f}/s; "
        f"goal ≥ {goal:.0%}: {verdict})"
    )


def webhook_lines(results: list[Result], check: WebhookCheck | None) -> list[str]:
    webhook = next((r for r in results if r.mode == "distributed" and r.operation == WEBHOOK), None)
    if webhook is None or check is None:
        return []
    share = webhook.requests_per_second / WEBHOOK_TARGET_PER_SECOND
    lines = [
        f"- distributed, {WEBHOOK}, against {WEBHOOK_TARGET_PER_SECOND:,}/s (issue 8): {share:.0%} "
        f"({webhook.requests_per_second:.0f}/s)",
        "",
        f"Webhook intake (issue 8): each `{WEBHOOK}` request is a signed Shopify `orders/create` delivery",
        "(a realistic REST order, 1 to 3 line items, about 2.5 kB; distinct order, webhook and event ids;",
        "base64 HMAC-SHA256 of the body with the app's client secret) of a shop connected through the",
        "public API against the Shopify sandbox's OAuth, to `POST /v1/webhooks/shopify` through nginx.",
        f"{DELIVERIES:,} deliveries were generated beforehand (`printbridge/bench_webhooks.py`); wrk sends",
        "them in turn with the same script to both targets. A 200 means the delivery and its",
        "`shop_order.received` event were committed in one transaction. The mapping and orders consumers",
        "handle those events on the same cores meanwhile. The baseline endpoint reads the body and",
        "answers 200 (no signature check, no database).",
        "",
        f"Checked in the connectors database after the distributed run: {check.requests:,} deliveries sent,",
        f"{check.ok:,} answered 2xx, {check.repeats:,} of them repeats of an earlier delivery; "
        f"{check.stored_deliveries:,} deliveries",
        f"and {check.stored_events:,} `shop_order.received` events stored "
        f"({check.stored_deliveries - (check.ok - check.repeats):+,} against the 2xx count less repeats:",
        "a request still in flight when wrk stops is committed but not counted by wrk, at most one per",
        "connection).",
    ]
    return lines


def write_report(
    results: list[Result],
    dispatch: tuple[float, float] | None,
    check: WebhookCheck | None,
    summary: list[str] | None = None,
) -> None:
    lines = [
        "# Benchmarks",
        "",
        *(summary or []),
        "## Requests through the gateway",
        "",
        f"Measured by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Load: wrk on loopback, 1 thread, {CONNECTIONS} connections, {DURATION} per row, operator JWT,",
        "gateway rate limit and access log off. Load generator and servers share the same 2 cores.",
        f"Distributed: customers with {WORKERS} uvicorn workers (`PRINTBRIDGE_CUSTOMERS_WORKERS`),",
        f"connectors with {CONNECTORS_WORKERS} (`PRINTBRIDGE_CONNECTORS_WORKERS`),",
        "every other service with one; PostgreSQL and RabbitMQ on the same machine. The storefront-auth",
        "consumer handles every customer.created event during the create runs. The `(1 connection)` rows",
        "measure latency without queueing: their p50 difference is the gateway's own overhead. The",
        f"`baseline` rows are the yardstick: a {BASELINE} (`printbridge/bench_baseline.py`) that returns",
        "the same JSON without authentication, middleware, database or events.",
        "",
        "| mode | target | operation | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.mode} | {r.target} | {r.operation} | {r.requests_per_second:.0f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {r.errors} |"
        )
    lines += ["", "Gateway overhead (gateway minus direct):", ""]
    for mode in sorted({r.mode for r in results} - {"baseline"}):
        for operation in ("create customer", "get customer", "get customer (1 connection)"):
            lines.append(f"- {mode}, {operation}: {overhead(results, mode, operation)}")
    if dispatch is not None:
        lines.append(
            "- embedded, the in-process dispatcher alone (same process, same transport, 2000 GETs each): "
            f"{dispatch[0] - dispatch[1]:+.3f} ms at p50 "
            f"({dispatch[0]:.3f} ms through it, {dispatch[1]:.3f} ms without)"
        )
    lines += ["", "Throughput through the gateway as a share of the bare FastAPI endpoint's (same run):", ""]
    for mode in ("embedded", "distributed"):
        for operation, goal in GOALS.items():
            if mode == "embedded" and operation == WEBHOOK:
                continue
            lines.append(f"- {mode}, {operation}: {share_of_baseline(results, mode, operation, goal)}")
    lines += webhook_lines(results, check)
    lines += [
        "",
        "Goals: gateway overhead ≤ 1 ms at p50 and create-customer ≥ 500/s distributed (issue 2); an",
        "authenticated GET ≥ 40 % and a create ≥ 25 % of the bare endpoint's throughput (issue 7).",
        'In the embedded rows, "customers directly" is the customers service in its own process',
        "(`printbridge serve customers`) on the same SQLite database, publishing to RabbitMQ.",
        "Where the time goes, and what is next: `performance.md`.",
        "",
    ]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines))


def _fresh(workdir: Path, name: str) -> Path:
    section = workdir / name
    section.mkdir()
    return section


def main() -> None:
    """`python -m printbridge.bench [embedded] [distributed]` writes docs/benchmarks.md;
    `python -m printbridge.bench webhooks` only measures the webhook rows (baseline and distributed) and
    prints them; `python -m printbridge.bench imports` only the CSV order import, and
    `python -m printbridge.bench products` only the product sync, `python -m printbridge.bench orders`
    only the orders' webhook-to-routed latency and production status updates, and `python -m
    printbridge.bench status-out` only the postbacks and the shipped-to-shop latency, whose sections they
    replace in docs/benchmarks.md; `python -m printbridge.bench baselines` only prints the raw PostgreSQL
    and RabbitMQ baselines, and `python -m printbridge.bench profile` samples connectors and orders with
    py-spy under a steady webhook load (bench_profile.py), `python -m printbridge.bench jobs` the jobs a
    second one job runner completes at each concurrency (bench_jobs.py)."""
    modes = sys.argv[1:] or ["embedded", "distributed"]
    if modes == ["products"]:
        with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
            result = bench_products.run(Path(tmp))
        print(result)
        bench_products.write_section(
            ROOT / "docs" / "benchmarks.md", bench_products.section(result, machine())
        )
        return
    if modes == ["orders"]:
        with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
            measured = bench_orders.run(Path(tmp))
        bench_orders.write_section(ROOT / "docs" / "benchmarks.md", bench_orders.section(measured, machine()))
        return
    if modes == ["status-out"]:
        with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
            measured_out = bench_status_out.run(Path(tmp))
        bench_orders.write_section(
            ROOT / "docs" / "benchmarks.md", bench_status_out.section(measured_out, machine())
        )
        return
    if modes == ["imports"]:
        with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
            bench_import.write_section(
                ROOT / "docs" / "benchmarks.md", bench_import.run_all(Path(tmp), POSTGRES_ADMIN)
            )
        return
    if modes == ["profile"]:
        from printbridge import bench_profile

        with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
            bench_profile.run(Path(tmp))
        return
    if modes == ["jobs"]:
        from printbridge import bench_jobs

        bench_jobs.run(POSTGRES_ADMIN)
        return
    if modes == ["baselines"]:
        for line in bench_summary.raw_lines(bench_raw.run(POSTGRES_ADMIN)):
            print(line)
        return
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
        workdir = Path(tmp)
        results: list[Result] = []
        dispatch = None
        check = None
        memory: list[bench_raw.ProcessMemory] = []
        results += bench_baseline(workdir, customers=modes != ["webhooks"])
        raw = bench_raw.run(POSTGRES_ADMIN) if modes != ["webhooks"] else []
        if "embedded" in modes:
            results += bench_embedded(workdir)
            dispatch = asyncio.run(_dispatch_overhead(workdir))
            print(f"embedded dispatcher alone: {dispatch[0] - dispatch[1]:+.3f} ms at p50")
        if "distributed" in modes or "webhooks" in modes:
            distributed, check, memory = bench_distributed(workdir, customers="distributed" in modes)
            results += distributed
        # Each section a data directory of its own, as when it runs alone: the suites it starts must not
        # find the operators and databases an earlier section left.
        imports = (
            bench_import.run_all(_fresh(workdir, "imports"), POSTGRES_ADMIN) if modes != ["webhooks"] else []
        )
        product_sync = bench_products.run(_fresh(workdir, "products")) if modes != ["webhooks"] else None
        orders = bench_orders.run(_fresh(workdir, "orders")) if modes != ["webhooks"] else None
        status_out = bench_status_out.run(_fresh(workdir, "status-out")) if modes != ["webhooks"] else None
    print(share_of_baseline(results, "distributed", WEBHOOK, GOALS[WEBHOOK]))
    if modes == ["webhooks"]:
        return
    throughput = {
        (r.mode, r.operation): r.requests_per_second
        for r in results
        if r.target != "customers directly" and "(1 connection)" not in r.operation
    }
    rows = bench_summary.rows(
        throughput=throughput,
        raw=raw,
        memory=memory,
        imports=imports,
        product_sync=product_sync,
        orders=orders,
        status_out=status_out,
    )
    summary = bench_summary.section(rows, load_before, os.getloadavg()[0])
    report = ROOT / "docs" / "benchmarks.md"
    write_report(results, dispatch, check, summary)
    for section in (bench_summary.raw_lines(raw), bench_summary.memory_lines(memory, IDLE_SECONDS)):
        if section:
            bench_orders.write_section(report, section)
    bench_import.write_section(report, imports)
    if product_sync is not None:
        bench_products.write_section(report, bench_products.section(product_sync, machine()))
    if orders is not None:
        bench_orders.write_section(report, bench_orders.section(orders, machine()))
    if status_out is not None:
        bench_orders.write_section(report, bench_status_out.section(status_out, machine()))
    print(json.dumps({"written": "docs/benchmarks.md"}))


if __name__ == "__main__":
    main()
