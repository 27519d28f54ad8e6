"""The WooCommerce sandbox started with its lifespan, clients over "HTTP" and "HTTPS" (ASGI, the scheme
as a client's URL has it), a webhook receiver on a real socket, and an OAuth 1.0a signer written from
RFC 5849 and WooCommerce's documentation (not from the sandbox's code)."""

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from printbridge_sandbox.woocommerce.app import create_app
from printbridge_sandbox.woocommerce.tls import TlsFiles, generate_tls_files

HTTP_BASE = "http://127.0.0.1:9102"
HTTPS_BASE = "https://127.0.0.1:9443"
CONTROL = "/_sandbox/woocommerce"


@pytest.fixture
async def app(tls_files: TlsFiles) -> AsyncIterator[FastAPI]:
    app = create_app(
        public_http_url=HTTP_BASE,
        public_https_url=HTTPS_BASE,
        delivery_timeout_s=5,
        outbound_ca=tls_files.ca_cert,
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HTTP_BASE) as client:
        yield client


@pytest.fixture
async def https(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HTTPS_BASE) as client:
        yield client


@dataclass
class Shop:
    """A site made through the control API, with a read_write key."""

    slug: str
    url: str
    consumer_key: str
    consumer_secret: str

    @property
    def api(self) -> str:
        return f"{self.url}/wp-json/wc/v3"


async def make_shop(
    control: httpx.AsyncClient, *, scheme: str = "https", permissions: str = "read_write", **site: Any
) -> Shop:
    created = await control.post(f"{CONTROL}/sites", json={"scheme": scheme, **site})
    assert created.status_code == 201, created.text
    slug = created.json()["slug"]
    key = await control.post(f"{CONTROL}/sites/{slug}/keys", json={"permissions": permissions})
    assert key.status_code == 201, key.text
    return Shop(slug, created.json()["url"], key.json()["consumer_key"], key.json()["consumer_secret"])


ShopFactory = Callable[..., Awaitable[Shop]]


@pytest.fixture
def new_shop(http: httpx.AsyncClient) -> ShopFactory:
    """Makes another site: `await new_shop(scheme="http", permissions="read", woocommerce=False)`."""

    async def new(**site: Any) -> Shop:
        return await make_shop(http, **site)

    return new


@pytest.fixture
async def shop(http: httpx.AsyncClient) -> Shop:
    return await make_shop(http, scheme="https", slug="acme")


@pytest.fixture
async def plain_shop(http: httpx.AsyncClient) -> Shop:
    return await make_shop(http, scheme="http", slug="corner")


@pytest.fixture
def an_order() -> Callable[..., dict[str, Any]]:
    """The control API's body for an order, with `overrides`."""
    return order_spec


def order_spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "billing": {
            "first_name": "Anna",
            "last_name": "Schmidt",
            "email": "anna@example.com",
            "country": "DE",
        },
        "shipping": {
            "first_name": "Anna",
            "last_name": "Schmidt",
            "address_1": "Hauptstr. 12",
            "country": "DE",
        },
        "line_items": [
            {
                "name": "Business cards",
                "sku": "BC-350",
                "quantity": 2,
                "price": "40.00",
                "meta_data": [{"key": "pa_finish", "value": "matte", "display_key": "Finish"}],
            }
        ],
        "shipping_lines": [{"method_title": "DHL", "total": "4.90"}],
    }
    return spec | overrides


# -- OAuth 1.0a, one-legged, from RFC 5849 ------------------------------------------------------------


@pytest.fixture
def sign() -> Callable[..., dict[str, str]]:
    """`sign(method, url, params, key, secret, signature_method=…, timestamp=…, nonce=…)`."""
    return oauth1_params


def _enc(text: object) -> str:
    # RFC 5849 3.6: percent-encode everything but the RFC 3986 unreserved characters.
    return quote(str(text), safe="-._~")


def oauth1_params(
    method: str,
    url: str,
    params: dict[str, str],
    consumer_key: str,
    consumer_secret: str,
    *,
    signature_method: str = "HMAC-SHA1",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The request's parameters plus the oauth_* ones, signed (RFC 5849 3.4 without a token)."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": signature_method,
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
    }
    everything = {**params, **oauth}
    pairs = sorted((_enc(name), _enc(value)) for name, value in everything.items())
    normalized = "&".join(f"{name}={value}" for name, value in pairs)
    base_string = "&".join([method.upper(), _enc(url), _enc(normalized)])
    key = f"{_enc(consumer_secret)}&"
    digest = hashlib.sha1 if signature_method == "HMAC-SHA1" else hashlib.sha256
    signature = base64.b64encode(hmac.new(key.encode(), base_string.encode(), digest).digest()).decode()
    return {**everything, "oauth_signature": signature}


# -- a webhook receiver on a real socket ----------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    answer_status: int = 200
    requests: list[Received] = field(default_factory=list)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def record(self, request: Request) -> Response:
        received = Received(
            request.method,
            request.url.path,
            {k.lower(): v for k, v in request.headers.items()},
            await request.body(),
        )
        async with self._arrived:
            self.requests.append(received)
            self._arrived.notify_all()
        # No keep-alive: the server can stop at once, however the sandbox's client pools connections.
        return PlainTextResponse("ok", status_code=self.answer_status, headers={"Connection": "close"})

    async def wait_for(self, count: int, timeout_s: float = 5.0) -> list[Received]:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.requests) >= count), timeout_s)
        return list(self.requests)


@asynccontextmanager
async def serving_receiver(tls: TlsFiles | None = None) -> AsyncIterator[Receiver]:
    """A receiver on 127.0.0.1 and a free port, plain HTTP or HTTPS with `tls`'s certificate."""
    holder: list[Receiver] = []

    async def endpoint(request: Request) -> Response:
        return await holder[0].record(request)

    asgi = Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])])
    options: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "log_level": "warning", "lifespan": "off"}
    if tls is not None:
        options |= {"ssl_certfile": str(tls.server_cert), "ssl_keyfile": str(tls.server_key)}
    server = uvicorn.Server(uvicorn.Config(asgi, **options))
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 5
    while not server.started:
        assert time.monotonic() < deadline, "the webhook receiver did not start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    holder.append(Receiver(f"{'https' if tls else 'http'}://127.0.0.1:{port}/hooks/woo"))
    try:
        yield holder[0]
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving_receiver() as serving:
        yield serving


@pytest.fixture
def tls_files(tmp_path: Path) -> TlsFiles:
    return generate_tls_files(tmp_path / "tls")


@pytest.fixture
async def tls_receiver(tls_files: TlsFiles) -> AsyncIterator[Receiver]:
    """A receiver over HTTPS whose certificate the `app` fixture's outgoing requests trust."""
    async with serving_receiver(tls_files) as serving:
        yield serving
