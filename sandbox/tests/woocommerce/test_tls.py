"""The sandbox as it runs: one app behind a plain HTTP and an HTTPS server. A client that trusts the
generated CA (as SSL_CERT_FILE would make it) reaches an https site with Basic auth; one that does not
trust it is refused by its own TLS check."""

import asyncio
import socket
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from printbridge_sandbox.woocommerce.app import create_app
from printbridge_sandbox.woocommerce.tls import TlsFiles, generate_tls_files

CONTROL = "/_sandbox/woocommerce"


@dataclass
class Servers:
    http: str
    https: str
    tls: TlsFiles


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[Servers]:
    """One app behind two servers, as the sandbox runs: plain HTTP and HTTPS with a generated CA."""
    files = generate_tls_files(tmp_path / "tls")
    plain, tls = _bound_socket(), _bound_socket()
    urls = Servers(
        f"http://127.0.0.1:{plain.getsockname()[1]}", f"https://127.0.0.1:{tls.getsockname()[1]}", files
    )
    app = create_app(public_http_url=urls.http, public_https_url=urls.https, ca_cert=files.ca_cert)
    options = {"log_level": "warning", "host": "127.0.0.1"}
    http_server = uvicorn.Server(uvicorn.Config(app, **options))
    https_server = uvicorn.Server(
        uvicorn.Config(app, ssl_certfile=str(files.server_cert), ssl_keyfile=str(files.server_key), **options)
    )
    tasks = [
        asyncio.create_task(http_server.serve(sockets=[plain])),
        asyncio.create_task(https_server.serve(sockets=[tls])),
    ]
    deadline = time.monotonic() + 10
    while not (http_server.started and https_server.started):
        assert time.monotonic() < deadline, "the sandbox servers did not start"
        await asyncio.sleep(0.01)
    yield urls
    http_server.should_exit = https_server.should_exit = True
    await asyncio.gather(*tasks)


async def test_a_client_trusting_the_generated_ca_uses_basic_auth_over_tls(servers: Servers) -> None:
    async with httpx.AsyncClient(base_url=servers.http) as control:
        site = (await control.post(f"{CONTROL}/sites", json={"slug": "tls-shop", "scheme": "https"})).json()
        key = (await control.post(f"{CONTROL}/sites/tls-shop/keys", json={})).json()
        served_ca = await control.get(f"{CONTROL}/ca.pem")
    trust = ssl.create_default_context(cafile=str(servers.tls.ca_cert))
    async with httpx.AsyncClient(verify=trust) as client:
        answer = await client.get(
            f"{site['url']}/wp-json/wc/v3/system_status", auth=(key["consumer_key"], key["consumer_secret"])
        )

    assert site["url"] == f"{servers.https}/sites/tls-shop"
    assert answer.status_code == 200, answer.text
    assert answer.json()["security"]["secure_connection"] is True
    assert served_ca.content == servers.tls.ca_cert.read_bytes()


async def test_a_client_without_the_ca_refuses_the_certificate(servers: Servers) -> None:
    async with httpx.AsyncClient(base_url=servers.https, verify=ssl.create_default_context()) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"{CONTROL}/sites")
