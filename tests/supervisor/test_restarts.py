"""run-dist's supervisor restarts a process that dies, with a backoff that grows while it keeps dying
right after each start, and gives up (stopping everything) when it never stays up."""

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from printbridge.distributed import MAX_QUICK_RESTARTS, DistributedSettings, Supervisor, restart_delay
from printbridge_shared.testing import eventually


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.fixture
async def supervisor():
    supervisor = Supervisor(DistributedSettings(), {}, first_restart_delay=0.05)
    yield supervisor
    await supervisor._stop_children()


async def test_a_process_that_dies_is_started_again_and_the_rest_keeps_running(
    supervisor: Supervisor, tmp_path: Path
):
    marker = tmp_path / "died-once"
    # Dies at its first start, stays up at the second.
    code = f"import pathlib, sys, time\nm = pathlib.Path({str(marker)!r})\nif not m.exists():\n"
    code += "    m.touch(); sys.exit(3)\ntime.sleep(60)"
    await supervisor._spawn("flaky", python(code), {}, signal.SIGTERM)
    await supervisor._spawn("steady", python("import time; time.sleep(60)"), {}, signal.SIGTERM)
    flaky, steady = supervisor.children
    first_pid, steady_pid = flaky.process.pid, steady.process.pid

    await eventually(lambda: flaky.process.pid != first_pid)
    assert flaky.process.returncode is None
    assert steady.process.pid == steady_pid and steady.process.returncode is None
    assert not supervisor.stop_requested.is_set() and supervisor.failure is None


async def test_a_process_that_never_stays_up_is_given_up_and_everything_stops(supervisor: Supervisor):
    await supervisor._spawn("broken", python("raise SystemExit(3)"), {}, signal.SIGTERM)
    await asyncio.wait_for(supervisor.stop_requested.wait(), timeout=20)
    assert supervisor.failure is not None
    assert f"broken exited {MAX_QUICK_RESTARTS + 1} times in a row" in supervisor.failure
    assert "last exit 3" in supervisor.failure


def test_the_wait_before_a_restart_doubles_while_the_process_keeps_dying_and_is_capped():
    assert [restart_delay(n, 0.5) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert restart_delay(20, 0.5) == 30.0
