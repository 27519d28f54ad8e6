"""The connectors app on a real socket beside the WooCommerce sandbox (HTTP and HTTPS, its own CA) on
real sockets, so the sandbox's webhooks reach the connector and the connector's calls reach the sandbox.
Tests drive the shop through the sandbox's control API and look at Printbridge's side."""

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
from printbridge_sandbox.woocommerce.app import create_app as create_sandbox
from printbridge_sandbox.woocommerce.tls import TlsFiles, generate_tls_files
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, bearer, eventually, free_port, running


@contextlib.asynccontextmanager
async def serving(app: Any, port: int, **options: Any) -> AsyncIterator[None]:
    """`app` served by uvicorn on 127.0.0.1:`port` (its lifespan is the caller's to run)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **options)
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


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return generate_tls_files(tmp_path_factory.mktemp("woocommerce-tls"))


@dataclass
class Shop:
    slug: str
    url: str
    consumer_key: str
    consumer_secret: str
    key_id: int


@dataclass
class Sandbox:
    control: httpx.AsyncClient

    async def new_shop(self, *, scheme: str = "https", permissions: str = "read_write", **site: Any) -> Shop:
        created = await self.control.post("/sites", json={"scheme": scheme, **site})
        assert created.status_code == 201, created.text
        slug = created.json()["slug"]
        key = await self.control.post(f"/sites/{slug}/keys", json={"permissions": permissions})
        assert key.status_code == 201, key.text
        body = key.json()
        return Shop(
            slug, created.json()["url"], body["consumer_key"], body["consumer_secret"], body["key_id"]
        )

    async def site(self, slug: str) -> dict[str, Any]:
        answer = await self.control.get(f"/sites/{slug}")
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def place_order(self, slug: str, **overrides: Any) -> dict[str, Any]:
        spec = {
            "billing": {"first_name": "Anna", "last_name": "Schmidt", "email": "anna@example.com"},
            "shipping": {
                "first_name": "Anna",
                "address_1": "Hauptstr. 12",
                "city": "Berlin",
                "country": "DE",
            },
            "line_items": [
                {
                    "name": "Business cards",
                    "sku": "BC-350",
                    "quantity": 2,
                    "price": "40.00",
                    "meta_data": [{"key": "pa_finish", "value": "matte"}],
                }
            ],
        } | overrides
        placed = await self.control.post(f"/sites/{slug}/orders", json=spec)
        assert placed.status_code == 201, placed.text
        result: dict[str, Any] = placed.json()
        return result

    async def drained(self, slug: str) -> list[dict[str, Any]]:
        """Every delivery of the site once the queued ones were sent."""
        answer = await self.control.post(f"/sites/{slug}/deliveries/wait", json={"timeout_s": 10})
        assert answer.status_code == 200, answer.text
        result: list[dict[str, Any]] = answer.json()
        return result

    async def misbehave(self, slug: str, **changes: Any) -> None:
        answer = await self.control.put(f"/sites/{slug}/misbehaviour", json=changes)
        assert answer.status_code == 200, answer.text

    async def calls(self, slug: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.control.get(f"/sites/{slug}/calls")).json()
        return result


@pytest.fixture
async def sandbox(tls_files: TlsFiles) -> AsyncIterator[Sandbox]:
    http_port, https_port = free_port(), free_port()
    app = create_sandbox(
        public_http_url=f"http://127.0.0.1:{http_port}",
        public_https_url=f"https://127.0.0.1:{https_port}",
        ca_cert=tls_files.ca_cert,
        delivery_timeout_s=5,
    )
    tls = {"ssl_certfile": str(tls_files.server_cert), "ssl_keyfile": str(tls_files.server_key)}
    async with (
        app.router.lifespan_context(app),
        serving(app, http_port),
        serving(app, https_port, **tls),
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{http_port}/_sandbox/woocommerce", timeout=15
        ) as control,
    ):
        yield Sandbox(control)


@pytest.fixture
def connectors_port() -> int:
    return free_port()


@pytest.fixture
def settings_for(database_url: str, connectors_port: int, tmp_path: Path) -> Callable[..., Settings]:
    def settings(**changes: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "log_json": False,
            "public_url": f"http://127.0.0.1:{connectors_port}",
            "allow_private_urls": True,
            "secret_keys": Fernet.generate_key().decode(),
            "reconcile_interval_s": 3600,
            "data_dir": tmp_path,
        }
        return Settings(**(values | changes))

    return settings


@pytest.fixture
def app(
    settings_for: Callable[..., Settings],
    auth: AuthKeys,
    bus: InProcessBus,
    tls_files: TlsFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> FastAPI:
    # httpx trusts what SSL_CERT_FILE names (read when the platforms' client is made): the sandbox's CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files.ca_cert))
    return create_app(settings_for(), Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
async def client(app: FastAPI, connectors_port: int, sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The started app as a client, and the same app on a real socket for the platforms' webhooks. The
    sandbox starts first and stops last: the app's connections to it close before it stops (a TLS
    server otherwise waits 30 s for each client's close_notify)."""
    async with running(app) as client, serving(app, connectors_port):
        yield client


@pytest.fixture
async def customer_id(app: FastAPI, client: httpx.AsyncClient) -> uuid.UUID:
    """A customer the connectors service knows (as customer.created would have told it)."""
    known = uuid.uuid4()
    async with app.state.db.session() as session:
        session.add(KnownCustomer(id=known, name="Acme Print", archived=False, version=1))
    return known


async def connect(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    shop: Shop,
    customer_id: uuid.UUID | None,
    **extra: Any,
) -> httpx.Response:
    body = {
        "platform": "woocommerce",
        "url": shop.url,
        "consumer_key": shop.consumer_key,
        "consumer_secret": shop.consumer_secret,
        **({"customer_id": str(customer_id)} if customer_id else {}),
        **extra,
    }
    return await client.post("/v1/stores", json=body, headers=headers)


@pytest.fixture
def operator_headers(auth: AuthKeys) -> dict[str, str]:
    return bearer(auth.operator_token())


async def outbox_events(app: FastAPI, event_type: str) -> list[dict[str, Any]]:
    """The `data` of each event of `event_type` the service recorded, in order."""
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
    shop: Shop
    store_id: str


@pytest.fixture
def connected(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    customer_id: uuid.UUID,
    operator_headers: dict[str, str],
) -> Callable[..., Any]:
    """`await connected(scheme="https")`: a sandbox shop connected as a store, its first poll done."""

    async def connect_one(**site: Any) -> Connected:
        shop = await sandbox.new_shop(**site)
        answer = await connect(client, operator_headers, shop, customer_id)
        assert answer.status_code == 201, answer.text
        store_id = answer.json()["store"]["id"]

        async def polled() -> bool:
            return (await store_row(app, store_id)).last_polled_at is not None

        await eventually(polled)
        return Connected(shop, store_id)

    return connect_one
