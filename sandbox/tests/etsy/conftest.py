"""The Etsy sandbox on a real socket (one server per module, reset per test) with an app, a seller and a
shop; the webhook receiver is the parent conftest's `receiver`."""

from collections.abc import Iterator

import httpx
import pytest

from printbridge_sandbox.etsy.app import create_app
from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.etsy.testing import Etsy
from printbridge_sandbox.serving import running


@pytest.fixture(scope="module")
def etsy_url() -> Iterator[str]:
    # Etsy's retry schedule (5 s … 10 h) scaled down to milliseconds.
    settings = EtsySettings(webhook_retry_scale=0.0001, webhook_timeout_seconds=2.0)
    with running(create_app(settings)) as url:
        yield url


@pytest.fixture
def http(etsy_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=etsy_url, follow_redirects=False, timeout=10) as client:
        reset = client.post("/_sandbox/etsy/reset")
        assert reset.status_code == 204, reset.text
        client.patch(
            "/_sandbox/etsy/settings", json={"webhook_retry_scale": 0.0001, "webhook_timeout_seconds": 2.0}
        )
        yield client


@pytest.fixture
def etsy(http: httpx.Client) -> Etsy:
    return Etsy(http).setup()
