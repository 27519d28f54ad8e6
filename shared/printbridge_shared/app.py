"""What every service app has in common: runtime adapters, middleware, problem+json errors, health,
metrics, migrations at start, event consumers, and the supervised background workers (the outbox relay
and the job runner). A service's `main.create_app` passes its own routers, tables, consumers and job
handlers to `build_service_app`."""

import contextlib
import datetime as dt
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse

from printbridge_shared.auth.verifier import TokenVerifier
from printbridge_shared.config import ServiceSettings
from printbridge_shared.db import Database, safe_url
from printbridge_shared.errors import install_error_handlers, problem
from printbridge_shared.events.bus import EventBus
from printbridge_shared.events.consumer import Consumer, Listener
from printbridge_shared.events.outbox import MessagingTables, Outbox, OutboxRelay, prune_messaging
from printbridge_shared.events.topology import CONSUMER_GROUPS, groups_of
from printbridge_shared.http import BodySizeLimitMiddleware, JsonBodyLimitMiddleware, is_valid_request_id
from printbridge_shared.jobs import JobHandler, JobRunner, JobTables, Schedule
from printbridge_shared.metrics import MetricsMiddleware, ServiceMetrics
from printbridge_shared.migrations import upgrade
from printbridge_shared.openapi import install_problem_openapi
from printbridge_shared.security_headers import SecurityHeadersMiddleware
from printbridge_shared.supervisor import Supervisor

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"


@dataclass
class Runtime:
    """The adapters that differ between run modes; service code only talks to these."""

    bus: EventBus
    auth_http: httpx.AsyncClient
    owns_bus: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def distributed(cls, settings: ServiceSettings) -> "Runtime":
        from printbridge_shared.events.rabbitmq import RabbitMQBus

        bus = RabbitMQBus(
            settings.amqp_url,
            retry=settings.event_retry_policy(),
            connect_timeout=settings.startup_retry_seconds,
            groups=CONSUMER_GROUPS,
        )
        http = httpx.AsyncClient(base_url=settings.storefront_auth_url, timeout=5.0)
        return cls(bus=bus, auth_http=http, owns_bus=True)


@dataclass
class ServiceParts:
    name: str
    title: str
    description: str
    settings: ServiceSettings
    tables: MessagingTables
    migrations_dir: Path
    routers: Sequence[APIRouter]
    jobs: JobTables
    consumers: Callable[[Database, Outbox], Sequence[Consumer]] = lambda _db, _outbox: ()
    # The service's job kinds and their handlers; the job runner runs when there is at least one.
    job_handlers: Callable[[Database, Outbox], Mapping[str, JobHandler[Any]]] = lambda _db, _outbox: {}
    schedules: Sequence[Schedule] = ()
    tags: Sequence[dict[str, str]] = ()
    # Closed when the service stops, after its workers (e.g. the HTTP client its platform calls use).
    closers: Sequence[Callable[[], Awaitable[None]]] = ()


def build_service_app(parts: ServiceParts, runtime: Runtime) -> FastAPI:
    settings = parts.settings
    db = Database(settings.resolved_database_url())
    verifier = TokenVerifier(runtime.auth_http, api_key_cache_seconds=settings.api_key_cache_seconds)
    metrics = ServiceMetrics(parts.name)
    retention = dt.timedelta(days=settings.outbox_retention_days)
    relay = OutboxRelay(
        db,
        parts.tables.outbox,
        runtime.bus,
        metrics=metrics,
        prune=functools.partial(prune_messaging, db, parts.tables, retention=retention),
    )
    outbox = Outbox(parts.tables.outbox, parts.name)
    supervisor = Supervisor(parts.name, metrics)
    supervisor.add("outbox-relay", relay)
    handlers = parts.job_handlers(db, outbox)
    if handlers:
        runner = JobRunner(
            db,
            parts.jobs,
            handlers,
            schedules=parts.schedules,
            metrics=metrics,
            idle_seconds=settings.jobs_idle_s,
            concurrency=settings.resolved_jobs_concurrency(),
        )
        supervisor.add("job-runner", runner)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            log.info("service_starting", service=parts.name, database=safe_url(db.url))
            await db.wait_until_reachable(within=settings.startup_retry_seconds, log=log)
            await upgrade(parts.migrations_dir, db.url)
            for consumer in parts.consumers(db, outbox):
                consumer.metrics = metrics
                runtime.bus.add_consumer(consumer)
            runtime.bus.add_listener(
                Listener(f"{parts.name}.auth", verifier.listeners(), catch_up=verifier.catch_up)
            )
            if runtime.owns_bus:
                await runtime.bus.start()
            supervisor.start()
            log.info("service_started", service=parts.name)
            yield
        finally:
            await _shut_down(parts.name, supervisor, runtime, db, parts.closers)

    app = FastAPI(
        title=parts.title,
        description=parts.description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_tags=list(parts.tags),
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.verifier = verifier
    app.state.outbox = outbox
    app.state.relay = relay
    app.state.supervisor = supervisor
    app.state.runtime = runtime
    app.state.service_name = parts.name

    install_error_handlers(app)
    install_problem_openapi(app)
    for router in parts.routers:
        app.include_router(router)
    app.include_router(_health_router(parts, db, runtime, metrics, supervisor))

    app.add_middleware(JsonBodyLimitMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER, validator=is_valid_request_id)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


async def _shut_down(
    name: str,
    supervisor: Supervisor,
    runtime: Runtime,
    db: Database,
    closers: Sequence[Callable[[], Awaitable[None]]],
) -> None:
    """Stops the workers (the job runner before the relay, which publishes what they recorded), then
    the bus and the service's own resources, and always disposes the database, also after a crash or a
    failed start."""
    try:
        await supervisor.stop()
        if runtime.owns_bus:
            await runtime.bus.stop()
        for close in closers:
            await close()
    except Exception:
        log.exception("service_stop_failed", service=name)
    finally:
        await db.dispose()
        log.info("service_stopped", service=name)


def _health_router(
    parts: ServiceParts, db: Database, runtime: Runtime, metrics: ServiceMetrics, supervisor: Supervisor
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    name = parts.name
    groups = [group.name for group in groups_of(name)]

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    @router.get("/readyz")
    async def readyz() -> Response:
        checks = {"database": "ok", "event_bus": "ok" if runtime.bus.is_ready() else "unavailable"}
        try:
            await db.ping(read_side=True)
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        down = supervisor.down()
        checks["workers"] = f"down: {', '.join(down)}" if down else "ok"
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "service": name, "checks": checks})
        failing = ", ".join(f"{check} {value}" for check, value in checks.items() if value != "ok")
        return problem(503, "not-ready", "Not ready", f"{name} is not ready: {failing}", checks=checks)

    @router.get("/metrics")
    async def metrics_endpoint() -> Response:
        tables = parts.tables
        await metrics.observe_messaging(
            db,
            outbox=tables.outbox,
            dead_letters=tables.dead_letters,
            consumers=groups,
            parked_on_broker=await runtime.bus.parked(groups),
        )
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    return router
