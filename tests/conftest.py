"""Fixtures of the cross-service tests: free ports, directories nginx's workers can read, and the platform
sandboxes on real sockets."""

import base64
import csv
import io
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

import httpx
import pytest

from printbridge_shared import testing
from printbridge_shared.testing import SHIPPING_ADDRESS, WOOCOMMERCE_SHIPPING, retried_while


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


class PostbackReceiver:
    """A producer's system on a real socket: it keeps every postback it receives (its headers and exact
    bytes) by the last segment of the path it was sent to, and answers 200 — or what `answers` holds for
    that path (410: the endpoint is gone)."""

    def __init__(self) -> None:
        self.received: dict[str, list[tuple[dict[str, str], bytes]]] = {}
        self.answers: dict[str, int] = {}

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        async def hook(request: Request) -> Response:
            name = request.path_params["name"]
            self.received.setdefault(name, []).append((dict(request.headers), await request.body()))
            return Response(status_code=self.answers.get(name, 200))

        return Starlette(routes=[Route("/hooks/{name}", hook, methods=["POST"])])


@dataclass(frozen=True)
class Sandboxes:
    """The platform sandboxes on real sockets, and the settings that point a suite at them; beside them a
    producer's system that receives postbacks."""

    shopify: str
    woocommerce_http: str
    woocommerce_https: str
    etsy: str
    pressero: str
    ca_cert: Path
    postbacks: str
    postback_receiver: PostbackReceiver
    client_id: str = "printbridge-e2e"
    client_secret: str = "shpss_e2e_" + "s" * 24
    etsy_keystring: str = "printbridgee2e"
    etsy_shared_secret: str = "e2esharedsecret"
    etsy_webhook_secret: str = "whsec_" + base64.b64encode(b"e2e-etsy-webhook-secret").decode()

    def suite_env(self) -> dict[str, str]:
        return {
            "PRINTBRIDGE_SHOPIFY_ADMIN_URL": f"{self.shopify}/shops/{{shop}}",
            "PRINTBRIDGE_SHOPIFY_CLIENT_ID": self.client_id,
            "PRINTBRIDGE_SHOPIFY_CLIENT_SECRET": self.client_secret,
            "PRINTBRIDGE_ETSY_KEYSTRING": self.etsy_keystring,
            "PRINTBRIDGE_ETSY_SHARED_SECRET": self.etsy_shared_secret,
            "PRINTBRIDGE_ETSY_WEBHOOK_SECRET": self.etsy_webhook_secret,
            "PRINTBRIDGE_ETSY_API_URL": self.etsy,
            "PRINTBRIDGE_ETSY_CONNECT_URL": f"{self.etsy}/oauth/connect",
            "PRINTBRIDGE_ALLOW_PRIVATE_URLS": "true",
            "SSL_CERT_FILE": str(self.ca_cert),
        }


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandboxes]:
    with platform_sandboxes(tmp_path_factory.mktemp("sandbox-tls")) as started:
        yield started


@contextmanager
def platform_sandboxes(tls_dir: Path) -> Iterator[Sandboxes]:
    """Every platform's sandbox with the suite's Shopify and Etsy apps registered, and a postback
    receiver."""
    from printbridge_sandbox.serving import every_platform, running

    receiver = PostbackReceiver()
    with (
        every_platform(tls_dir) as platforms,
        running(receiver.app()) as postbacks,
    ):
        shopify, etsy = platforms.shopify, platforms.etsy
        sandboxes = Sandboxes(
            shopify,
            platforms.woocommerce_http,
            platforms.woocommerce_https,
            etsy,
            platforms.pressero,
            platforms.ca_cert,
            postbacks,
            receiver,
        )
        created = httpx.post(
            f"{shopify}/_sandbox/shopify/apps",
            json={"client_id": sandboxes.client_id, "client_secret": sandboxes.client_secret},
        )
        created.raise_for_status()
        etsy_app_created = httpx.post(
            f"{etsy}/_sandbox/etsy/apps",
            json={
                "keystring": sandboxes.etsy_keystring,
                "shared_secret": sandboxes.etsy_shared_secret,
                "webhook_secret": sandboxes.etsy_webhook_secret,
            },
        )
        etsy_app_created.raise_for_status()
        yield sandboxes


