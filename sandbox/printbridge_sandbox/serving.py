"""Runs an ASGI app on 127.0.0.1 over real sockets, in a thread of its own, for tests
(`with running(app) as base_url: ...`) and for anything else that needs a server beside the caller.
`running_on` puts one app behind several servers (e.g. plain HTTP and TLS) on one event loop, since an
app's state (locks, background tasks) belongs to the loop it started on. `every_platform` starts every
platform's sandbox so, for the suite's tests and its fault suite."""

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from printbridge_shared.testing import free_port

START_TIMEOUT_SECONDS = 10.0


@contextmanager
def running(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Starts `app` (its lifespan too), yields its base URL, stops it on exit."""
    with running_on(app, {"port": port}, host=host) as (url,):
        yield url


@contextmanager
def running_on(app: Any, *servers: dict[str, Any], host: str = "127.0.0.1") -> Iterator[list[str]]:
    """Starts `app` behind one server per options dict (uvicorn.Config's: `port`, 0 for a free one, and
    `ssl_certfile`/`ssl_keyfile` for TLS), all on one event loop; yields their base URLs in order."""
    started = [
        uvicorn.Server(
            uvicorn.Config(app, host=host, log_level="warning", lifespan="on", access_log=False, **options)
        )
        for options in servers
    ]

    async def serve() -> None:
        await asyncio.gather(*(server.serve() for server in started))

    name = f"uvicorn-{getattr(app, 'title', 'app')}"
    thread = threading.Thread(target=lambda: asyncio.run(serve()), name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not all(server.started for server in started):
        if not thread.is_alive() or time.monotonic() > deadline:
            for server in started:
                server.should_exit = True
            raise RuntimeError("the server did not start (see its log above)")
        time.sleep(0.005)
    urls = [
        f"{'https' if 'ssl_certfile' in options else 'http'}://{host}:"
        f"{server.servers[0].sockets[0].getsockname()[1]}"
        for server, options in zip(started, servers, strict=True)
    ]
    try:
        yield urls
    finally:
        for server in started:
            server.should_exit = True
        thread.join(timeout=START_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class Platforms:
    """Every platform's sandbox on a real socket of this machine: their base URLs, and the CA the
    WooCommerce site's HTTPS certificate is signed by (a client trusts it through `SSL_CERT_FILE`)."""

    shopify: str
    woocommerce_http: str
    woocommerce_https: str
    etsy: str
    pressero: str
    ca_cert: Path


@contextmanager
def every_platform(tls_dir: Path) -> Iterator[Platforms]:
    """Starts the Shopify, WooCommerce (plain HTTP and HTTPS), Etsy and Pressero sandboxes, empty, for the
    suite's own tests and its fault suite; `tls_dir` receives the WooCommerce site's certificates."""
    from printbridge_sandbox.etsy.app import create_app as etsy_app
    from printbridge_sandbox.pressero.app import create_app as pressero_app
    from printbridge_sandbox.shopify.app import create_app as shopify_app
    from printbridge_sandbox.woocommerce.app import create_app as woocommerce_app
    from printbridge_sandbox.woocommerce.tls import generate_tls_files

    tls = generate_tls_files(tls_dir)
    http_port, https_port = free_port(), free_port()
    woo = woocommerce_app(
        public_http_url=f"http://127.0.0.1:{http_port}",
        public_https_url=f"https://127.0.0.1:{https_port}",
        ca_cert=tls.ca_cert,
    )
    with (
        running(shopify_app()) as shopify,
        running(etsy_app()) as etsy,
        running(pressero_app()) as pressero,
        running_on(
            woo,
            {"port": http_port},
            {"port": https_port, "ssl_certfile": str(tls.server_cert), "ssl_keyfile": str(tls.server_key)},
        ) as (woo_http, woo_https),
    ):
        yield Platforms(shopify, woo_http, woo_https, etsy, pressero, tls.ca_cert)
