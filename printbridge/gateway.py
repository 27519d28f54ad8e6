"""The embedded gateway: one ASGI app that hands each request to the in-process service the route
table names, with the same edge rules nginx applies in the distributed mode (request ids, CORS, body
limit, rate limit, no /internal), plus the merged /openapi.json and /docs."""

import contextlib
import json
import math
import mimetypes
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printbridge.config import GatewaySettings
from printbridge.docs_page import ASSETS_DIR, ASSETS_PREFIX, DOCS_CSP, DOCS_HTML
from printbridge.openapi import merge_openapi
from printbridge_shared.http import BodySizeLimitMiddleware, send_problem
from printbridge_shared.routes import INTERNAL_PREFIX, service_for_path
from printbridge_shared.security_headers import SecurityHeadersMiddleware

log = structlog.get_logger("printbridge.gateway")


class TokenBucket:
    """Per-client-address rate limit: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, client: str) -> float:
        """Returns 0 when allowed, else the seconds until a request would be."""
        now = time.monotonic()
        tokens, stamp = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        if len(self._buckets) > 100_000:
            self._buckets.clear()
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[client] = (tokens - 1, now)
        return 0.0


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
    def __init__(self, apps: Mapping[str, FastAPI], settings: GatewaySettings) -> None:
        self.apps = apps
        self.settings = settings
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
        service = service_for_path(path)
        if service is not None:
            await self.apps[service](scope, receive, send)
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
        elif path.startswith(ASSETS_PREFIX) and "/" not in path[len(ASSETS_PREFIX) :]:
            await self._asset(send, path[len(ASSETS_PREFIX) :])
        elif path == "/healthz":
            await _send_bytes(send, 200, b'{"status":"ok","service":"gateway"}', "application/json")
        else:
            await send_problem(send, 404, "not-found", "Not found", f"No route for {path}; see /docs.")

    async def _asset(self, send: Send, name: str) -> None:
        file = ASSETS_DIR / name
        if not file.is_file():
            await send_problem(send, 404, "not-found", "Not found", "No such asset.")
            return
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        await _send_bytes(send, 200, file.read_bytes(), content_type)


def _request_id(scope: Scope) -> str:
    """Keeps a sane incoming X-Request-ID, otherwise makes one, and writes it into the request."""
    headers = [(k, v) for k, v in scope["headers"] if k != b"x-request-id"]
    incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
    valid = 0 < len(incoming) <= 128 and all(c.isalnum() or c in "-_.:" for c in incoming)
    request_id = incoming if valid else uuid.uuid4().hex
    scope["headers"] = [*headers, (b"x-request-id", request_id.encode())]
    return request_id


def build_gateway(apps: Mapping[str, FastAPI], settings: GatewaySettings, bus: Any) -> "EmbeddedGateway":
    """The gateway with every service's lifespan inside its own: start all services (migrating each
    database), then open the in-process bus so no event is dispatched before every consumer is added."""
    dispatcher = Dispatcher(apps, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            await bus.start()
            log.info("gateway_ready", services=list(apps))
            yield
            await bus.stop()

    app: ASGIApp = SecurityHeadersMiddleware(
        BodySizeLimitMiddleware(dispatcher, max_bytes=settings.max_body_bytes)
    )
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
