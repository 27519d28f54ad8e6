"""`make bench`: create-customer and get-customer throughput and latency through the gateway in both
run modes, and the same calls made directly to the customers service (the gateway's overhead).
Load comes from wrk on loopback; results go to docs/benchmarks.md with the machine and date."""

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

from printbridge_shared.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DURATION = os.environ.get("PRINTBRIDGE_BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("PRINTBRIDGE_BENCH_CONNECTIONS", "32")
PASSWORD = "bench-password-" + uuid.uuid4().hex
POSTGRES_ADMIN = os.environ.get("PRINTBRIDGE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKERS = os.environ.get("PRINTBRIDGE_BENCH_CUSTOMERS_WORKERS", "2")
BASELINE = "bare FastAPI endpoint"
# Goals of issue 7, as shares of the bare endpoint's throughput in the same run.
GOALS = {"get customer": 0.40, "create customer": 0.25}
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
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} did not start:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy")


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str], health_url: str, log: Path) -> Iterator[None]:
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_healthy(health_url, process, log)
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def login(base: str, env: dict[str, str]) -> str:
    subprocess.run(
        [BIN / "printbridge", "operator", "create", "bench@example.com"],
        input=PASSWORD,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    response = httpx.post(f"{base}/v1/auth/login", json={"email": "bench@example.com", "password": PASSWORD})
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def wrk(
    url: str, script: str, workdir: Path, connections: str = CONNECTIONS
) -> tuple[float, float, float, int]:
    script_file = workdir / f"wrk-{uuid.uuid4().hex}.lua"
    script_file.write_text(script)
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
    return rps, p50, p99, errors


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


def bench_baseline(workdir: Path) -> list[Result]:
    """The yardstick (bench_baseline.py) under the same uvicorn settings the suite uses."""
    port = free_port()
    command = [str(BIN / "python"), "-m", "uvicorn", "printbridge.bench_baseline:app", "--port", str(port)]
    command += ["--no-access-log", "--no-server-header", "--log-level", "warning"]
    base = f"http://127.0.0.1:{port}"
    with started(command, base_env(workdir), f"{base}/docs", workdir / "baseline.log"):
        return measure("baseline", BASELINE, base, "none", workdir)


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


def bench_distributed(workdir: Path) -> list[Result]:
    suffix = uuid.uuid4().hex[:8]
    names = [f"pb_bench_{package}_{suffix}" for package in PACKAGES]
    env = base_env(workdir) | {"PRINTBRIDGE_PORT": str(free_port()), "PRINTBRIDGE_CUSTOMERS_WORKERS": WORKERS}
    admin_base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    for package, name in zip(PACKAGES, names, strict=True):
        env[f"PRINTBRIDGE_{package.upper()}_DATABASE_URL"] = f"{admin_base}/{name}"
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    try:
        with started([str(BIN / "printbridge"), "run-dist"], env, f"{base}/healthz", workdir / "dist.log"):
            token = login(base, env)
            results = measure("distributed", "gateway (nginx)", base, token, workdir)
            results += measure("distributed", "customers directly", "http://127.0.0.1:8101", token, workdir)
    finally:
        asyncio.run(_drop_databases(names))
    return results


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


def write_report(results: list[Result], dispatch: tuple[float, float] | None) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Load: wrk on loopback, 1 thread, {CONNECTIONS} connections, {DURATION} per row, operator JWT,",
        "gateway rate limit and access log off. Load generator and servers share the same 2 cores.",
        f"Distributed: customers with {WORKERS} uvicorn workers (`PRINTBRIDGE_CUSTOMERS_WORKERS`),",
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
            lines.append(f"- {mode}, {operation}: {share_of_baseline(results, mode, operation, goal)}")
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


def main() -> None:
    modes = sys.argv[1:] or ["embedded", "distributed"]
    with tempfile.TemporaryDirectory(prefix="printbridge-bench-") as tmp:
        workdir = Path(tmp)
        results: list[Result] = []
        dispatch = None
        results += bench_baseline(workdir)
        if "embedded" in modes:
            results += bench_embedded(workdir)
            dispatch = asyncio.run(_dispatch_overhead(workdir))
            print(f"embedded dispatcher alone: {dispatch[0] - dispatch[1]:+.3f} ms at p50")
        if "distributed" in modes:
            results += bench_distributed(workdir)
    write_report(results, dispatch)
    print(json.dumps({"written": "docs/benchmarks.md"}))


if __name__ == "__main__":
    main()
