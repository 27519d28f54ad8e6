"""What every service app has in common: runtime adapters, middleware, problem+json errors, health,
metrics, migrations at start, event consumers and the outbox relay. A service's `main.create_app`
passes its own routers, tables and consumers to `build_service_app`."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from printbridge_shared.auth.verifier import TokenVerifier
from printbridge_shared.config import ServiceSettings
from printbridge_shared.db import Database, safe_url
from printbridge_shared.errors import install_error_handlers, problem
from printbridge_shared.events.bus import EventBus
from printbridge_shared.events.consumer import Consumer, Listener
from printbridge_shared.events.outbox import MessagingTables, Outbox, OutboxRelay
from printbridge_shared.http import BodySizeLimitMiddleware
from printbridge_shared.metrics import MetricsMiddleware, ServiceMetrics
from printbridge_shared.migrations import upgrade
from printbridge_shared.openapi import install_problem_openapi
from printbridge_shared.security_headers import SecurityHeadersMiddleware

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
            max_attempts=settings.event_max_attempts,
            retry_delay=settings.event_retry_delay_seconds,
            connect_timeout=settings.startup_retry_seconds,
        )
        http = httpx.AsyncClient(base_url=settings.storefront_auth_url, timeout=5.0)
        return cls(bus=bus, auth_http=http, owns_bus=True)


class BackgroundWorker(Protocol):
    """A loop a service runs beside its requests (outbox relay, invitation sender, …)."""

    async def run(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class ServiceParts:
    name: str
    title: str
    description: str
    settings: ServiceSettings
    tables: MessagingTables
    migrations_dir: Path
    routers: Sequence[APIRouter]
    consumers: Callable[[Database], Sequence[Consumer]] = lambda _db: ()
    workers: Callable[[Database, Outbox], Sequence[BackgroundWorker]] = lambda _db, _outbox: ()
    tags: Sequence[dict[str, str]] = ()


def build_service_app(parts: ServiceParts, runtime: Runtime) -> FastAPI:
    settings = parts.settings
    db = Database(settings.resolved_database_url())
    verifier = TokenVerifier(runtime.auth_http, api_key_cache_seconds=settings.api_key_cache_seconds)
    relay = OutboxRelay(db, parts.tables.outbox, runtime.bus)
    outbox = Outbox(parts.tables.outbox, parts.name)
    workers: list[BackgroundWorker] = [relay, *parts.workers(db, outbox)]
    metrics = ServiceMetrics(parts.name)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info("service_starting", service=parts.name, database=safe_url(db.url))
        await db.wait_until_reachable(within=settings.startup_retry_seconds, log=log)
        await upgrade(parts.migrations_dir, db.url)
        for consumer in parts.consumers(db):
            runtime.bus.add_consumer(consumer)
        runtime.bus.add_listener(
            Listener(f"{parts.name}.auth", verifier.listeners(), catch_up=verifier.catch_up)
        )
        if runtime.owns_bus:
            await runtime.bus.start()
        tasks = [asyncio.create_task(w.run(), name=f"{parts.name}-{type(w).__name__}") for w in workers]
        log.info("service_started", service=parts.name)
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
            if runtime.owns_bus:
                await runtime.bus.stop()
            await db.dispose()
            log.info("service_stopped", service=parts.name)

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
    app.state.runtime = runtime
    app.state.service_name = parts.name

    install_error_handlers(app)
    install_problem_openapi(app)
    for router in parts.routers:
        app.include_router(router)
    app.include_router(_health_router(parts.name, db, runtime, metrics))

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER, validator=None)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _health_router(name: str, db: Database, runtime: Runtime, metrics: ServiceMetrics) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    @router.get("/readyz")
    async def readyz(_request: Request) -> Response:
        checks = {"database": "ok", "event_bus": "ok" if runtime.bus.is_ready() else "unavailable"}
        try:
            await db.ping()
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "service": name, "checks": checks})
        return problem(503, "not-ready", "Not ready", f"{name} is not ready", checks=checks)

    @router.get("/metrics")
    async def metrics_endpoint() -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    return router
