"""What the log configuration keeps out of log lines."""

import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog

from printbridge_shared.logging import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    httpx_level = logging.getLogger("httpx").level
    structlog_config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(httpx_level)
    structlog.configure(**structlog_config)


async def test_outbound_request_urls_with_credentials_are_not_logged(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", json=True, cache=False)
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get("https://shop.example/wp-json/wc/v3/orders", params={"consumer_secret": "cs_hidden"})
    structlog.get_logger("test").info("after_the_call")

    logged = capsys.readouterr().err
    assert "after_the_call" in logged  # INFO lines are written
    assert "cs_hidden" not in logged
