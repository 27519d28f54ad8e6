"""Fixtures of the cross-service tests: free ports, directories nginx's workers can read, and the platform
sandboxes on real sockets."""

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from printbridge_shared import testing


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    return testing.free_port


@pytest.fixture(scope="session")
def readable_dir() -> Iterator[Callable[[], Path]]:
    """Makes directories for a gateway site. Under root nginx's workers run as an unprivileged user,
    and pytest's tmp_path is private (0700), so the site needs a world-readable directory."""
    made: list[Path] = []

    def make() -> Path:
        path = Path(tempfile.mkdtemp(prefix="printbridge-test-"))
        os.chmod(path, 0o755)
        made.append(path)
        return path

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class Sandboxes:
    """Both platform sandboxes on real sockets, and the settings that point a suite at them."""

    shopify: str
    woocommerce_http: str
    woocommerce_https: str
    ca_cert: Path
    client_id: str = "printbridge-e2e"
    client_secret: str = "shpss_e2e_" + "s" * 24

    def suite_env(self) -> dict[str, str]:
        return {
            "PRINTBRIDGE_SHOPIFY_ADMIN_URL": f"{self.shopify}/shops/{{shop}}",
            "PRINTBRIDGE_SHOPIFY_CLIENT_ID": self.client_id,
            "PRINTBRIDGE_SHOPIFY_CLIENT_SECRET": self.client_secret,
            "PRINTBRIDGE_ALLOW_PRIVATE_URLS": "true",
            "SSL_CERT_FILE": str(self.ca_cert),
        }


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandboxes]:
    from printbridge_sandbox.serving import running, running_on
    from printbridge_sandbox.shopify.app import create_app as shopify_app
    from printbridge_sandbox.woocommerce.app import create_app as woocommerce_app
    from printbridge_sandbox.woocommerce.tls import generate_tls_files

    tls = generate_tls_files(tmp_path_factory.mktemp("sandbox-tls"))
    http_port, https_port = testing.free_port(), testing.free_port()
    woo = woocommerce_app(
        public_http_url=f"http://127.0.0.1:{http_port}",
        public_https_url=f"https://127.0.0.1:{https_port}",
        ca_cert=tls.ca_cert,
    )
    with (
        running(shopify_app()) as shopify,
        running_on(
            woo,
            {"port": http_port},
            {"port": https_port, "ssl_certfile": str(tls.server_cert), "ssl_keyfile": str(tls.server_key)},
        ) as (woo_http, woo_https),
    ):
        sandboxes = Sandboxes(shopify, woo_http, woo_https, tls.ca_cert)
        created = httpx.post(
            f"{shopify}/_sandbox/shopify/apps",
            json={"client_id": sandboxes.client_id, "client_secret": sandboxes.client_secret},
        )
        created.raise_for_status()
        yield sandboxes


