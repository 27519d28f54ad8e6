"""The raw baselines and the idle memory `make bench` puts beside the suite's figures measure what they
say: committed rows that are really stored, confirmed messages, the resident memory of the processes
below the suite's supervisor by service; and the summary judges each figure against its goal and aim."""

import asyncio
import sys
import uuid

import pytest

from printbridge import bench_raw, bench_summary
from printbridge.bench_orders import own_vhost
from printbridge_shared.testing import eventually

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.mark.parametrize("connections", [1, 3])
async def test_raw_inserts_count_rows_committed_over_each_connection(connections):
    result = await bench_raw.postgres_inserts(POSTGRES_ADMIN, connections, seconds=0.3)

    assert (result.system, result.parallel) == ("postgresql", connections)
    assert result.count > 0 and result.per_second > 0


def test_raw_publishes_count_confirmed_messages():
    with own_vhost(f"pb-test-raw-{uuid.uuid4().hex[:8]}") as amqp_url:
        result = asyncio.run(bench_raw.rabbitmq_publishes(amqp_url, window=10, seconds=0.3))

    assert (result.system, result.parallel) == ("rabbitmq", 10)
    assert result.count >= 10 and result.count % 10 == 0


async def test_idle_memory_is_read_for_every_process_below_the_root_by_the_service_it_serves():
    waiting = "import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', 'import sys; sys.stdin.read()']); sys.stdin.read(); child.kill()"  # noqa: E501
    root = await asyncio.create_subprocess_exec(
        sys.executable, "-c", waiting, "serve", "customers", stdin=asyncio.subprocess.PIPE
    )
    try:
        await eventually(lambda: len(bench_raw.idle_rss(root.pid)) == 2, within=20)
        found = bench_raw.idle_rss(root.pid)
    finally:
        assert root.stdin is not None
        root.stdin.close()
        await asyncio.wait_for(root.wait(), timeout=20)

    assert sorted((m.service, m.role) for m in found) == [("customers", "main"), ("customers", "worker")]
    assert all(5 < m.rss_mb < 500 for m in found)
    assert bench_raw.idle_rss(root.pid) == []


def test_the_summary_judges_the_ratio_to_the_bare_endpoint_and_the_absolute_aim_apart():
    rows = bench_summary.rows(
        throughput={("baseline", "shopify webhook"): 2000.0, ("distributed", "shopify webhook"): 1100.0},
        raw=[bench_raw.RawResult("postgresql", "insert", 16, 1000.0, 10000)],
        memory=[
            bench_raw.ProcessMemory("orders", "main", 1, 120.0),
            bench_raw.ProcessMemory("connectors", "worker", 2, 151.0),
            bench_raw.ProcessMemory("gateway", "nginx", 3, 400.0),
        ],
        imports=[],
        product_sync=None,
        orders=None,
        status_out=None,
    )

    intake, memory = rows
    assert (intake.ratio, intake.verdict) == ("55% of bare; 110% of raw inserts", "ratio met; aim not met")
    assert memory.measured == "151 MB (connectors, worker)" and memory.verdict == "aim not met"
