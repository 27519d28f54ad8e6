"""Whose X-Forwarded-For a Printbridge HTTP server believes (PRINTBRIDGE_TRUSTED_PROXIES): only the
listed proxies'; with none listed, the connection's own address is the client, whatever the header says.
Checked through uvicorn itself, configured as `printbridge run` and `printbridge serve` configure it."""

import pytest
import uvicorn
from pydantic import ValidationError

from printbridge_shared.config import ServiceSettings, forwarding_options


async def client_seen(trusted_proxies: str, peer: str, forwarded_for: str) -> str:
    seen: list[str] = []

    async def app(scope, receive, send) -> None:
        seen.append(scope["client"][0])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(app, **forwarding_options(trusted_proxies))
    config.load()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        "client": (peer, 50000),
        "scheme": "http",
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message) -> None:
        return None

    await config.loaded_app(scope, receive, send)
    return seen[0]


async def test_with_no_trusted_proxy_a_loopback_client_cannot_choose_its_address():
    assert await client_seen("", "127.0.0.1", "203.0.113.7") == "127.0.0.1"


async def test_a_listed_proxy_is_believed_and_anyone_else_is_not():
    assert await client_seen("10.0.0.0/8", "10.1.2.3", "203.0.113.7") == "203.0.113.7"
    assert await client_seen("10.0.0.0/8", "127.0.0.1", "203.0.113.7") == "127.0.0.1"


async def test_a_service_believes_the_gateway_on_loopback_by_default():
    settings = ServiceSettings()
    assert await client_seen(settings.trusted_proxies, "127.0.0.1", "203.0.113.7") == "203.0.113.7"


def test_a_trusted_proxy_that_is_no_address_is_refused_naming_the_setting():
    with pytest.raises(ValidationError, match="PRINTBRIDGE_TRUSTED_PROXIES"):
        ServiceSettings(trusted_proxies="127.0.0.1,gateway")