class ShopFlow:
    """A customer's shops connected through the public API against the sandboxes, and orders placed in
    them, seen in `GET /v1/orders`. `base` is the suite's gateway, `headers` an operator's."""

    def __init__(self, sandboxes: Sandboxes, base: str, headers: dict[str, str]) -> None:
        self.sandboxes = sandboxes
        self.base = base
        self.headers = headers

    def customer(self) -> str:
        created = httpx.post(f"{self.base}/v1/customers", json={"name": "E2E Brand"}, headers=self.headers)
        created.raise_for_status()
        return str(created.json()["id"])

    def connect(self, body: dict[str, object], within: float = 10.0) -> httpx.Response:
        """POST /v1/stores, retried while connectors has not yet heard of the customer (it learns of it
        by event)."""
        deadline = time.monotonic() + within
        while True:
            response = httpx.post(f"{self.base}/v1/stores", json=body, headers=self.headers, timeout=30)
            unknown = response.status_code == 422 and response.json()["type"].endswith("customer-unknown")
            if not unknown or time.monotonic() > deadline:
                return response
            time.sleep(0.1)

    def connect_shopify(self, customer_id: str, shop: str) -> str:
        control = f"{self.sandboxes.shopify}/_sandbox/shopify"
        httpx.post(f"{control}/shops", json={"domain": shop, "name": "E2E Shop"}).raise_for_status()
        started = self.connect({"platform": "shopify", "shop": shop, "customer_id": customer_id})
        assert started.status_code == 201, started.text
        # The merchant approves in Shopify, which sends the browser back to our callback.
        page = httpx.get(started.json()["authorize_url"], follow_redirects=True, timeout=30)
        assert page.status_code == 200, page.text
        store_id = str(started.json()["store"]["id"])
        assert self.store(store_id)["status"] == "connected", self.store(store_id)
        return store_id

    def connect_woocommerce(self, customer_id: str, slug: str, scheme: str = "https") -> str:
        control = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce"
        site = httpx.post(f"{control}/sites", json={"slug": slug, "scheme": scheme})
        site.raise_for_status()
        key = httpx.post(f"{control}/sites/{slug}/keys", json={"permissions": "read_write"})
        key.raise_for_status()
        body = {
            "platform": "woocommerce",
            "url": site.json()["url"],
            "consumer_key": key.json()["consumer_key"],
            "consumer_secret": key.json()["consumer_secret"],
            "customer_id": customer_id,
        }
        connected = self.connect(body)
        assert connected.status_code == 201, connected.text
        assert connected.json()["store"]["status"] == "connected"
        return str(connected.json()["store"]["id"])

    def store(self, store_id: str) -> dict[str, object]:
        response = httpx.get(f"{self.base}/v1/stores/{store_id}", headers=self.headers)
        response.raise_for_status()
        return dict(response.json())

    def place_shopify_order(self, shop: str) -> str:
        order = httpx.post(
            f"{self.sandboxes.shopify}/_sandbox/shopify/shops/{shop}/orders",
            json={"line_items": [{"sku": "POSTER-A2", "title": "Poster", "quantity": 2, "price": "24.95"}]},
        )
        order.raise_for_status()
        return str(order.json()["id"])

    def place_woocommerce_order(self, slug: str) -> str:
        order = httpx.post(
            f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}/orders",
            json={"line_items": [{"sku": "MUG", "name": "Mug", "quantity": 1, "price": "12.50"}]},
        )
        order.raise_for_status()
        return str(order.json()["id"])

    def lose_next_webhooks(self, *, shop: str | None = None, slug: str | None = None) -> None:
        """The platform drops its next delivery, as both do now and then."""
        if shop is not None:
            url = f"{self.sandboxes.shopify}/_sandbox/shopify/shops/{shop}/misbehaviour"
            httpx.put(url, json={"webhook_drop": 1}).raise_for_status()
        if slug is not None:
            url = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}/misbehaviour"
            httpx.put(url, json={"drop_deliveries": 1}).raise_for_status()

    def listed(self, store_id: str, external_id: str) -> bool:
        response = httpx.get(
            f"{self.base}/v1/orders",
            params={"store_id": store_id, "external_id": external_id},
            headers=self.headers,
        )
        response.raise_for_status()
        return bool(response.json()["items"])

    def reconcile(self, store_id: str) -> None:
        response = httpx.post(f"{self.base}/v1/stores/{store_id}/reconcile", headers=self.headers)
        assert response.status_code == 202, response.text

    def seconds_until_listed(self, store_id: str, external_id: str, within: float = 10.0) -> float:
        """How long the order took to appear in GET /v1/orders (fails after `within`)."""
        started = time.monotonic()
        while time.monotonic() - started < within:
            if self.listed(store_id, external_id):
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"order {external_id} of store {store_id} not listed within {within} s")


@pytest.fixture
def shop_flow(sandboxes: Sandboxes) -> Callable[[str, dict[str, str]], ShopFlow]:
    return lambda base, headers: ShopFlow(sandboxes, base, headers)
