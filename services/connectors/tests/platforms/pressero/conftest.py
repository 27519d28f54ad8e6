"""The connectors app on a real socket beside the Pressero sandbox on another, so the sandbox's webhooks
reach the connector and the connector's calls reach the sandbox. Tests act as the producer and buyers
through the sandbox's control API and look at Printbridge's side."""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy import select

from connectors.config import Settings
from connectors.main import create_app
from connectors.models import KnownCustomer, Store, WebhookDelivery, messaging
from printbridge_sandbox.pressero.app import create_app as create_sandbox
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, bearer, eventually, free_port, running

DOMAIN = "print.acme.example"
REFERENCE = "ACME-001"


@contextlib.asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@dataclass
class Account:
    subscriber_id: str
    consumer_id: str
    username: str
    password: str


@dataclass
class Sandbox:
    url: str
    control: httpx.AsyncClient

    async def new_account(self, domain: str = DOMAIN) -> Account:
        made = await self.control.post("/subscribers", json={})
        assert made.status_code == 201, made.text
        body = made.json()
        site = await self.control.post(f"/subscribers/{body['subscriber_id']}/sites", json={"domain": domain})
        assert site.status_code == 201, site.text
        return Account(body["subscriber_id"], body["consumer_id"], body["username"], body["password"])

    async def place_order(self, domain: str = DOMAIN, **spec: Any) -> int:
        placed = await self.control.post(f"/sites/{domain}/orders", json=spec)
        assert placed.status_code == 201, placed.text
        return int(placed.json()["order"]["OrderNumber"])

    async def decide(self, number: int, item: int, decision: str, **spec: Any) -> None:
        answer = await self.control.post(f"/orders/{number}/items/{item}/{decision}", json=spec or None)
        assert answer.status_code == 200, answer.text

    async def set_webhooks(self, account: Account, setup: dict[str, Any]) -> None:
        body = {"url": setup["webhook_url"], "security_key": setup["security_key"], "events": setup["events"]}
        answer = await self.control.put(f"/subscribers/{account.subscriber_id}/webhooks", json=body)
        assert answer.status_code == 200, answer.text

    async def drained(self, account: Account) -> list[dict[str, Any]]:
        answer = await self.control.post(f"/subscribers/{account.subscriber_id}/deliveries/wait", json={})
        assert answer.status_code == 200, answer.text
        result: list[dict[str, Any]] = answer.json()
        return result

    async def switches(self, account: Account, **changes: Any) -> None:
        answer = await self.control.put(f"/subscribers/{account.subscriber_id}/switches", json=changes)
        assert answer.status_code == 200, answer.text

    async def calls(self, account: Account) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (
            await self.control.get(f"/subscribers/{account.subscriber_id}/calls")
        ).json()
        return result


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    port = free_port()
    app = create_sandbox(delivery_timeout_s=5)
    async with (
        app.router.lifespan_context(app),
        serving(app, port),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/_sandbox/pressero", timeout=15) as control,
    ):
        yield Sandbox(f"http://127.0.0.1:{port}", control)


@pytest.fixture
def connectors_port() -> int:
    return free_port()


@pytest.fixture
def app(
    database_url: str, connectors_port: int, tmp_path: Path, auth: AuthKeys, bus: InProcessBus
) -> FastAPI:
    settings = Settings(
        database_url=database_url,
        log_json=False,
        public_url=f"http://127.0.0.1:{connectors_port}",
        allow_private_urls=True,
        secret_keys=Fernet.generate_key().decode(),
        reconcile_interval_s=3600,
        data_dir=tmp_path,
    )
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
async def client(app: FastAPI, connectors_port: int, sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as client, serving(app, connectors_port):
        yield client


async def known_customer(app: FastAPI, reference_id: str | None) -> uuid.UUID:
    """A customer the connectors service knows (as customer.created would have told it)."""
    known = uuid.uuid4()
    async with app.state.db.session() as session:
        session.add(
            KnownCustomer(id=known, name="Acme Print", reference_id=reference_id, archived=False, version=1)
        )
    return known


@pytest.fixture
async def customer_id(app: FastAPI, client: httpx.AsyncClient) -> uuid.UUID:
    return await known_customer(app, REFERENCE)


@pytest.fixture
def operator_headers(auth: AuthKeys) -> dict[str, str]:
    return bearer(auth.operator_token())


def connect_body(
    sandbox: Sandbox, account: Account, customer_id: uuid.UUID | None, **changes: Any
) -> dict[str, Any]:
    return {
        "platform": "pressero",
        "admin_url": sandbox.url,
        "site_domain": DOMAIN,
        "integration_id": REFERENCE,
        "subscriber_id": account.subscriber_id,
        "consumer_id": account.consumer_id,
        "username": account.username,
        "password": account.password,
        **({"customer_id": str(customer_id)} if customer_id else {}),
        **changes,
    }


async def outbox_events(app: FastAPI, event_type: str) -> list[dict[str, Any]]:
    table = messaging.outbox
    async with app.state.db.session() as session:
        rows = (
            await session.execute(
                select(table.c.envelope).where(table.c.event_type == event_type).order_by(table.c.seq)
            )
        ).all()
    return [json.loads(row.envelope)["data"] for row in rows]


async def deliveries(app: FastAPI) -> list[WebhookDelivery]:
    async with app.state.db.session() as session:
        rows = await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.received_at))
        return list(rows.all())


async def store_row(app: FastAPI, store_id: str) -> Store:
    async with app.state.db.session() as session:
        store = await session.get(Store, uuid.UUID(store_id))
        assert store is not None
        return store


@dataclass
class Connected:
    account: Account
    store_id: str
    setup: dict[str, Any]


@pytest.fixture
def connected(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    customer_id: uuid.UUID,
    operator_headers: dict[str, str],
) -> Callable[..., Any]:
    """`await connected()`: a sandbox site connected as a store, the producer's webhook entered in the
    sandbox as the connect answer says, the store's first poll done."""

    async def connect_one(*, webhooks: bool = True) -> Connected:
        account = await sandbox.new_account()
        answer = await client.post(
            "/v1/stores", json=connect_body(sandbox, account, customer_id), headers=operator_headers
        )
        assert answer.status_code == 201, answer.text
        store_id, setup = answer.json()["store"]["id"], answer.json()["setup"]
        if webhooks:
            await sandbox.set_webhooks(account, setup)

        async def polled() -> bool:
            return (await store_row(app, store_id)).last_polled_at is not None

        await eventually(polled)
        return Connected(account, store_id, setup)

    return connect_one


async def published(app: FastAPI, number: int) -> dict[str, list[dict[str, Any]]]:
    """The events published for the order, by type."""
    return {
        kind: [e for e in await outbox_events(app, f"shop_order.{kind}") if e["external_id"] == str(number)]
        for kind in ("received", "updated", "cancelled")
    }
