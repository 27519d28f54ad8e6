"""The summary at the top of docs/benchmarks.md: every figure of one `make bench` run beside the baseline
measured in the same run, the ratio, the goal as a ratio and the absolute aim, and whether each is met."""

import math
from dataclasses import dataclass

from printbridge import bench_import, bench_orders, bench_products, bench_raw, bench_status_out


@dataclass(frozen=True)
class Row:
    figure: str
    measured: str
    baseline: str
    ratio: str
    goal: str
    aim: str
    verdict: str


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else "met" if ok else "not met"


def _verdicts(*checks: tuple[str, bool | None]) -> str:
    return "; ".join(f"{name} {_met(ok)}" for name, ok in checks if ok is not None) or "n/a"


def rows(
    *,
    throughput: dict[tuple[str, str], float],
    raw: list[bench_raw.RawResult],
    memory: list[bench_raw.ProcessMemory],
    imports: list[bench_import.ImportResult],
    product_sync: bench_products.SyncResult | None,
    orders: bench_orders.OrdersResult | None,
    status_out: bench_status_out.StatusOutResult | None,
) -> list[Row]:
    """`throughput`: requests/s by (mode, operation) through the gateway, and ("baseline", operation) of
    the bare endpoint."""
    found: list[Row] = []
    postgres = bench_raw.best(raw, "postgresql")
    rabbit = bench_raw.best(raw, "rabbitmq")
    bare = throughput.get(("baseline", "shopify webhook"))
    intake = throughput.get(("distributed", "shopify webhook"))
    if intake is not None and bare:
        share = intake / bare
        stored = f"{intake / postgres.per_second:.0%} of raw inserts" if postgres else "n/a"
        found.append(
            Row(
                "webhook intake, verified and stored (distributed, through nginx)",
                f"{intake:,.0f}/s",
                f"bare endpoint {bare:,.0f}/s; raw PostgreSQL inserts "
                + (f"{postgres.per_second:,.0f}/s ({postgres.parallel} connections)" if postgres else "n/a"),
                f"{share:.0%} of bare; {stored}",
                "≥ 50 % of bare",
                "2,000/s",
                _verdicts(("ratio", share >= 0.5), ("aim", intake >= 2000)),
            )
        )
    for mode in ("distributed", "embedded"):
        for operation, goal, aim in (("get customer", 0.40, None), ("create customer", 0.25, 500.0)):
            measured = throughput.get((mode, operation))
            base = throughput.get(("baseline", operation))
            if measured is None or not base:
                continue
            aim_text = f"{aim:,.0f}/s" if aim is not None and mode == "distributed" else "—"
            aim_ok = measured >= aim if aim is not None and mode == "distributed" else None
            found.append(
                Row(
                    f"{operation} ({mode}, through the gateway)",
                    f"{measured:,.0f}/s",
                    f"bare endpoint {base:,.0f}/s",
                    f"{measured / base:.0%}",
                    f"≥ {goal:.0%}",
                    aim_text,
                    _verdicts(("ratio", measured / base >= goal), ("aim", aim_ok)),
                )
            )
    if orders is not None:
        best = orders.best
        rate = best.rate if best else 0
        found.append(
            Row(
                "webhook → routed: highest steady rate with p99 ≤ 1 s (distributed)",
                f"{rate}/s" + (f" (p99 {best.p99:.3f} s)" if best else ""),
                "raw RabbitMQ confirmed publishes "
                + (f"{rabbit.per_second:,.0f}/s ({rabbit.parallel} in flight)" if rabbit else "n/a"),
                f"{rate / rabbit.per_second:.0%} of raw publishes" if rabbit else "n/a",
                "—",
                f"{bench_orders.GOAL_RATE}/s",
                _verdicts(("aim", rate >= bench_orders.GOAL_RATE)),
            )
        )
    if status_out is not None:
        kept = [step for step in status_out.postbacks if step.passed]
        top = max(kept, key=lambda step: step.delivered_per_second) if kept else None
        found.append(
            Row(
                "postbacks delivered and verified, all of them with p99 ≤ 1 s",
                f"{top.delivered_per_second:,.0f}/s" if top else "none",
                "—",
                "—",
                "—",
                "—",
                "measured",
            )
        )
        shipped = [s for s in status_out.shipping if s.fulfilled == s.shipped and not math.isinf(s.p99)]
        ship = max(shipped, key=lambda s: s.rate) if shipped else None
        found.append(
            Row(
                "shipped → fulfilled in the shop: highest rate with every one fulfilled",
                f"{ship.rate}/s (p99 {ship.p99:.1f} s)" if ship else "none",
                "—",
                "—",
                "—",
                "—",
                "measured",
            )
        )
    for result in imports:
        found.append(
            Row(
                f"CSV order import, {result.rows:,} rows ({result.database})",
                f"{result.seconds:.1f} s",
                "—",
                "—",
                "—",
                f"≤ {bench_import.GOAL_SECONDS:.0f} s",
                _verdicts(("aim", result.seconds <= bench_import.GOAL_SECONDS)),
            )
        )
    if product_sync is not None:
        found.append(
            Row(
                f"product sync, {product_sync.variants:,} variants",
                f"{product_sync.seconds:.1f} s",
                f"the rate limit's bound {product_sync.bound_seconds:.1f} s",
                f"{product_sync.ratio:.2f}x",
                f"≤ {bench_products.GOAL}x",
                "—",
                _verdicts(("ratio", product_sync.ratio <= bench_products.GOAL)),
            )
        )
    if memory:
        services = [m for m in memory if m.service not in ("gateway", "supervisor", "other")]
        largest = max(services or memory, key=lambda m: m.rss_mb)
        found.append(
            Row(
                "idle RSS of the largest service process (distributed)",
                f"{largest.rss_mb:.0f} MB ({largest.service}, {largest.role})",
                "—",
                "—",
                "—",
                f"≤ {bench_raw.IDLE_RSS_AIM_MB} MB each",
                _verdicts(("aim", all(m.rss_mb <= bench_raw.IDLE_RSS_AIM_MB for m in services))),
            )
        )
    return found


