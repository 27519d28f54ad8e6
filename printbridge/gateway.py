"""The embedded gateway: one ASGI app that hands each request to the in-process service the route
table names, with the same edge rules nginx applies in the distributed mode (request ids, CORS, body
limits, rate limit, no /internal), plus the merged /openapi.json and /docs, and the suite's /readyz
and /metrics (every service's, in one answer)."""

import asyncio
import contextlib
import json
import math
import mimetypes
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printbridge.config import GatewaySettings
from printbridge.console_site import CONSOLE_CSP, CONSOLE_PREFIX, console_file, content_type
from printbridge.docs_page import ASSETS_DIR, ASSETS_PREFIX, DOCS_CSP, DOCS_HTML
from printbridge.openapi import merge_openapi
from printbridge_shared.errors import problem
from printbridge_shared.http import call_with_body_limit, is_valid_request_id, send_problem
from printbridge_shared.lru import LruCache
from printbridge_shared.routes import INTERNAL_PREFIX, ROUTES, RouteTable
from printbridge_shared.security_headers import SecurityHeadersMiddleware

log = structlog.get_logger("printbridge.gateway")


class TokenBucket:
    """Per-client-address rate limit: `rate` requests a second on average, bursts up to `burst`.

    At most `max_clients` buckets are kept; a new client evicts the one seen longest ago (LRU), so a
    flood of addresses costs bounded memory and forgets only the quietest clients, never everyone."""

    def __init__(
        self, rate: float, burst: int, *, max_clients: int = 100_000, clock: Any = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: LruCache[str, tuple[float, float]] = LruCache(max_clients)

    def take(self, client: str) -> float:
        """Returns 0 when allowed, else the seconds until a request would be."""
        now = self.clock()
        tokens, stamp = self._buckets.get(client) or (float(self.burst), now)
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        if tokens < 1:
            self._buckets.put(client, (tokens, now))
            return (1 - tokens) / self.rate
        self._buckets.put(client, (tokens - 1, now))
        return 0.0

    def __len__(self) -> int:
        return len(self._buckets)


async def _send_bytes(
    send: Send, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Dispatcher:
    def __init__(
        self, apps: Mapping[str, FastAPI], settings: GatewaySettings, routes: RouteTable = ROUTES
    ) -> None:
        self.apps = apps
        self.settings = settings
        self.routes = routes
        self.limiter = TokenBucket(settings.rate_limit_per_second, settings.rate_limit_burst)
        self._openapi: bytes | None = None

    def openapi(self) -> bytes:
        if self._openapi is None:
            self._openapi = json.dumps(merge_openapi({n: a.openapi() for n, a in self.apps.items()})).encode()
        return self._openapi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        request_id = _request_id(scope)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self._dispatch(scope, receive, send_with_id, path)
        finally:
            if self.settings.access_log:
                log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    request_id=request_id,
                )

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        if self.settings.rate_limit_per_second > 0:
            client = scope.get("client") or ("unknown", 0)
            wait = self.limiter.take(client[0])
            if wait:
                retry_after = max(1, math.ceil(wait))
                await send_problem(
                    send,
                    429,
                    "rate-limited",
                    "Too many requests",
                    f"Slow down; retry in {retry_after} s.",
                    headers={"Retry-After": str(retry_after)},
                )
                return
        if path == INTERNAL_PREFIX or path.startswith(INTERNAL_PREFIX + "/"):
            await send_problem(send, 404, "not-found", "Not found", f"No route for {path}.")
            return
        route = self.routes.route_for_path(path)
        if route is not None:
            limit = route.body_limit(self.settings.max_body_bytes)
            await call_with_body_limit(self.apps[route.service], scope, receive, send, limit)
        elif path == "/openapi.json":
            await _send_bytes(send, 200, self.openapi(), "application/json")
        elif path in ("/docs", "/docs/"):
            await _send_bytes(
                send,
                200,
                DOCS_HTML.encode(),
                "text/html; charset=utf-8",
                {"Content-Security-Policy": DOCS_CSP},
            )
        elif path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/"):
            await self._console(send, path)
        elif path.startswith(ASSETS_PREFIX) and "/" not in path[len(ASSETS_PREFIX) :]:
            await self._asset(send, path[len(ASSETS_PREFIX) :])
        elif path == "/healthz":
            await _send_bytes(send, 200, b'{"status":"ok","service":"gateway"}', "application/json")
        elif path == "/readyz":
            await self._readyz(scope, receive, send)
        elif path == "/metrics":
            await _send_bytes(send, 200, await self._metrics(), CONTENT_TYPE_PLAIN_0_0_4)
        else:
            await send_problem(send, 404, "not-found", "Not found", f"No route for {path}; see /docs.")

    async def _console(self, send: Send, path: str) -> None:
        file = console_file(path)
        content = None if file is None else await asyncio.to_thread(_read_file, file)
        if file is None or content is None:
            await send_problem(send, 404, "not-found", "Not found", f"No such page of the console: {path}.")
            return
        headers = {"Content-Security-Policy": CONSOLE_CSP, "Cache-Control": "no-cache"}
        await _send_bytes(send, 200, content, content_type(file), headers)

    async def _asset(self, send: Send, name: str) -> None:
        content = await asyncio.to_thread(_read_file, ASSETS_DIR / name)
        if content is None:
            await send_problem(send, 404, "not-found", "Not found", "No such asset.")
            return
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        await _send_bytes(send, 200, content, content_type)

    async def _ask_each_service(self, path: str) -> dict[str, httpx.Response]:
        """GET `path` of every service in-process, all at once."""

        async def ask(app: FastAPI) -> httpx.Response:
            # A service that fails answers 500 here, as it would to a request of its own.
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                return await client.get(path)

        answers = await asyncio.gather(*(ask(app) for app in self.apps.values()))
        return dict(zip(self.apps, answers, strict=True))

    async def _readyz(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The suite is ready when every service is; otherwise 503 naming the ones that are not."""
        answers = await self._ask_each_service("/readyz")
        services = {name: _json_or_status(answer) for name, answer in answers.items()}
        unready = [name for name, answer in answers.items() if answer.status_code != 200]
        if not unready:
            body = json.dumps({"status": "ready", "service": "gateway", "services": services}).encode()
            await _send_bytes(send, 200, body, "application/json")
            return
        detail = f"Not ready: {', '.join(unready)}."
        answer = problem(503, "not-ready", "Not ready", detail, unready=unready, services=services)
        await answer(scope, receive, send)

    async def _metrics(self) -> bytes:
        answers = await self._ask_each_service("/metrics")
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_MergedMetrics({name: answer.text for name, answer in answers.items()}))
        return generate_latest(registry)


class _MergedMetrics(Collector):
    """Every service's metrics as one exposition: one family (one HELP and TYPE) per metric name, with
    the samples of all services in it. A sample without a `service` label gets its service's name, so
    two services' series never collide."""

    def __init__(self, expositions: Mapping[str, str]) -> None:
        self.expositions = expositions

    def collect(self) -> Iterator[Metric]:
        merged: dict[str, Metric] = {}
        for service, text in self.expositions.items():
            for family in text_string_to_metric_families(text):
                target = merged.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    labels = {"service": service, **sample.labels}
                    target.samples.append(sample._replace(labels=labels))
        yield from merged.values()


def _json_or_status(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return {"status": answer.status_code}


def _read_file(file: Path) -> bytes | None:
    return file.read_bytes() if file.is_file() else None


def _request_id(scope: Scope) -> str:
    """Keeps an incoming X-Request-ID that passes the shared rule, otherwise makes one, and writes it
    into the request."""
    headers = [(k, v) for k, v in scope["headers"] if k != b"x-request-id"]
    incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
    request_id = incoming if is_valid_request_id(incoming) else uuid.uuid4().hex
    scope["headers"] = [*headers, (b"x-request-id", request_id.encode())]
    return request_id


def build_gateway(
    apps: Mapping[str, FastAPI], settings: GatewaySettings, bus: Any, routes: RouteTable = ROUTES
) -> "EmbeddedGateway":
    """The gateway with every service's lifespan inside its own: start all services (migrating each
    database), then open the in-process bus so no event is dispatched before every consumer is added.
    Shutdown is the mirror image: every service stops first (its relay finishes the rows it is
    publishing, which needs the bus open), then the bus closes."""
    dispatcher = Dispatcher(apps, settings, routes)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            async with contextlib.AsyncExitStack() as services:
                for app in apps.values():
                    await services.enter_async_context(app.router.lifespan_context(app))
                await bus.start()
                log.info("gateway_ready", services=list(apps))
                yield
        finally:
            await bus.stop()

    app: ASGIApp = SecurityHeadersMiddleware(dispatcher)
    if settings.cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Location", "Retry-After"],
            max_age=600,
        )
    return EmbeddedGateway(app, lifespan, apps)


class EmbeddedGateway:
    """The gateway's ASGI app; `lifespan` starts every service, `apps` are the services by name."""

    def __init__(self, app: ASGIApp, lifespan: Any, apps: Mapping[str, FastAPI]) -> None:
        self.app = app
        self.lifespan = lifespan
        self.apps = apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _run_lifespan(self.lifespan, receive, send)
        else:
            await self.app(scope, receive, send)


async def _run_lifespan(lifespan: Any, receive: Receive, send: Send) -> None:
    message = await receive()
    assert message["type"] == "lifespan.startup"
    try:
        context = lifespan(None)
        await context.__aenter__()
    except Exception as exc:
        log.exception("gateway_start_failed")
        await send({"type": "lifespan.startup.failed", "message": str(exc)})
        return
    await send({"type": "lifespan.startup.complete"})
    message = await receive()
    try:
        await context.__aexit__(None, None, None)
    finally:
        await send({"type": "lifespan.shutdown.complete"})
