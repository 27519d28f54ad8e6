"""Prometheus metrics per service app (each app has its own registry, so the embedded mode can hold
all five in one process)."""

import time
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import Table, func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printbridge_shared.db import Database, utcnow


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

        self.events_handled = Counter(
            "printbridge_events_handled_total",
            "Events a consumer group of this service handled (first deliveries, not repeats)",
            ["service", "consumer", "event_type"],
            registry=self.registry,
        )
        self.events_unroutable = Counter(
            "printbridge_events_unroutable_total",
            "Publish attempts of an event that a consumer group binds but whose queue took nothing; "
            "the outbox row stays unsent and is tried again",
            ["service", "event_type"],
            registry=self.registry,
        )
        self.outbox_lag = Gauge(
            "printbridge_outbox_lag_seconds",
            "Age of the oldest outbox row not yet published (0 when none waits)",
            ["service"],
            registry=self.registry,
        )
        self.outbox_unsent = Gauge(
            "printbridge_outbox_unsent", "Outbox rows not yet published", ["service"], registry=self.registry
        )
        self.dead_letters = Gauge(
            "printbridge_event_dead_letters",
            "Events a consumer group of this service gave up on: dead_letters rows (embedded) and messages "
            "in <group>.dead (RabbitMQ)",
            ["service", "consumer"],
            registry=self.registry,
        )

    async def observe_messaging(
        self,
        db: Database,
        *,
        outbox: Table,
        dead_letters: Table,
        consumers: list[str],
        parked_on_broker: Mapping[str, int],
    ) -> None:
        """Reads the outbox and dead-letter gauges from the database (plus what waits in the groups'
        dead-letter queues on RabbitMQ); called at scrape time."""
        unsent = outbox.c.published_at.is_(None)
        async with db.read_session() as session:
            count, oldest = (
                await session.execute(select(func.count(), func.min(outbox.c.created_at)).where(unsent))
            ).one()
            per_consumer = select(dead_letters.c.consumer, func.count()).group_by(dead_letters.c.consumer)
            parked: dict[str, int] = {
                consumer: number for consumer, number in await session.execute(per_consumer)
            }
        self.outbox_unsent.labels(self.service).set(count)
        lag = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        self.outbox_lag.labels(self.service).set(max(0.0, lag))
        self.dead_letters.clear()
        for consumer in sorted({*consumers, *parked, *parked_on_broker}):
            total = parked.get(consumer, 0) + parked_on_broker.get(consumer, 0)
            self.dead_letters.labels(self.service, consumer).set(total)

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