def section(found: list[Row], load_before: float, load_after: float) -> list[str]:
    lines = [
        "## Summary: each figure beside its baseline",
        "",
        "Every figure of this run with the baseline measured in the same run on the same machine, the ratio, "
        "the goal as a ratio and the absolute aim. Baselines: the bare FastAPI endpoint "
        "(`printbridge/bench_baseline.py`), committed PostgreSQL inserts of a webhook delivery row and "
        "confirmed persistent RabbitMQ publishes (`printbridge/bench_raw.py`; all of them in the table "
        "below). The machine's load average (1 minute, 2 cores) was "
        f"{load_before:.1f} when the run began and {load_after:.1f} when it ended.",
        "",
        "| figure | measured | baseline (same run) | ratio | goal | aim | verdict |",
        "|---|---:|---|---:|---|---|---|",
    ]
    for row in found:
        lines.append(
            f"| {row.figure} | {row.measured} | {row.baseline} | {row.ratio} | {row.goal} | {row.aim} | "
            f"{row.verdict} |"
        )
    lines.append("")
    return lines


def raw_lines(raw: list[bench_raw.RawResult]) -> list[str]:
    if not raw:
        return []
    lines = [
        "## Baselines: raw PostgreSQL inserts and RabbitMQ publishes",
        "",
        "Measured in the same run (`printbridge/bench_raw.py`, "
        f"{bench_raw.SECONDS:.0f} s each): PostgreSQL, a committed single-row insert of a row like "
        "`webhook_deliveries` (the 2.5 kB body, headers as JSON, its unique index), over one connection "
        "and over several; RabbitMQ, persistent messages of that body to a durable quorum queue from one "
        "publisher with confirms, one at a time and with a window in flight.",
        "",
        "| system | operation | connections / in flight | per second | count |",
        "|---|---|---:|---:|---:|",
    ]
    for r in raw:
        lines.append(f"| {r.system} | {r.operation} | {r.parallel} | {r.per_second:,.0f} | {r.count:,} |")
    lines.append("")
    return lines


def memory_lines(memory: list[bench_raw.ProcessMemory], idle_seconds: float) -> list[str]:
    if not memory:
        return []
    lines = [
        "## Idle memory per service process",
        "",
        f"Resident memory (VmRSS) of each process of `printbridge run-dist`, {idle_seconds:.0f} s after it "
        f"was healthy and before any load; aim ≤ {bench_raw.IDLE_RSS_AIM_MB} MB per service process.",
        "",
        "| service | process | RSS MB | within the aim |",
        "|---|---|---:|---|",
    ]
    for m in sorted(memory, key=lambda m: (m.service, m.role, m.pid)):
        within = (
            "—" if m.service in ("gateway", "supervisor") else _met(m.rss_mb <= bench_raw.IDLE_RSS_AIM_MB)
        )
        lines.append(f"| {m.service} | {m.role} | {m.rss_mb:.0f} | {within} |")
    lines.append("")
    return lines
