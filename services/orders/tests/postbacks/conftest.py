"""What the postback tests share: a real HTTP receiver on a local socket (each test's endpoint has a path
of its own, and the test decides what it answers), the app allowed to reach it, an order that arrives
mapped and routed, and a way to let simulated time pass (the due times moved back, no sleeping)."""

import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy import func, select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from orders.config import Settings
from orders.main import create_app
from orders.models import PostbackAttempt, PostbackDelivery, jobs
from orders.postbacks.deliveries import SEND_JOB
from printbridge_sandbox.serving import running
from printbridge_shared.app import Runtime
from printbridge_shared.db import JOBS_ENQUEUED
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, eventually

from ..resolution.conftest import (  # noqa: F401  (fixtures the routed order is placed with)
    catalog_product,
    flyer_order,
    mapping,
    read_order,
    shop_variant_id,
)

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Inbox:
    """What one endpoint path received, and how it answers: `answer(received) -> status`."""

    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[Received, int]] = field(default_factory=list)
    answer: Callable[[Received], int] = lambda _received: 200

    def accepted(self) -> list[Received]:
        return [received for received, status in self.answers if 200 <= status < 300]


class Receiver:
    def __init__(self, base_url: str, inboxes: dict[str, Inbox]) -> None:
        self.base_url = base_url
        self.inboxes = inboxes

    def new(self) -> tuple[str, Inbox]:
        """A path of this test's own and its inbox."""
        name = uuid.uuid4().hex
        self.inboxes[name] = Inbox()
        return f"{self.base_url}/hooks/{name}", self.inboxes[name]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    inboxes: dict[str, Inbox] = {}

    async def hook(request: Request) -> Response:
        inbox = inboxes[request.path_params["name"]]
        received = Received(dict(request.headers), await request.body())
        inbox.requests.append(received)
        status = inbox.answer(received)
        inbox.answers.append((received, status))
        return Response(f"answered {status}", status_code=status)

    with running(Starlette(routes=[Route("/hooks/{name}", hook, methods=["POST"])])) as url:
        yield Receiver(url, inboxes)


@pytest.fixture
def allow_private_urls() -> bool:
    """The receiver is on loopback over plain http: allowed (a test parametrizes this to False)."""
    return True


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus, tmp_path, allow_private_urls: bool) -> FastAPI:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        log_json=False,
        allow_private_urls=allow_private_urls,
        secret_keys=Fernet.generate_key().decode(),
        postback_timeout_s=5,
    )
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
def create_endpoint(client, operator) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(url: str, **fields: Any) -> dict[str, Any]:
        response = await client.post("/v1/postbacks/endpoints", json={"url": url, **fields}, headers=operator)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return create


@pytest.fixture
def routed_order(deliver, catalog_product, mapping, flyer_order, read_order):  # noqa: F811  (imported above)
    """Places resolution's Shopify order of one line, mapped to a catalog product with a passed file: it
    arrives `received` and is routed at once. Returns its id."""

    async def place(external_id: str = "5001") -> str:
        await deliver(catalog_product(), aggregate_version=1)
        await deliver(mapping(), aggregate_version=1)
        await deliver(flyer_order(external_id=external_id))
        order = await read_order(external_id)
        assert order["status"] == "routed", order
        order_id: str = order["id"]
        return order_id

    return place


PRODUCTION_STEPS = ("in_production", "printed", "shipped")


@pytest.fixture
def produce(client, operator):
    """Claims a routed order and reports its steps up to `until` (shipped with tracking)."""

    async def run(order_id: str, until: str = "shipped") -> None:
        claimed = await client.post(f"/v1/production/orders/{order_id}/claim", headers=operator)
        assert claimed.status_code == 200, claimed.text
        for step in PRODUCTION_STEPS[: PRODUCTION_STEPS.index(until) + 1]:
            body: dict[str, Any] = {"status": step}
            if step == "shipped":
                body["tracking"] = {"number": "1Z999", "url": "https://track.example/1Z999"}
            reported = await client.post(f"/v1/orders/{order_id}/status", json=body, headers=operator)
            assert reported.status_code == 200, reported.text

    return run


@pytest.fixture
def time_passes(app: FastAPI) -> Callable[[dt.timedelta], Awaitable[None]]:
    """Lets `by` pass for the postbacks: every due time and retry window they keep, and every job's and
    schedule's due time, moves back by it, and the job runner is woken."""

    async def passes(by: dt.timedelta) -> None:
        async with app.state.db.session() as session:
            for delivery in await session.scalars(select(PostbackDelivery)):
                if delivery.next_attempt_at is not None:
                    delivery.next_attempt_at -= by
                if delivery.first_attempt_at is not None:
                    delivery.first_attempt_at -= by
            table = jobs.jobs
            for job_id, run_at in (await session.execute(select(table.c.id, table.c.run_at))).all():
                await session.execute(update(table).where(table.c.id == job_id).values(run_at=run_at - by))
            schedules = jobs.schedules
            for name, next_run_at in (
                await session.execute(select(schedules.c.name, schedules.c.next_run_at))
            ).all():
                await session.execute(
                    update(schedules).where(schedules.c.name == name).values(next_run_at=next_run_at - by)
                )
            session.info[JOBS_ENQUEUED] = True

    return passes


@pytest.fixture
def deliveries_of(client, operator) -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """An endpoint's deliveries, oldest first."""

    async def read(endpoint_id: str, **params: Any) -> list[dict[str, Any]]:
        response = await client.get(
            f"/v1/postbacks/endpoints/{endpoint_id}/deliveries",
            params={"limit": 200, **params},
            headers=operator,
        )
        assert response.status_code == 200, response.text
        return list(reversed(response.json()["items"]))

    return read


@pytest.fixture
def attempts_logged(app: FastAPI) -> Callable[[int], Awaitable[None]]:
    """Waits until `count` attempts in all are logged and no send job runs (the outcome of the last one
    is kept, its next attempt planned)."""

    async def logged(count: int) -> None:
        async def done() -> bool:
            async with app.state.db.read_session() as session:
                attempts = await session.scalar(select(func.count()).select_from(PostbackAttempt))
                running = await session.scalar(
                    select(func.count())
                    .select_from(jobs.jobs)
                    .where(jobs.jobs.c.kind == SEND_JOB, jobs.jobs.c.status == "running")
                )
            return attempts == count and running == 0

        await eventually(done, within=20)

    return logged
