"""The sandbox over real TLS: a client that trusts the generated CA (as SSL_CERT_FILE would make it)
reaches an https site with Basic auth; one that does not trust it is refused by its own TLS check."""

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from printbridge_sandbox.woocommerce.app import create_app
from printbridge_sandbox.woocommerce.tls import TlsFiles, generate_tls_files

CONTROL = "/_sandbox/woocommerce"


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[tuple[str, TlsFiles]]:
    files = generate_tls_files(tmp_path / "tls")
    # The port is only known once bound; sites get their home URL from the control call's address.
    app = create_app(ca_cert=files.ca_cert)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        ssl_certfile=str(files.server_cert),
        ssl_keyfile=str(files.server_key),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the TLS server did not start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"https://127.0.0.1:{port}", files
    server.should_exit = True
    await task


async def test_a_client_trusting_the_generated_ca_uses_basic_auth_over_tls(
    tls_server: tuple[str, TlsFiles],
) -> None:
    base, files = tls_server
    trust = ssl.create_default_context(cafile=str(files.ca_cert))
    async with httpx.AsyncClient(base_url=base, verify=trust) as client:
        site = (await client.post(f"{CONTROL}/sites", json={"slug": "tls-shop", "scheme": "https"})).json()
        key = (await client.post(f"{CONTROL}/sites/tls-shop/keys", json={})).json()

        answer = await client.get(
            f"{site['url']}/wp-json/wc/v3/system_status", auth=(key["consumer_key"], key["consumer_secret"])
        )
        served_ca = await client.get(f"{CONTROL}/ca.pem")

    assert site["url"] == f"{base}/sites/tls-shop"
    assert answer.status_code == 200, answer.text
    assert answer.json()["security"]["secure_connection"] is True
    assert served_ca.content == files.ca_cert.read_bytes()


async def test_a_client_without_the_ca_refuses_the_certificate(tls_server: tuple[str, TlsFiles]) -> None:
    base, _ = tls_server
    async with httpx.AsyncClient(base_url=base, verify=ssl.create_default_context()) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"{CONTROL}/sites")
