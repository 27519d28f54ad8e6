"""Supervision of the long-running tasks a service starts beside its requests (the outbox relay, the job
runner, the coming pollers). A worker that crashes is logged with its traceback, counted, and restarted
after a pause that doubles with every crash in a row; while a required worker is down, `/readyz` says so.
Shutdown stops the workers in the reverse order of their start: each gets its stop signal and a bounded
wait to finish what it is doing, then it is cancelled."""

import asyncio
import contextlib
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from printbridge_shared.events.retry import doubling_delay
from printbridge_shared.metrics import ServiceMetrics

log = structlog.get_logger(__name__)


class Worker(Protocol):
    """A loop that runs until `stop()` is called; `run()` returning or raising before that is a crash."""

    async def run(self) -> None: ...
    def stop(self) -> None: ...


class WorkerState(enum.StrEnum):
    starting = "starting"
    running = "running"
    restarting = "restarting"  # crashed, waiting for its restart
    stopped = "stopped"


@dataclass
class _Supervised:
    name: str
    worker: Worker
    required: bool
    state: WorkerState = WorkerState.starting
    crashes_in_a_row: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class Supervisor:
    """Runs workers and keeps them running. `sleep` is the pause before a restart (tests replace it to
    hold a worker down as long as they look)."""

    def __init__(
        self,
        service: str,
        metrics: ServiceMetrics,
        *,
        restart_base_seconds: float = 0.5,
        restart_max_seconds: float = 30.0,
        stop_timeout_seconds: float = 5.0,
    ) -> None:
        self.service = service
        self.metrics = metrics
        self.restart_base_seconds = restart_base_seconds
        self.restart_max_seconds = restart_max_seconds
        self.stop_timeout_seconds = stop_timeout_seconds
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._workers: list[_Supervised] = []
        self._started = False
        self._stopping = False

    def add(self, name: str, worker: Worker, *, required: bool = True) -> None:
        """Adds a worker; one added after `start()` starts at once. A required worker that is down makes
        the service unready."""
        if any(w.name == name for w in self._workers):
            raise ValueError(f"a worker named {name!r} is already supervised")
        supervised = _Supervised(name, worker, required)
        self._workers.append(supervised)
        self.metrics.worker_up.labels(self.service, name).set(0)
        self.metrics.worker_restarts.labels(self.service, name).inc(0)
        if self._started:
            self._launch(supervised)

    def start(self) -> None:
        """Starts the workers; once per supervisor (a stopped service app is not started again)."""
        self._started = True
        for supervised in self._workers:
            self._launch(supervised)

    def down(self) -> list[str]:
        """The required workers that are not running now (crashed and waiting for their restart)."""
        return [w.name for w in self._workers if w.required and w.state == WorkerState.restarting]

    def state(self, name: str) -> WorkerState:
        return next(w.state for w in self._workers if w.name == name)

    async def stop(self) -> None:
        """Stops every worker, the last started first; never raises, so shutdown always goes on."""
        self._stopping = True
        for supervised in reversed(self._workers):
            await self._stop_one(supervised)

    def _launch(self, supervised: _Supervised) -> None:
        supervised.task = asyncio.create_task(
            self._keep_running(supervised), name=f"{self.service}:{supervised.name}"
        )

    async def _keep_running(self, supervised: _Supervised) -> None:
        while not self._stopping:
            supervised.state = WorkerState.running
            self.metrics.worker_up.labels(self.service, supervised.name).set(1)
            started = asyncio.get_running_loop().time()
            try:
                await supervised.worker.run()
                if self._stopping:
                    break
                raise RuntimeError("the worker returned without being asked to stop")
            except Exception:
                if self._stopping:
                    log.exception(
                        "worker_failed_while_stopping", service=self.service, worker=supervised.name
                    )
                    break
                healthy_for = asyncio.get_running_loop().time() - started
                if healthy_for >= self.restart_max_seconds:
                    supervised.crashes_in_a_row = 0
                supervised.crashes_in_a_row += 1
                pause = doubling_delay(
                    supervised.crashes_in_a_row, self.restart_base_seconds, self.restart_max_seconds
                )
                supervised.state = WorkerState.restarting
                self.metrics.worker_up.labels(self.service, supervised.name).set(0)
                self.metrics.worker_restarts.labels(self.service, supervised.name).inc()
                log.exception(
                    "worker_crashed",
                    service=self.service,
                    worker=supervised.name,
                    crashes_in_a_row=supervised.crashes_in_a_row,
                    restart_in_seconds=pause,
                )
                await self.sleep(pause)
                log.info("worker_restarting", service=self.service, worker=supervised.name)
        supervised.state = WorkerState.stopped
        self.metrics.worker_up.labels(self.service, supervised.name).set(0)

    async def _stop_one(self, supervised: _Supervised) -> None:
        task = supervised.task
        if task is None or task.done():
            supervised.state = WorkerState.stopped
            return
        if supervised.state == WorkerState.running:
            try:
                supervised.worker.stop()
            except Exception:
                log.exception("worker_stop_failed", service=self.service, worker=supervised.name)
            done, _pending = await asyncio.wait({task}, timeout=self.stop_timeout_seconds)
            if done:
                return
            log.warning(
                "worker_cancelled",
                service=self.service,
                worker=supervised.name,
                reason=f"still running {self.stop_timeout_seconds} s after its stop signal",
            )
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        supervised.state = WorkerState.stopped
