"""The Shopify sandbox on a real socket with an app and a shop, and a webhook receiver beside it."""

from collections.abc import Iterator

import httpx
import pytest

from printbridge_sandbox.serving import running
from printbridge_sandbox.shopify.app import create_app
from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.shopify.testing import REDIRECT, SHOP, Receiver, Sandbox, receiving


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[Receiver]:
    with receiving() as hooks:
        yield hooks


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    return receiver_server.fresh()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """One server per test module (the Makefile keeps a module in one worker); each test resets it."""
    settings = ShopifySettings(webhook_retry_base_seconds=0.001, webhook_timeout_seconds=2.0)
    with running(create_app(settings)) as url:
        yield url


@pytest.fixture
def sandbox(base_url: str) -> Iterator[Sandbox]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=10) as http:
        box = Sandbox(http)
        box.control("POST", "/reset")
        app = box.control("POST", "/apps", json={"redirect_urls": [REDIRECT]})
        box.client_id, box.client_secret = app["client_id"], app["client_secret"]
        box.control("POST", "/shops", json={"domain": SHOP, "name": "Acme Prints"})
        yield box
