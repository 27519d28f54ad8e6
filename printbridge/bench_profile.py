"""`python -m printbridge.bench profile`: where the time of webhook intake and of webhook → routed goes.
Sets the distributed suite up as the orders bench does (a Shopify sandbox shop, its variant mapped), sends
signed `orders/create` webhooks at `PRINTBRIDGE_BENCH_PROFILE_RATE` a second for
`PRINTBRIDGE_BENCH_PROFILE_SECONDS`, and meanwhile samples the connectors and orders processes with
py-spy (a dev dependency, installed by `make`). Prints, per process, the share of
samples in the functions that cost most (their own time and with what they call) and keeps the
flame-graph input (py-spy's collapsed stacks) in the working directory for a closer look."""

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from printbridge import bench_orders

RATE = int(os.environ.get("PRINTBRIDGE_BENCH_PROFILE_RATE", "100"))
SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_PROFILE_SECONDS", "20"))
SAMPLES_PER_SECOND = 100
SERVICES = ("connectors", "orders")
# Our own code and the libraries that matter, by the path of the file a frame is in.
PARTS = (
    ("printbridge_shared/", "printbridge_shared"),
    ("/connectors/", "connectors (service code)"),
    ("/orders/", "orders (service code)"),
    ("sqlalchemy/orm/", "SQLAlchemy ORM"),
    ("sqlalchemy/", "SQLAlchemy Core/engine"),
    ("asyncpg/", "asyncpg"),
    ("aio_pika/", "aio-pika/aiormq"),
    ("aiormq/", "aio-pika/aiormq"),
    ("pamqp/", "aio-pika/aiormq"),
    ("pydantic", "pydantic"),
    ("fastapi/", "FastAPI"),
    ("starlette/", "Starlette"),
    ("uvicorn/", "uvicorn"),
    ("structlog/", "structlog"),
    ("prometheus_client/", "prometheus_client"),
    ("asyncio/", "asyncio"),
    ("json/", "json"),
)


def _service_pids(root: int) -> dict[str, list[int]]:
    """The pids of each service's processes (its uvicorn parent and workers) below `root`."""
    from printbridge import bench_raw

    found: dict[str, list[int]] = {}
    for m in bench_raw.idle_rss(root):
        found.setdefault(m.service, []).append(m.pid)
    return found


def record(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate"]
    command += [str(SAMPLES_PER_SECOND), "--format", "raw", "--output", str(output), "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def summarise(collapsed: Path, top: int = 25) -> list[str]:
    """From py-spy's collapsed stacks (`frame;frame;... count`): the share of samples per part (the file
    the innermost frame is in) and the functions with the most samples with their callees (inclusive)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        own[_part(frames[-1])] += count
        for frame in set(frames):
            inclusive[_short(frame)] += count
    if not total:
        return ["no samples"]
    lines = [f"{total} samples; where the innermost frame was:"]
    lines += [f"  {count / total:6.1%}  {part}" for part, count in own.most_common()]
    lines.append("functions with what they call (inclusive):")
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(top)]
    return lines


def _part(frame: str) -> str:
    for marker, part in PARTS:
        if marker in frame:
            return part
    return "other"


def _short(frame: str) -> str:
    """`function (path/to/file.py:line)` → `function (file.py)`."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1].split(':')[0]})" if where else name


def run(workdir: Path) -> dict[str, list[str]]:
    results: dict[str, list[str]] = {}

    with bench_orders.shop_suite(workdir, "profile") as suite:
        root = _run_dist_pid(suite.log)
        pids = _service_pids(root)
        items = bench_orders.orders_of(suite.variant, int(RATE * SECONDS), suite.secret, seed=77)
        recorders = {}
        for service in SERVICES:
            for index, pid in enumerate(pids.get(service, [])):
                output = workdir / f"{service}-{index}.collapsed"
                recorders[(service, index)] = (record(pid, SECONDS, output), output)
        time.sleep(1)  # py-spy attaches
        sent = asyncio.run(bench_orders.send_steadily(suite.base, items, RATE))
        for process, _output in recorders.values():
            process.wait(timeout=SECONDS + 60)
        ok = sum(1 for s in sent if 200 <= s.status < 300)
        print(f"sent {len(sent)} webhooks at {RATE}/s, {ok} answered 2xx")
        for (service, index), (_process, output) in recorders.items():
            if output.exists():
                kept = Path.cwd() / f"profile-{service}-{index}.collapsed"
                shutil.copy(output, kept)
                results[f"{service} #{index}"] = summarise(output)
                print(f"\n== {service} process #{index} (collapsed stacks: {kept})")
                print("\n".join(results[f"{service} #{index}"]))
    return results


def _run_dist_pid(log: Path) -> int:
    """The pid of this bench's `printbridge run-dist` (a child of this process)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == me and "run-dist" in command:
            return int(entry.name)
    raise SystemExit(f"no run-dist below this process (its log: {log})")
