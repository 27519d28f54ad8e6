"""The service's background workers run under a supervisor (printbridge_shared.supervisor): a crash is
logged with its traceback, counted and restarted; /readyz is 503 naming the worker while it is down;
shutdown stops the workers in order and always disposes the database and the event bus, also after a
crash or a failed start. /readyz asks the read side, so a long write transaction does not block it."""

import asyncio

import pytest
import structlog.testing
from sqlalchemy import text

from customers.config import Settings
from customers.main import create_app
from printbridge_shared.app import Runtime
from printbridge_shared.events.rabbitmq import RabbitMQBus
from printbridge_shared.supervisor import WorkerState
from printbridge_shared.testing import eventually, free_port, running


class Flaky:
    """Crashes on its first run; afterwards runs until it is stopped."""

    def __init__(self, crashes: int = 1) -> None:
        self.crashes = crashes
        self.runs = 0
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.runs <= self.crashes:
            raise RuntimeError("the shop's API said no")
        await self._stopped.wait()

    def stop(self) -> None:
        self._stopped.set()


class Stubborn:
    """Ignores its stop signal; records the order of stop signals and whether it was cancelled."""

    def __init__(self, name: str, stops: list[str]) -> None:
        self.name = name
        self.stops = stops
        self.cancelled = False

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    def stop(self) -> None:
        self.stops.append(self.name)


def pooled_connections(app) -> int:
    """Connections the writer engine keeps open; dispose() closes them all."""
    return app.state.db.engine.pool.checkedin()


async def test_a_crashed_worker_is_restarted_counted_and_readyz_names_it_while_it_is_down(app):
    flaky = Flaky()
    app.state.supervisor.add("shop-poller", flaky)
    restart = asyncio.Event()

    async def held_down(_seconds: float) -> None:  # the pause before the restart lasts until we say so
        await restart.wait()

    app.state.supervisor.sleep = held_down
    with structlog.testing.capture_logs() as logs:
        async with running(app) as client:
            await eventually(lambda: app.state.supervisor.down() == ["shop-poller"])
            down = await client.get("/readyz")
            metrics = (await client.get("/metrics")).text
            restart.set()
            await eventually(lambda: flaky.runs == 2)
            up = await client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["checks"]["workers"] == "down: shop-poller"
    assert "shop-poller" in down.json()["detail"]
    assert 'printbridge_worker_restarts_total{service="customers",worker="shop-poller"} 1.0' in metrics
    assert 'printbridge_worker_up{service="customers",worker="shop-poller"} 0.0' in metrics
    assert up.status_code == 200 and up.json()["checks"]["workers"] == "ok"
    [crash] = [entry for entry in logs if entry["event"] == "worker_crashed"]
    assert crash["worker"] == "shop-poller" and crash["exc_info"] is True  # logged with its traceback


async def test_restarts_wait_longer_after_each_crash_in_a_row(app):
    app.state.supervisor.add("shop-poller", Flaky(crashes=3))
    pauses: list[float] = []

    async def record(seconds: float) -> None:
        pauses.append(seconds)

    app.state.supervisor.sleep = record
    async with running(app):
        await eventually(lambda: len(pauses) == 3)
    assert pauses == [0.5, 1.0, 2.0]


async def test_shutdown_after_a_crash_still_disposes_the_database_and_stops_the_bus(app, bus):
    app.state.supervisor.add("shop-poller", Flaky(crashes=10**6))
    async with running(app) as client:
        await eventually(lambda: app.state.supervisor.down() == ["shop-poller"])
        assert (await client.get("/readyz")).status_code == 503
        assert pooled_connections(app) >= 1
    assert pooled_connections(app) == 0
    assert not bus.is_ready()


async def test_shutdown_signals_the_last_started_first_and_cancels_a_worker_that_does_not_stop(app):
    stops: list[str] = []
    first, second = Stubborn("first", stops), Stubborn("second", stops)
    app.state.supervisor.add("first", first)
    app.state.supervisor.add("second", second)
    app.state.supervisor.stop_timeout_seconds = 0.05
    async with running(app):
        await eventually(lambda: app.state.supervisor.state("first") == WorkerState.running)
        await eventually(lambda: app.state.supervisor.state("second") == WorkerState.running)
    assert stops == ["second", "first"]
    assert first.cancelled and second.cancelled
    assert pooled_connections(app) == 0


async def test_a_failed_start_still_disposes_the_database(database_url, auth):
    unreachable = RabbitMQBus(f"amqp://guest:guest@127.0.0.1:{free_port()}/", connect_timeout=0.5)
    app = create_app(
        Settings(database_url=database_url), Runtime(bus=unreachable, auth_http=auth.http_client())
    )
    with pytest.raises(RuntimeError, match=r"event bus .* unreachable"):
        async with app.router.lifespan_context(app):
            pass
    assert pooled_connections(app) == 0


async def test_readyz_answers_while_a_long_write_transaction_is_open(app):
    async with running(app) as client:
        async with app.state.db.session() as session:
            await session.execute(text("DELETE FROM customers"))  # the write transaction is open now
            ready = await asyncio.wait_for(client.get("/readyz"), timeout=5)
    assert ready.status_code == 200, ready.text