class ShopFlow:
    """A customer's shops connected through the public API against the sandboxes, and orders placed in
    them, seen in `GET /v1/orders`. `base` is the suite's gateway, `headers` an operator's."""

    # A manual order, and a CSV file of two orders: PO-2 is fine, PO-3 has a quantity that is no number.
    MANUAL_ORDER: ClassVar[dict[str, object]] = {
        "reference": "PO-1",
        "currency": "EUR",
        "shipping_address": dict(SHIPPING_ADDRESS),
        "line_items": [{"product_uid": "flyer_a5_135gsm_4-4", "quantity": 100}],
    }
    ORDERS_CSV: ClassVar[bytes] = (
        b"order_reference;currency;ship_first_name;ship_last_name;ship_address1;ship_city;ship_zip;"
        b"ship_country_code;product_uid;quantity\r\n"
        b"PO-2;EUR;Grace;Hopper;Elm Street 2;Hamburg;20095;DE;flyer_a5;50\r\n"
        b"PO-3;EUR;Alan;Turing;Oak Lane 3;Munich;80331;DE;poster_a2;many\r\n"
    )

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

        def post() -> httpx.Response:
            return httpx.post(f"{self.base}/v1/stores", json=body, headers=self.headers, timeout=30)

        return retried_while(post, ("customer-unknown",), within=within)

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

    def connect_etsy(self, customer_id: str, shop_name: str) -> tuple[str, int, int]:
        """A seller signed in to Etsy grants access (OAuth with PKCE): the store's id, Etsy's shop id and
        the seller's user id. The app's redirect URI and webhook endpoint are the suite's, as set up in
        Etsy's portal."""
        control = f"{self.sandboxes.etsy}/_sandbox/etsy"
        app = {
            "redirect_uris": [f"{self.base}/v1/connectors/etsy/callback"],
            "webhook_url": f"{self.base}/v1/webhooks/etsy",
        }
        httpx.patch(f"{control}/apps/{self.sandboxes.etsy_keystring}", json=app).raise_for_status()
        seller = httpx.post(f"{control}/sellers", json={"shop_name": shop_name})
        seller.raise_for_status()
        consent = {"user_id": seller.json()["user_id"], "approve": True}
        httpx.put(f"{control}/consent", json=consent).raise_for_status()
        started = self.connect({"platform": "etsy", "customer_id": customer_id})
        assert started.status_code == 201, started.text
        page = httpx.get(started.json()["authorize_url"], follow_redirects=True, timeout=30)
        assert page.status_code == 200, page.text
        store_id = str(started.json()["store"]["id"])
        assert self.store(store_id)["status"] == "connected", self.store(store_id)
        return store_id, int(seller.json()["shop_id"]), int(seller.json()["user_id"])

    def etsy_seller_changes_password(self, user_id: int) -> None:
        """Etsy revokes every token the seller granted."""
        httpx.post(
            f"{self.sandboxes.etsy}/_sandbox/etsy/sellers/{user_id}/change_password"
        ).raise_for_status()

    def status_becomes(self, store_id: str, status: str, within: float = 10.0) -> dict[str, object]:
        deadline = time.monotonic() + within
        while True:
            store = self.store(store_id)
            if store["status"] == status or time.monotonic() > deadline:
                return store
            time.sleep(0.1)

    def place_etsy_order(self, shop_id: int) -> str:
        """A buyer pays for a receipt (Etsy then sends its `order.paid` notice)."""
        from printbridge_sandbox.etsy.testing import receipt_body

        receipt = httpx.post(
            f"{self.sandboxes.etsy}/_sandbox/etsy/shops/{shop_id}/receipts", json=receipt_body()
        )
        receipt.raise_for_status()
        return str(receipt.json()["receipt_id"])

    def pressero_customer(self, reference_id: str) -> str:
        body = {"name": f"Pressero {reference_id}", "reference_id": reference_id}
        created = httpx.post(f"{self.base}/v1/customers", json=body, headers=self.headers)
        created.raise_for_status()
        return str(created.json()["id"])

    def pressero_site(self, domain: str, integration_id: str) -> dict[str, str]:
        """A producer's Pressero account with one site: the API credentials to connect it with."""
        control = f"{self.sandboxes.pressero}/_sandbox/pressero"
        subscriber = httpx.post(f"{control}/subscribers", json={})
        subscriber.raise_for_status()
        credentials = dict(subscriber.json())
        site = {"domain": domain, "integration_id": integration_id}
        httpx.post(
            f"{control}/subscribers/{credentials['subscriber_id']}/sites", json=site
        ).raise_for_status()
        return credentials

    def connect_pressero(
        self, customer_id: str, domain: str, site: dict[str, str], integration_id: str
    ) -> httpx.Response:
        return self.connect(
            {
                "platform": "pressero",
                "customer_id": customer_id,
                "admin_url": self.sandboxes.pressero,
                "site_domain": domain,
                "integration_id": integration_id,
                "subscriber_id": site["subscriber_id"],
                "consumer_id": site["consumer_id"],
                "username": site["username"],
                "password": site["password"],
            }
        )

    def enter_pressero_webhook(self, site: dict[str, str], setup: dict[str, object]) -> None:
        """What the producer does in Pressero's admin (Preferences > Webhooks) with the answer's setup."""
        url = f"{self.sandboxes.pressero}/_sandbox/pressero/subscribers/{site['subscriber_id']}/webhooks"
        body = {"url": setup["webhook_url"], "security_key": setup["security_key"], "events": setup["events"]}
        httpx.put(url, json=body).raise_for_status()

    def place_pressero_order(self, domain: str) -> str:
        order = httpx.post(
            f"{self.sandboxes.pressero}/_sandbox/pressero/sites/{domain}/orders",
            json={
                "ship_to": {
                    "first_name": "Pat",
                    "last_name": "Lee",
                    "address1": "1 Main St",
                    "city": "Chicago",
                    "postal": "60601",
                    "country": "US",
                }
            },
        )
        order.raise_for_status()
        return str(order.json()["order"]["OrderNumber"])

    def manual_store(self, customer_id: str, name: str) -> str:
        body = {"platform": "manual", "name": name, "customer_id": customer_id}
        created = self.connect(body)
        assert created.status_code == 201, created.text
        return str(created.json()["store"]["id"])

    def place_manual_order(self, store_id: str, order: dict[str, object], key: str) -> httpx.Response:
        url = f"{self.base}/v1/stores/{store_id}/orders"
        headers = {**self.headers, "Idempotency-Key": key}
        return retried_while(lambda: httpx.post(url, json=order, headers=headers), ("store-not-found",))

    def import_orders(self, store_id: str, content: bytes, within: float = 60.0) -> dict[str, object]:
        """Uploads a CSV file of orders and waits for its import to end: the import as reported."""
        url = f"{self.base}/v1/stores/{store_id}/orders/imports"
        upload = {"file": ("orders.csv", content, "text/csv")}
        accepted = retried_while(
            lambda: httpx.post(url, files=upload, headers=self.headers, timeout=30), ("store-not-found",)
        )
        assert accepted.status_code == 202, accepted.text
        location = accepted.headers["location"]
        location = location if location.startswith("http") else f"{self.base}{location}"
        deadline = time.monotonic() + within
        while True:
            report = httpx.get(location, headers=self.headers).json()
            if report["status"] in ("done", "failed") or time.monotonic() > deadline:
                return dict(report)
            time.sleep(0.1)

    def external_ids(self, store_id: str) -> list[str]:
        response = httpx.get(
            f"{self.base}/v1/orders", params={"store_id": store_id, "limit": 100}, headers=self.headers
        )
        response.raise_for_status()
        return sorted(item["external_id"] for item in response.json()["items"])

    # The scenarios of issue 9, run by the end-to-end tests of both modes ---------------------------

    def etsy_orders_arrive_once_and_a_revoked_grant_shows(self, shop_name: str) -> None:
        """A paid order arrives by Etsy's notice, one whose notice was lost by the poll, each once; the
        seller's password change then shows `auth_error` with the reconnect fix."""
        store, shop_id, seller = self.connect_etsy(self.customer(), shop_name)
        by_notice = self.place_etsy_order(shop_id)
        self.seconds_until_listed(store, by_notice)
        self.lose_next_webhooks(etsy=True)
        by_poll = self.place_etsy_order(shop_id)
        self.reconcile(store)
        self.seconds_until_listed(store, by_poll)
        assert self.external_ids(store) == sorted([by_notice, by_poll])

        self.etsy_seller_changes_password(seller)
        self.reconcile(store)
        revoked = self.status_becomes(store, "auth_error")
        assert revoked["status"] == "auth_error", revoked
        problems = cast(list[dict[str, str]], revoked["problems"])
        assert any("reconnect" in problem["fix"] for problem in problems), revoked

    def pressero_refuses_a_wrong_integration_id_and_takes_orders(self, reference: str, domain: str) -> None:
        customer = self.pressero_customer(reference)
        site = self.pressero_site(domain, integration_id=reference)
        refused = self.connect_pressero(customer, domain, site, "SOMEONE-ELSE")
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("integration-id-mismatch")

        connected = self.connect_pressero(customer, domain, site, reference)
        assert connected.status_code == 201, connected.text
        store = str(connected.json()["store"]["id"])
        self.enter_pressero_webhook(site, connected.json()["setup"])
        order = self.place_pressero_order(domain)
        self.seconds_until_listed(store, order)
        assert self.external_ids(store) == [order]

    def manual_order_and_csv_import_behave(self) -> None:
        """One order by API (its repeat with the same key answers the same order) and a CSV file with a
        good and a bad row, imported twice: the good row once, the bad one reported both times."""
        store = self.manual_store(self.customer(), "Direct orders")
        placed = self.place_manual_order(store, self.MANUAL_ORDER, key="order-1")
        assert placed.status_code == 201, placed.text
        again = self.place_manual_order(store, self.MANUAL_ORDER, key="order-1")
        assert (again.status_code, again.json()["id"]) == (201, placed.json()["id"])
        assert again.headers["idempotent-replayed"] == "true"

        first = self.import_orders(store, self.ORDERS_CSV)
        assert (first["status"], first["orders_created"], first["rows_failed"]) == ("done", 1, 1), first
        errors = cast(list[dict[str, object]], first["errors"])
        assert [(e["row"], e["column"]) for e in errors] == [(3, "quantity")], first
        second = self.import_orders(store, self.ORDERS_CSV)
        counts = (second["orders_created"], second["orders_existing"], second["rows_failed"])
        assert counts == (0, 1, 1), second
        assert self.external_ids(store) == ["PO-1", "PO-2"]

    def products_are_synced_and_mapped(self, shop: str, slug: str) -> None:
        """A Shopify and a WooCommerce store sync their products; variants are mapped with a design file
        uploaded to Printbridge (a spec that does not fit is refused, one at a time and in bulk); a web
        page behind a .pdf link and a missing file are named as such; a product set to draft in the
        shop turns inactive."""
        customer = self.customer()
        shopify_store = self.connect_shopify(customer, shop)
        woo_store = self.connect_woocommerce(customer, slug)
        self.catalog_product()
        shopify = f"{self.sandboxes.shopify}/_sandbox/shopify/shops/{shop}"
        flyer = httpx.post(f"{shopify}/products", json=self.SHOPIFY_FLYER)
        flyer.raise_for_status()
        woo = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}"
        httpx.post(f"{woo}/products", json=self.WOO_FLYER).raise_for_status()
        shopify_variants = self.variants_of(shopify_store, count=2)
        woo_variants = self.variants_of(woo_store, count=3)
        url = self.upload(customer, self.flyer_pdf())

        refused = self.map(shopify_variants["SF-A5"], {"paper": "silk"}, url)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["loc"] == ["body", "attributes", "paper"], refused.text
        assert self.map(shopify_variants["SF-A5"], {"paper": "matte"}, url).status_code == 200
        bulk = httpx.post(
            f"{self.base}/v1/shop-variants/mappings",
            json={
                **self.spec({"paper": "gloss"}, url),
                "shop_variant_ids": [woo_variants["WF-A5"], woo_variants["WF-A6"]],
            },
            headers=self.headers,
        )
        assert bulk.status_code == 200, bulk.text
        for variant_id in [shopify_variants["SF-A5"], woo_variants["WF-A5"], woo_variants["WF-A6"]]:
            assert (
                self.variant_becomes(variant_id, "mapped")["mapping"]["files"]["front"]["status"] == "passed"
            )

        login_page = f"{self.base}/docs?download=flyer.pdf"
        assert self.map(shopify_variants["SF-A4"], {"paper": "matte"}, login_page).status_code == 200
        failed = self.file_fails(shopify_variants["SF-A4"])
        assert (failed["problem"], failed["format"]) == ("file_format", "html"), failed
        missing = f"{self.base}/v1/files/{uuid.uuid4()}/content?sig=none"
        assert self.map(shopify_variants["SF-A4"], {"paper": "matte"}, missing).status_code == 200
        assert self.file_fails(shopify_variants["SF-A4"])["problem"] == "file_unreachable"
        self.variants_are_mapped_by_csv(woo_store, woo_variants, url)

        httpx.patch(f"{shopify}/products/{flyer.json()['id']}", json={"status": "DRAFT"}).raise_for_status()
        self.eventually(lambda: self.products(shopify_store)[0]["mapping_status"] == "inactive")
        synced = httpx.post(
            f"{self.base}/v1/stores/{shopify_store}/products/sync", json={"full": True}, headers=self.headers
        )
        assert synced.status_code == 202, synced.text
        self.a_product_is_created_in_the_shop_with_its_mapping(customer, shopify_store, shopify, url)
        self.orders_go_into_production(customer, shop, slug, shopify_store, woo_store, url)
        self.a_manual_order_with_its_file_goes_into_production(customer, url)

    def orders_go_into_production(
        self, customer: str, shop: str, slug: str, shopify_store: str, woo_store: str, url: str
    ) -> None:
        """An order of a mapped variant from each shop is resolved and routed; production claims it and
        reports each step to shipped with tracking, all in its history, and the producer's postback
        endpoint receives each status, signed, in order; a step back is 409. An order of an
        unmapped variant, or of one whose print file fails, waits on hold with the reason and is released
        by mapping it or fixing the file, without anyone touching the order."""
        endpoint = self.postback_endpoint(customer)
        shopify_variants = self.variants_of(shopify_store, count=4)
        woo_variants = self.variants_of(woo_store, count=3)
        external = self.variant(shopify_variants["AF-MATTE"])["external_id"]
        order = self.order_becomes(self.place_order_of(shop=shop, variant=int(external)), "routed")
        assert order["line_items"][0]["item"]["product_uid"] == "e2e_flyer_a5", order
        production = f"{self.base}/v1/production/orders/{order['id']}"
        assert httpx.post(f"{production}/claim", headers=self.headers).json()["status"] == "accepted"
        for step in ("in_production", "printed"):
            assert self.report(order["id"], status=step).json()["status"] == step
        tracking = {"number": "1Z999AA1", "url": "https://track.example/1Z999AA1", "company": "UPS"}
        shipped = self.report(order["id"], status="shipped", tracking=tracking)
        assert shipped.json()["tracking"][0]["number"] == "1Z999AA1", shipped.text
        assert self.report(order["id"], status="printed").status_code == 409
        history = httpx.get(f"{self.base}/v1/orders/{order['id']}", headers=self.headers).json()["history"]
        statuses = [entry["status"] for entry in history if entry["status"]]
        assert statuses == ["routed", "accepted", "in_production", "printed", "shipped"], history
        posted = ["order.received", *(f"order.{status}" for status in statuses)]
        self.eventually(lambda: self.postbacks_of(endpoint, order["id"]) == posted)
        fulfillments = f"{self.sandboxes.shopify}/_sandbox/shopify/shops/{shop}/orders/{order['external_id']}"
        self.shop_is_told(order["id"])
        [fulfillment] = httpx.get(f"{fulfillments}/fulfillments").json()
        assert (fulfillment["tracking_number"], fulfillment["tracking_company"]) == ("1Z999AA1", "UPS")
        run = self.test_run(shopify_store)
        assert run["status"] == "passed", run
        assert [step["status"] for step in run["steps"]] == ["passed"] * 8, run
        self.eventually(lambda: self.postbacks_of(endpoint, run["order_id"])[-1:] == ["order.routed"])
        self.postback_endpoint_works_both_ways(customer, endpoint)

        line = self.routing_rule_for_woocommerce()
        woo_variant = self.variant(woo_variants["WF-A5"])
        unmapped = httpx.delete(
            f"{self.base}/v1/shop-variants/{woo_variant['id']}/mapping", headers=self.headers
        )
        assert unmapped.status_code == 204, unmapped.text
        held = self.order_becomes(
            self.place_order_of(slug=slug, variant=int(woo_variant["external_id"])), "on_hold"
        )
        assert [reason["code"] for reason in held["hold_reasons"]] == ["unmapped_item"], held
        assert self.map(woo_variant["id"], {"paper": "gloss"}, url).status_code == 200
        routed = self.order_becomes(held["external_id"], "routed")
        assert routed["production_line_id"] == line, routed
        dry_run = httpx.post(
            f"{self.base}/v1/routing-rules/test", json={"order_id": routed["id"]}, headers=self.headers
        )
        assert dry_run.status_code == 200, dry_run.text
        assert dry_run.json()["rule"]["name"] == "WooCommerce to the e2e line", dry_run.text
        self.ship(routed)
        self.shop_is_told(routed["id"])
        site = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}"
        woo_order = httpx.get(f"{site}/orders/{routed['external_id']}/notes").json()
        assert woo_order["status"] == "completed", woo_order
        tracking = f"TRK-{routed['external_id']}"
        assert any(n["customer_note"] and tracking in n["note"] for n in woo_order["notes"]), woo_order

        missing = f"{self.base}/v1/files/{uuid.uuid4()}/content?sig=none"
        assert self.map(woo_variants["WF-A6"], {"paper": "gloss"}, missing).status_code == 200
        self.file_fails(woo_variants["WF-A6"])
        external = self.variant(woo_variants["WF-A6"])["external_id"]
        held = self.order_becomes(self.place_order_of(slug=slug, variant=int(external)), "on_hold")
        assert [reason["code"] for reason in held["hold_reasons"]] == ["file_unreachable"], held
        assert self.map(woo_variants["WF-A6"], {"paper": "gloss"}, url).status_code == 200
        self.order_becomes(held["external_id"], "routed")

    def a_manual_order_with_its_file_goes_into_production(self, customer_id: str, url: str) -> None:
        """A manual order naming the catalog product, its options and its print file (uploaded to the
        suite, so a plain http:// address here): the file is checked, the order routed and shipped."""
        store = self.manual_store(customer_id, "Direct orders")
        line = {
            "product_uid": "e2e_flyer_a5",
            "quantity": 500,
            "options": {"paper": "gloss"},
            "files": {"front": url},
        }
        order = {**self.MANUAL_ORDER, "reference": "PO-FLYER", "line_items": [line]}
        placed = self.place_manual_order(store, order, key="flyer-1")
        assert placed.status_code == 201, placed.text
        routed = self.order_becomes("PO-FLYER", "routed")
        assert routed["line_items"][0]["item"]["files"] == {"front": url}, routed
        self.ship(routed)

    def routing_rule_for_woocommerce(self) -> str:
        """A production line and the rule that sends every WooCommerce order to it; the line's id."""
        line = httpx.post(
            f"{self.base}/v1/production-lines", json={"code": "e2e-woo", "name": "E2E"}, headers=self.headers
        )
        assert line.status_code == 201, line.text
        rule = {
            "name": "WooCommerce to the e2e line",
            "production_line_id": line.json()["id"],
            "conditions": {"platforms": ["woocommerce"]},
        }
        created = httpx.post(f"{self.base}/v1/routing-rules", json=rule, headers=self.headers)
        assert created.status_code == 201, created.text
        return str(line.json()["id"])

    def an_etsy_and_a_pressero_order_go_into_production(
        self, shop_name: str, reference: str, domain: str
    ) -> None:
        """An Etsy receipt of a listed product and a Pressero order of a site product, each mapped in
        Printbridge (Pressero's items name the product's part number, the SKU), are routed, claimed and
        shipped with tracking."""
        self.catalog_product()
        customer = self.customer()
        etsy_store, shop_id, _ = self.connect_etsy(customer, shop_name)
        etsy = f"{self.sandboxes.etsy}/_sandbox/etsy/shops/{shop_id}"
        listing = httpx.post(
            f"{etsy}/listings", json={"title": "Etsy flyer", "products": [{"sku": "EF-A5", "price": "9.00"}]}
        )
        assert listing.status_code == 201, listing.text
        url = self.upload(customer, self.flyer_pdf())
        self.map_synced(etsy_store, "EF-A5", url)
        from printbridge_sandbox.etsy.testing import receipt_body

        transaction = {"listing_id": listing.json()["listing_id"], "sku": "EF-A5", "quantity": 3}
        receipt = httpx.post(f"{etsy}/receipts", json=receipt_body(transactions=[transaction]))
        receipt.raise_for_status()
        receipt_id = str(receipt.json()["receipt_id"])
        self.seconds_until_listed(etsy_store, receipt_id, within=30)
        shipped = self.order_becomes(receipt_id, "routed")
        self.ship(shipped)
        self.shop_is_told(shipped["id"])
        shipments = httpx.get(f"{etsy}/receipts/{receipt_id}/shipments").json()
        assert shipments["is_shipped"], shipments
        assert [s["tracking_code"] for s in shipments["shipments"]] == [f"TRK-{receipt_id}"], shipments

        pressero_customer = self.pressero_customer(reference)
        site = self.pressero_site(domain, integration_id=reference)
        connected = self.connect_pressero(pressero_customer, domain, site, reference)
        assert connected.status_code == 201, connected.text
        pressero_store = str(connected.json()["store"]["id"])
        self.enter_pressero_webhook(site, connected.json()["setup"])
        product = {"name": "Pressero flyer", "printers_part_num": "PF-A5"}
        control = f"{self.sandboxes.pressero}/_sandbox/pressero/sites/{domain}"
        assert httpx.post(f"{control}/products", json=product).status_code == 201
        self.map_synced(pressero_store, "PF-A5", self.upload(pressero_customer, self.flyer_pdf()))
        item = {"product_name": "Pressero flyer", "printer_part_number": "PF-A5", "quantity": 100}
        ship_to = {
            "first_name": "Pat",
            "last_name": "Lee",
            "address1": "1 Main St",
            "city": "Chicago",
            "postal": "60601",
            "country": "US",
        }
        placed = httpx.post(f"{control}/orders", json={"items": [item], "ship_to": ship_to})
        placed.raise_for_status()
        number = str(placed.json()["order"]["OrderNumber"])
        shipped = self.order_becomes(number, "routed")
        self.ship(shipped)
        self.shop_is_told(shipped["id"])
        rows = httpx.get(f"{self.sandboxes.pressero}/_sandbox/pressero/orders/{number}/shipments").json()
        assert [row["ShipTracking"] for row in rows] == [f"TRK-{number}"], rows

    def map_synced(self, store_id: str, sku: str, url: str) -> None:
        """Syncs the store's products (mapping asks connectors) and maps the variant of `sku`."""

        def synced() -> bool:
            asked = httpx.post(
                f"{self.base}/v1/stores/{store_id}/products/sync", json={"full": True}, headers=self.headers
            )
            return asked.status_code == 202

        self.eventually(synced)
        variant = self.variants_of(store_id, count=1)[sku]
        assert self.map(variant, {"paper": "matte"}, url).status_code == 200
        self.variant_becomes(variant, "mapped")

    def postback_endpoint(self, customer_id: str) -> tuple[str, str, str]:
        """A postback endpoint of the producer's for the customer's orders: its path name at the
        receiver, its signing secret and its id."""
        name = uuid.uuid4().hex
        body = {"url": f"{self.sandboxes.postbacks}/hooks/{name}", "customer_id": customer_id}
        created = httpx.post(f"{self.base}/v1/postbacks/endpoints", json=body, headers=self.headers)
        assert created.status_code == 201, created.text
        return name, str(created.json()["secret"]), str(created.json()["id"])

    def postbacks(self, endpoint: tuple[str, str, str]) -> list[dict[str, Any]]:
        """Every postback the endpoint received, in the order they came, each verified with the
        reference Standard Webhooks library (it raises on a bad signature), with its `webhook-id`."""
        from standardwebhooks.webhooks import Webhook

        name, secret, _ = endpoint
        verifier = Webhook(secret)
        return [
            {**verifier.verify(body, headers), "webhook_id": headers["webhook-id"]}
            for headers, body in list(self.sandboxes.postback_receiver.received.get(name, []))
        ]

    def postbacks_of(self, endpoint: tuple[str, str, str], order_id: str) -> list[str]:
        """The event types of the order's postbacks the endpoint received, in the order they came."""
        return [
            str(payload["type"])
            for payload in self.postbacks(endpoint)
            if payload["data"].get("order_id") == order_id
        ]

    def postback_endpoint_works_both_ways(self, customer_id: str, endpoint: tuple[str, str, str]) -> None:
        """The producer's tools: a signed test ping arrives; a delivery redelivered arrives again with its
        id; an endpoint that answers 410 Gone is disabled."""
        endpoints = f"{self.base}/v1/postbacks/endpoints"
        ping = httpx.post(f"{endpoints}/{endpoint[2]}/test", headers=self.headers)
        assert (ping.status_code, ping.json()["delivered"]) == (200, True), ping.text
        assert self.postbacks(endpoint)[-1]["type"] == "postback.test"
        delivered = httpx.get(
            f"{endpoints}/{endpoint[2]}/deliveries", params={"status": "delivered"}, headers=self.headers
        ).json()["items"]
        again = next(d for d in delivered if d["order_id"] is not None)
        redelivered = httpx.post(
            f"{self.base}/v1/postbacks/deliveries/{again['id']}/redeliver", headers=self.headers
        )
        assert redelivered.status_code == 202, redelivered.text
        self.eventually(
            lambda: [p["webhook_id"] for p in self.postbacks(endpoint)].count(str(again["id"])) == 2
        )
        gone = self.postback_endpoint(customer_id)
        self.sandboxes.postback_receiver.answers[gone[0]] = 410
        answered = httpx.post(f"{endpoints}/{gone[2]}/test", headers=self.headers).json()
        assert (answered["delivered"], answered["status_code"]) == (False, 410), answered
        disabled = httpx.get(f"{endpoints}/{gone[2]}", headers=self.headers).json()
        assert disabled["enabled"] is False and disabled["disabled_reason"], disabled

    def shop_is_told(self, order_id: str) -> None:
        """The order's shop recorded its shipment: the order's `shop_fulfillment` says so."""
        seen: dict[str, Any] = {}

        def told() -> bool:
            read = httpx.get(f"{self.base}/v1/orders/{order_id}", headers=self.headers).json()
            seen.update(read)
            return (read["shop_fulfillment"] or {}).get("status") == "succeeded"

        try:
            self.eventually(told, within=30)
        except AssertionError:
            raise AssertionError(f"the shop was not told: {seen.get('shop_fulfillment')}") from None

    def ship(self, order: dict[str, Any]) -> None:
        """Production claims the order and reports it printed and shipped with tracking."""
        production = f"{self.base}/v1/production/orders/{order['id']}"
        assert httpx.post(f"{production}/claim", headers=self.headers).json()["status"] == "accepted"
        assert self.report(order["id"], status="printed").json()["status"] == "printed"
        shipped = self.report(
            order["id"], status="shipped", tracking={"number": f"TRK-{order['external_id']}"}
        )
        assert shipped.json()["status"] == "shipped", shipped.text

    def place_order_of(self, *, variant: int, shop: str | None = None, slug: str | None = None) -> str:
        """Places an order of one variant in the Shopify shop or the WooCommerce site; its external id."""
        if shop is not None:
            url = f"{self.sandboxes.shopify}/_sandbox/shopify/shops/{shop}/orders"
            address = dict(SHIPPING_ADDRESS)
            body: dict[str, object] = {
                "line_items": [{"variant_id": variant, "quantity": 100}],
                "shipping_address": address,
            }
        else:
            url = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}/orders"
            body = {
                "line_items": [{"variation_id": variant, "quantity": 100}],
                "shipping": WOOCOMMERCE_SHIPPING,
            }
        placed = httpx.post(url, json=body)
        assert placed.status_code in (200, 201), placed.text
        return str(placed.json()["id"])

    def order_becomes(self, external_id: str, status: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def reached() -> bool:
            listed = httpx.get(
                f"{self.base}/v1/orders", params={"external_id": external_id}, headers=self.headers
            )
            items = listed.json()["items"]
            if not items:
                return False
            found.update(httpx.get(f"{self.base}/v1/orders/{items[0]['id']}", headers=self.headers).json())
            return found["status"] == status

        try:
            self.eventually(reached, within=30)
        except AssertionError:
            raise AssertionError(f"order {external_id} did not become {status}: {found}") from None
        return found

    def report(self, order_id: str, **body: object) -> httpx.Response:
        return httpx.post(f"{self.base}/v1/orders/{order_id}/status", json=body, headers=self.headers)

    def variants_are_mapped_by_csv(self, store_id: str, variants: dict[str, str], url: str) -> None:
        """The store's export is filled in a spreadsheet and imported: the good row maps its variant, the
        bad one is reported by row and column and changes nothing; the same file again changes nothing."""
        exported = httpx.get(f"{self.base}/v1/stores/{store_id}/products/export.csv", headers=self.headers)
        assert exported.status_code == 200, exported.text
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert {row["sku"] for row in rows} == {"WF-A4", "WF-A5", "WF-A6"}, rows
        assert "attr:paper" in rows[0], rows[0]
        for row in rows:
            if row["sku"] == "WF-A4":
                row.update({"product_uid": "e2e_flyer_a5", "attr:paper": "matte", "design_file_url": url})
            if row["sku"] == "WF-A6":
                row["attr:paper"] = "silk"
        filled = io.StringIO()
        writer = csv.DictWriter(filled, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
        wf_a6_line = 2 + [row["sku"] for row in rows].index("WF-A6")

        first = self.import_products(store_id, filled.getvalue().encode())
        assert (first["applied_rows"], first["unchanged_rows"], first["failed_rows"]) == (1, 1, 1), first
        (error,) = first["errors"]
        assert (error["row"], error["column"]) == (wf_a6_line, "attr:paper"), error
        wf_a4 = self.variant_becomes(variants["WF-A4"], "mapped")
        assert wf_a4["mapping"]["attributes"] == {"paper": "matte"}, wf_a4
        assert self.variant(variants["WF-A6"])["mapping"]["attributes"] == {"paper": "gloss"}

        again = self.import_products(store_id, filled.getvalue().encode())
        assert (again["applied_rows"], again["unchanged_rows"], again["failed_rows"]) == (0, 2, 1), again

    def import_products(self, store_id: str, content: bytes) -> dict[str, Any]:
        started = httpx.post(
            f"{self.base}/v1/stores/{store_id}/products/import",
            files={"file": ("products.csv", content, "text/csv")},
            headers=self.headers,
        )
        assert started.status_code == 202, started.text
        location = f"{self.base}{started.headers['location']}"
        finishes = ("done", "failed")
        self.eventually(lambda: httpx.get(location, headers=self.headers).json()["status"] in finishes)
        finished = httpx.get(location, headers=self.headers).json()
        assert finished["status"] == "done", finished
        return dict(finished)

    def a_product_is_created_in_the_shop_with_its_mapping(
        self, customer_id: str, store_id: str, shop_control: str, url: str
    ) -> None:
        """Create & publish: a template is saved, a draft made from it, published into the Shopify shop,
        where it appears with its variants, which Printbridge maps at once; the store lists its draft."""
        template = httpx.post(
            f"{self.base}/v1/templates",
            json={"name": "Matte flyer", **self.spec({"paper": "matte"}, url), "customer_id": customer_id},
            headers=self.headers,
        )
        assert template.status_code == 201, template.text
        body = {
            "title": "Autumn flyer",
            "template_id": template.json()["id"],
            "options": ["Finish"],
            "variants": [
                {"sku": "AF-MATTE", "price": "19.00", "options": {"Finish": "Matte"}},
                {
                    "sku": "AF-GLOSS",
                    "price": "21.00",
                    "options": {"Finish": "Gloss"},
                    "attributes": {"paper": "gloss"},
                },
            ],
        }
        draft = httpx.post(f"{self.base}/v1/stores/{store_id}/products", json=body, headers=self.headers)
        assert draft.status_code == 201, draft.text
        draft_url = f"{self.base}/v1/product-drafts/{draft.json()['id']}"
        published = httpx.post(f"{draft_url}/publish", headers=self.headers)
        assert published.status_code == 202, published.text
        self.eventually(lambda: httpx.get(draft_url, headers=self.headers).json()["status"] == "published")
        external_id = httpx.get(draft_url, headers=self.headers).json()["external_product_id"]
        listed = httpx.get(f"{self.base}/v1/stores/{store_id}/product-drafts", headers=self.headers)
        assert listed.status_code == 200, listed.text  # mapping's, under connectors' /v1/stores
        assert [d["external_product_id"] for d in listed.json()["items"]] == [external_id]
        in_shop = httpx.get(f"{shop_control}/products")
        assert in_shop.status_code == 200, in_shop.text
        (created,) = [p for p in in_shop.json() if str(p["id"]) == external_id]
        assert sorted(v["sku"] for v in created["variants"]) == ["AF-GLOSS", "AF-MATTE"]
        variants = self.variants_of(store_id, count=4)
        gloss = self.variant_becomes(variants["AF-GLOSS"], "mapped")
        assert gloss["mapping"]["attributes"] == {"paper": "gloss"}, gloss

    SHOPIFY_FLYER: ClassVar[dict[str, object]] = {
        "title": "Summer flyer",
        "variants": [
            {"sku": "SF-A5", "price": "19.00", "options": {"Size": "A5"}},
            {"sku": "SF-A4", "price": "24.00", "options": {"Size": "A4"}},
        ],
    }
    WOO_FLYER: ClassVar[dict[str, object]] = {
        "name": "Winter flyer",
        "type": "variable",
        "attributes": [{"name": "Size", "options": ["A5", "A6", "A4"]}],
        "variations": [
            {"sku": "WF-A5", "regular_price": "19.00", "attributes": [{"name": "Size", "option": "A5"}]},
            {"sku": "WF-A6", "regular_price": "15.00", "attributes": [{"name": "Size", "option": "A6"}]},
            {"sku": "WF-A4", "regular_price": "24.00", "attributes": [{"name": "Size", "option": "A4"}]},
        ],
    }

    @staticmethod
    def eventually(condition: Callable[[], object], within: float = 20.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            assert time.monotonic() < deadline, f"condition not met within {within} s"
            time.sleep(0.1)

    def catalog_product(self) -> None:
        area = {
            "name": "front",
            "formats": ["pdf"],
            "trim_width_mm": 148,
            "trim_height_mm": 210,
            "bleed_mm": 3,
        }
        body = {
            "product_uid": "e2e_flyer_a5",
            "name": "Flyer A5",
            "type": "flyer",
            "attributes": {"paper": ["matte", "gloss"]},
            "print_areas": [area],
        }
        created = httpx.post(f"{self.base}/v1/catalog/products", json=body, headers=self.headers)
        assert created.status_code in (201, 409), created.text

    @staticmethod
    def flyer_pdf() -> bytes:
        """An A5 page with 3 mm bleed on every side (154 x 216 mm)."""
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(154 / 25.4 * 72, 216 / 25.4 * 72)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    def upload(self, customer_id: str, content: bytes) -> str:
        uploaded = httpx.post(
            f"{self.base}/v1/files",
            data={"customer_id": customer_id},
            files={"file": ("flyer.pdf", content, "application/pdf")},
            headers=self.headers,
        )
        assert uploaded.status_code == 201, uploaded.text
        return str(uploaded.json()["url"])

    def products(self, store_id: str) -> list[dict[str, Any]]:
        """The store's products; none while mapping has not yet heard of the store (it learns of it by
        event)."""
        listed = httpx.get(f"{self.base}/v1/stores/{store_id}/products", headers=self.headers)
        if listed.status_code == 404 and listed.json()["type"].endswith("store-not-found"):
            return []
        assert listed.status_code == 200, listed.text
        return list(listed.json()["items"])

    def variants_of(self, store_id: str, count: int) -> dict[str, str]:
        """The store's variants by SKU, once `count` of them are synced."""
        found: dict[str, str] = {}

        def synced() -> bool:
            found.update({v["sku"]: v["id"] for p in self.products(store_id) for v in p["variants"]})
            return len(found) >= count

        self.eventually(synced)
        return found

    @staticmethod
    def spec(attributes: dict[str, str], url: str) -> dict[str, object]:
        return {"product_uid": "e2e_flyer_a5", "attributes": attributes, "files": {"front": url}}

    def map(self, variant_id: str, attributes: dict[str, str], url: str) -> httpx.Response:
        return httpx.put(
            f"{self.base}/v1/shop-variants/{variant_id}/mapping",
            json=self.spec(attributes, url),
            headers=self.headers,
        )

    def variant(self, variant_id: str) -> dict[str, Any]:
        found = httpx.get(f"{self.base}/v1/shop-variants/{variant_id}", headers=self.headers)
        assert found.status_code == 200, found.text
        return dict(found.json())

    def variant_becomes(self, variant_id: str, status: str) -> dict[str, Any]:
        self.eventually(lambda: self.variant(variant_id)["mapping_status"] == status)
        return self.variant(variant_id)

    def file_fails(self, variant_id: str) -> dict[str, Any]:
        self.eventually(lambda: self.variant(variant_id)["mapping"]["files"]["front"]["status"] == "failed")
        return dict(self.variant(variant_id)["mapping"]["files"]["front"])

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

    def test_orders_ask_the_shops_whether_they_would_take_a_shipment(self, shop: str, slug: str) -> None:
        """Printbridge's own test order in a well-connected Shopify store with nothing mapped yet, and in a
        WooCommerce shop whose key became read-only: the first fails at `mapped` with the fix while the
        shop would take its shipment; the second's `shop_update` fails with the fix (connectors probes
        each shop at once, reading and writing no order)."""
        customer_id = self.customer()
        shopify_store = self.connect_shopify(customer_id, shop)
        woo_store = self.connect_woocommerce(customer_id, slug)
        control = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}"
        key_id = httpx.get(control).json()["keys"][0]["key_id"]
        httpx.patch(f"{control}/keys/{key_id}", json={"permissions": "read"}).raise_for_status()

        unmapped = self.test_run(shopify_store)
        failed = self.test_run(woo_store)

        steps = {step["name"]: step for step in unmapped["steps"]}
        assert (unmapped["status"], steps["mapped"]["status"]) == ("failed", "failed"), unmapped
        assert "PUT /v1/shop-variants/{id}/mapping" in steps["mapped"]["fix"], steps["mapped"]
        assert steps["shop_update"]["status"] == "passed", unmapped
        shop_update = next(step for step in failed["steps"] if step["name"] == "shop_update")
        assert shop_update["status"] == "failed", failed
        assert "Read/Write" in str(shop_update["fix"]), shop_update
        assert f"/v1/stores/{woo_store}/test-order" in str(shop_update["fix"]), shop_update

    def test_run(self, store_id: str) -> dict[str, Any]:
        """A test order placed in the store, and its run's report once it settled: passed, or failed
        with the shop's answer in."""
        placed = httpx.post(f"{self.base}/v1/stores/{store_id}/test-order", json={}, headers=self.headers)
        assert placed.status_code == 202, placed.text
        found: dict[str, Any] = {}

        def settled() -> bool:
            run = httpx.get(f"{self.base}/v1/test-orders/{placed.json()['id']}", headers=self.headers)
            run.raise_for_status()
            found.update(run.json())
            shop = next(step for step in found["steps"] if step["name"] == "shop_update")
            return found["status"] != "running" and shop["status"] != "pending"

        try:
            self.eventually(settled)
        except AssertionError:
            raise AssertionError(f"the test run did not settle: {found}") from None
        return found

    def lose_next_webhooks(
        self, *, shop: str | None = None, slug: str | None = None, etsy: bool = False
    ) -> None:
        """The platform drops its next delivery, as each does now and then."""
        if shop is not None:
            url = f"{self.sandboxes.shopify}/_sandbox/shopify/shops/{shop}/misbehaviour"
            httpx.put(url, json={"webhook_drop": 1}).raise_for_status()
        if slug is not None:
            url = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce/sites/{slug}/misbehaviour"
            httpx.put(url, json={"drop_deliveries": 1}).raise_for_status()
        if etsy:
            url = f"{self.sandboxes.etsy}/_sandbox/etsy/misbehaviour"
            httpx.put(url, json={"webhook_drop": 1}).raise_for_status()

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
