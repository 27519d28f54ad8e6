"""`printbridge run-dist`: the distributed mode on one machine. A supervisor creates each service's
PostgreSQL database, migrates once, starts every service as its own process and nginx in front of them,
forwards stop signals, and restarts a process that dies, with backoff; one that keeps dying right after
each start takes everything down (non-zero exit)."""

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import httpx
import structlog
from dotenv import dotenv_values
from pydantic import Field
from sqlalchemy.engine import URL, make_url

from printbridge.config import GatewaySettings
from printbridge.nginx import GatewayConfigError, nginx_command, write_site
from printbridge.openapi import merged_openapi_document
from printbridge_shared.config import local_url
from printbridge_shared.db import safe_url
from printbridge_shared.routes import SERVICES, ServiceInfo

log = structlog.get_logger("printbridge.distributed")

T = TypeVar("T")
NGINX_SEARCH_PATH = "/usr/local/sbin:/usr/sbin:/sbin"
POLL_SECONDS = 0.25
STOP_GRACE_SECONDS = 8.0
# A process that ran this long before dying was healthy: its next restart starts the backoff afresh.
STABLE_SECONDS = 30.0
# Restarts in a row, each after a shorter run than STABLE_SECONDS, before run-dist gives up.
MAX_QUICK_RESTARTS = 5


class DistributedSettings(GatewaySettings):
    """The supervisor's settings; per-service ones (`PRINTBRIDGE_<PACKAGE>_…`) are read by `placements`."""

    postgres_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        description="Admin connection that creates the services' databases; default database URLs "
        "point at its server.",
    )
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    storefront_auth_url: str | None = None
    nginx_bin: str = Field("nginx", description="The nginx executable (name on PATH or a path).")
    startup_timeout_seconds: float = Field(
        120.0, description="How long to wait for PostgreSQL, RabbitMQ and each service to be ready."
    )


class SupervisorError(Exception):
    """A reason the distributed run cannot start; the message says what to do."""


@dataclass(frozen=True)
class Placement:
    """Where one service runs: here on `port` with `workers` processes, or elsewhere at `upstreams`."""

    service: ServiceInfo
    port: int
    workers: int
    upstreams: tuple[str, ...]
    local: bool


def read_environ(env_file: Path = Path(".env")) -> dict[str, str]:
    """The process environment over `.env`, as the services' settings read it."""
    from_file = (
        {k: v for k, v in dotenv_values(env_file).items() if v is not None} if env_file.is_file() else {}
    )
    return {**from_file, **os.environ}


