"""Prometheus metrics per service app (each app has its own registry, so the embedded mode can hold
all five in one process)."""

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "printbridge_http_requests_total",
            "HTTP requests handled",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "printbridge_http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.worker_up = Gauge(
            "printbridge_worker_up",
            "1 while a supervised background worker runs, 0 while it is down",
            ["service", "worker"],
            registry=self.registry,
        )
        self.worker_restarts = Counter(
            "printbridge_worker_restarts_total",
            "Restarts of a supervised background worker after it crashed",
            ["service", "worker"],
            registry=self.registry,
        )
        self.jobs = Gauge(
            "printbridge_jobs",
            "Durable jobs by kind and status (queued, running, failed = given up)",
            ["service", "kind", "status"],
            registry=self.registry,
        )
        self.jobs_oldest_due_age = Gauge(
            "printbridge_jobs_oldest_due_age_seconds",
            "How long the oldest due job (queued, run_at passed) has been waiting; 0 when none waits",
            ["service"],
            registry=self.registry,
        )
        self.job_attempts = Counter(
            "printbridge_job_attempts_total",
            "Job attempts by kind and outcome (succeeded, retried, given_up)",
            ["service", "kind", "outcome"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route: Any = scope.get("route")
            path = getattr(route, "path", "unmatched")
            labels = (self.metrics.service, scope["method"], path)
            self.metrics.requests.labels(*labels, str(status)).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - start)