def _whole_number(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SupervisorError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def placements(environ: Mapping[str, str]) -> list[Placement]:
    """`PRINTBRIDGE_<PACKAGE>_UPSTREAM` (comma-separated host:port) says a service runs elsewhere:
    nginx proxies there and run-dist does not start it. Otherwise it runs here on
    `PRINTBRIDGE_<PACKAGE>_PORT` (default: its route-table port) with `PRINTBRIDGE_<PACKAGE>_WORKERS`."""
    result = []
    for service in SERVICES:
        port = _whole_number(environ, service.env_prefix + "PORT", service.port)
        workers = _whole_number(environ, service.env_prefix + "WORKERS", 1)
        remote = tuple(
            a.strip() for a in environ.get(service.env_prefix + "UPSTREAM", "").split(",") if a.strip()
        )
        result.append(Placement(service, port, workers, remote or (f"127.0.0.1:{port}",), local=not remote))
    return result


def upstreams_of(plan: list[Placement]) -> dict[str, tuple[str, ...]]:
    return {p.service.name: p.upstreams for p in plan}


def default_database_url(postgres_url: str, service: ServiceInfo) -> str:
    """`printbridge_<package>` on the admin connection's server, through asyncpg."""
    url = make_url(postgres_url).set(
        drivername="postgresql+asyncpg", database=f"printbridge_{service.package}"
    )
    return url.render_as_string(hide_password=False)


def database_urls(
    services: Sequence[ServiceInfo], environ: Mapping[str, str], postgres_url: str
) -> dict[str, str]:
    """`PRINTBRIDGE_<PACKAGE>_DATABASE_URL` where set, else the default on the admin server."""
    return {
        s.name: environ.get(s.env_prefix + "DATABASE_URL") or default_database_url(postgres_url, s)
        for s in services
    }


def gateway_url(settings: GatewaySettings) -> str:
    """Where to reach the gateway from this machine (a wildcard listen address means loopback)."""
    return local_url(settings.host, settings.port)


def find_nginx(nginx_bin: str) -> str:
    found = shutil.which(nginx_bin, path=os.environ.get("PATH", "") + os.pathsep + NGINX_SEARCH_PATH)
    if found is None:
        raise SupervisorError(
            f"nginx not found ({nginx_bin!r}): install nginx (apt-get install nginx-light), "
            "run `make nginx`, or set PRINTBRIDGE_NGINX_BIN"
        )
    return found


def printbridge_command() -> list[str]:
    """The `printbridge` command of this installation, so children run the same code as the supervisor."""
    script = Path(sys.executable).with_name("printbridge")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from printbridge.cli import app; app()"]


def _server(url: URL) -> tuple[str | None, int]:
    return url.host, url.port or 5432


async def _retry(
    event: str, what: str, attempt: Callable[[], Awaitable[T]], wait_seconds: float, hint: str
) -> T:
    """Retries a first connection with a log line per failure, then gives up with `hint`."""
    deadline = time.monotonic() + wait_seconds
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt()
        except (OSError, TimeoutError, asyncpg.PostgresError, aio_pika.exceptions.AMQPError) as exc:
            if time.monotonic() >= deadline:
                raise SupervisorError(f"{what} is unreachable ({type(exc).__name__}: {exc}); {hint}") from exc
            log.warning(event, what=what, attempt=tries, error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(min(2.0, 0.25 * tries))


async def ensure_databases(postgres_url: str, urls: Mapping[str, str], wait_seconds: float) -> None:
    """Creates each missing PostgreSQL database on the admin connection's server. Databases on other
    servers are left to their operators (the service waits for them at start)."""
    admin_url = make_url(postgres_url).set(drivername="postgresql")
    wanted = []
    for name, raw in urls.items():
        url = make_url(raw)
        if not url.drivername.startswith("postgresql"):
            log.info("database_not_postgres", service=name, database=safe_url(raw))
        elif _server(url) != _server(admin_url):
            log.info("database_on_other_server", service=name, database=safe_url(raw))
        elif url.database:
            wanted.append(url.database)
    if not wanted:
        return
    dsn = admin_url.render_as_string(hide_password=False)
    connection = await _retry(
        "postgres_unreachable",
        f"PostgreSQL at {safe_url(dsn)}",
        lambda: asyncpg.connect(dsn, timeout=5),
        wait_seconds,
        "start it or point PRINTBRIDGE_POSTGRES_URL at your server",
    )
    try:
        for database in wanted:
            if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
                continue
            quoted = '"' + database.replace('"', '""') + '"'
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await connection.execute(f"CREATE DATABASE {quoted}")
                log.info("database_created", database=database)
    finally:
        await connection.close()


async def wait_for_rabbitmq(amqp_url: str, wait_seconds: float) -> None:
    async def connect_once() -> None:
        connection = await aio_pika.connect(amqp_url, timeout=5)
        await connection.close()

    parts = urlsplit(amqp_url)
    await _retry(
        "rabbitmq_unreachable",
        f"RabbitMQ at {parts.hostname}:{parts.port or 5672}",
        connect_once,
        wait_seconds,
        "start it or point PRINTBRIDGE_AMQP_URL at your broker",
    )


_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """Runs in each child between fork and exec (so it only calls a C function loaded beforehand):
    SIGTERM when the supervisor itself dies, so no service outlives a killed supervisor."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _child_options() -> dict[str, Any]:
    """Each child in its own process group, so a terminal's Ctrl-C reaches only the supervisor,
    which then stops the children in order."""
    return {"process_group": 0, "preexec_fn": _die_with_parent}


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    stop_signal: signal.Signals
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    watcher: "asyncio.Task[None] | None" = None


def restart_delay(quick_restarts: int, first: float) -> float:
    """The wait before the next restart: `first`, doubling with every quick restart in a row, at most 30 s."""
    return float(min(30.0, first * 2**quick_restarts))


class StopRequested(Exception):
    """A stop signal or a dying process interrupted start-up."""


@dataclass
class Supervisor:
    settings: DistributedSettings
    environ: dict[str, str]
    children: list[Child] = field(default_factory=list)
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    failure: str | None = None
    signals_received: int = 0
    first_restart_delay: float = 0.5

    async def run(self) -> int:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per readiness poll is noise
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            await self._start()
            await self.stop_requested.wait()
        except SupervisorError as exc:
            self.failure = str(exc)
        except StopRequested:
            pass
        finally:
            await self._stop_children()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        if self.failure:
            log.error("run_dist_failed", reason=self.failure)
            print(f"printbridge run-dist: {self.failure}", file=sys.stderr, flush=True)
            return 1
        log.info("run_dist_stopped")
        return 0

    def _on_signal(self, sig: signal.Signals) -> None:
        self.signals_received += 1
        log.info("stop_requested", signal=sig.name)
        if self.signals_received > 1:
            for child in self.children:
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
        self.stop_requested.set()

    async def _until_stop(self, awaitable: Awaitable[T]) -> T:
        """Awaits a start-up step unless a stop signal or a dying child comes first."""
        step = asyncio.ensure_future(awaitable)
        stop = asyncio.ensure_future(self.stop_requested.wait())
        try:
            await asyncio.wait({step, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not step.done():
            step.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await step
            raise StopRequested
        return step.result()

    async def _start(self) -> None:
        settings = self.settings
        nginx_bin = find_nginx(settings.nginx_bin)
        plan = placements(self.environ)
        local = [p for p in plan if p.local]
        for p in plan:
            if not p.local:
                log.info("service_elsewhere", service=p.service.name, upstreams=list(p.upstreams))
        urls = database_urls([p.service for p in local], self.environ, settings.postgres_url)
        openapi_document = await self._until_stop(asyncio.to_thread(merged_openapi_document))
        site_dir = (settings.data_dir / "nginx").resolve()
        upstreams = upstreams_of(plan)
        try:
            conf = await asyncio.to_thread(write_site, site_dir, settings, upstreams, openapi_document)
        except GatewayConfigError as exc:
            raise SupervisorError(str(exc)) from exc
        timeout = settings.startup_timeout_seconds
        await self._until_stop(ensure_databases(settings.postgres_url, urls, timeout))
        await self._until_stop(wait_for_rabbitmq(settings.amqp_url, timeout))

        env = self._child_env(plan, urls)
        command = printbridge_command()
        if local:
            migrate = await asyncio.create_subprocess_exec(
                *command, "migrate", *(p.service.name for p in local), env=env, **_child_options()
            )
            migrate_child = Child("migrate", migrate, signal.SIGTERM)
            self.children.append(migrate_child)
            code = await self._until_stop(migrate.wait())
            self.children.remove(migrate_child)
            if code != 0:
                raise SupervisorError(f"migrations failed (exit {code}); see the log above")

        for p in local:
            argv = [*command, "serve", p.service.name, "--host", "127.0.0.1", "--port", str(p.port)]
            await self._spawn(p.service.name, [*argv, "--workers", str(p.workers)], env, signal.SIGTERM)
        await self._until_stop(
            asyncio.gather(
                *(self._wait_ready(p.service.name, f"http://127.0.0.1:{p.port}/readyz") for p in local)
            )
        )

        await self._spawn("gateway", nginx_command(nginx_bin, conf), env, signal.SIGQUIT)
        gateway = gateway_url(settings)
        await self._until_stop(self._wait_ready("gateway", gateway + "/healthz"))
        log.info("gateway_listening", url=gateway, config=str(conf), services=[p.service.name for p in local])
        print(
            f"Printbridge (distributed) is ready: gateway on {gateway}, console at {gateway}/console/, "
            f"API docs at {gateway}/docs",
            flush=True,
        )

    def _child_env(self, plan: list[Placement], urls: Mapping[str, str]) -> dict[str, str]:
        env = dict(os.environ)
        for p in plan:
            if p.service.name in urls:
                env[p.service.env_prefix + "DATABASE_URL"] = urls[p.service.name]
        env["PRINTBRIDGE_AMQP_URL"] = self.settings.amqp_url
        auth = next(p for p in plan if p.service.name == "storefront-auth")
        env["PRINTBRIDGE_STOREFRONT_AUTH_URL"] = (
            self.settings.storefront_auth_url or f"http://{auth.upstreams[0]}"
        )
        return env

    async def _spawn(
        self, name: str, argv: list[str], env: dict[str, str], stop_signal: signal.Signals
    ) -> None:
        process = await asyncio.create_subprocess_exec(*argv, env=env, **_child_options())
        child = Child(name, process, stop_signal, argv, env)
        child.watcher = asyncio.create_task(self._watch(child), name=f"watch-{name}")
        self.children.append(child)
        log.info("process_started", process=name, pid=process.pid)

    async def _watch(self, child: Child) -> None:
        """Restarts the child whenever it dies, as a process supervisor does: after a backoff that grows
        while it keeps dying soon after each start; too many such deaths in a row stop everything."""
        quick_restarts = 0
        while True:
            started = time.monotonic()
            code = await child.process.wait()
            if self.stop_requested.is_set():
                return
            ran = time.monotonic() - started
            quick_restarts = quick_restarts + 1 if ran < STABLE_SECONDS else 0
            if quick_restarts > MAX_QUICK_RESTARTS:
                self.failure = (
                    f"{child.name} exited {MAX_QUICK_RESTARTS + 1} times in a row soon after starting "
                    f"(last exit {code}); stopping everything"
                )
                log.error("process_gave_up", process=child.name, exit_code=code)
                self.stop_requested.set()
                return
            delay = restart_delay(quick_restarts - 1 if quick_restarts else 0, self.first_restart_delay)
            log.error(
                "process_died",
                process=child.name,
                exit_code=code,
                ran_seconds=round(ran, 1),
                restart_in_seconds=delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_requested.wait(), delay)
            if self.stop_requested.is_set():
                return
            child.process = await asyncio.create_subprocess_exec(
                *child.argv, env=child.env, **_child_options()
            )
            log.info("process_restarted", process=child.name, pid=child.process.pid, exit_code=code)

    async def _wait_ready(self, name: str, url: str) -> None:
        deadline = time.monotonic() + self.settings.startup_timeout_seconds
        last = "no answer"
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                try:
                    response = await client.get(url)
                    if response.status_code == 200:
                        log.info("process_ready", process=name, url=url)
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = f"{type(exc).__name__}"
                await asyncio.sleep(POLL_SECONDS)
        raise SupervisorError(
            f"{name} was not ready within {self.settings.startup_timeout_seconds:.0f} s "
            f"at {url} (last answer: {last})"
        )

    async def _stop_children(self) -> None:
        """The gateway first (it finishes requests in flight), then the services; stragglers are killed."""
        self.stop_requested.set()
        watchers = [c.watcher for c in self.children if c.watcher is not None]
        for watcher in watchers:
            watcher.cancel()  # no restart from here on
        await asyncio.gather(*watchers, return_exceptions=True)
        gateway = [c for c in self.children if c.name == "gateway"]
        others = [c for c in self.children if c.name != "gateway"]
        for group in (gateway, others):
            await asyncio.gather(*(self._stop(child) for child in group))

    async def _stop(self, child: Child) -> None:
        if child.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(child.stop_signal)
            try:
                await asyncio.wait_for(child.process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("process_killed", process=child.name, after_seconds=STOP_GRACE_SECONDS)
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                await child.process.wait()
        log.info("process_stopped", process=child.name, exit_code=child.process.returncode)


def create_databases(settings: DistributedSettings) -> dict[str, str]:
    """Every service's database, created where missing (for deployments that run services themselves)."""
    urls = database_urls(SERVICES, read_environ(), settings.postgres_url)
    asyncio.run(ensure_databases(settings.postgres_url, urls, settings.startup_timeout_seconds))
    return urls


def run_distributed(settings: DistributedSettings | None = None) -> int:
    """Runs until SIGINT/SIGTERM (exit 0), or until start-up fails or a process keeps dying (exit 1)."""
    settings = settings or DistributedSettings()
    return asyncio.run(Supervisor(settings, read_environ()).run())
