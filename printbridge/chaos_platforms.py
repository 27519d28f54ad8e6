"""The shops of the fault suite (`printbridge/chaos.py`): one store per platform for the chaos customer,
each connected through the public API the way a customer connects it, its one product synced and mapped,
and what the suite does in and reads from each platform's sandbox (in this process).

How each platform's orders reach Printbridge is that platform's own way:

- Shopify: the shop's `orders/create` webhook, retried by Shopify after a failure (here after 1, 2, 4 …
  s); fulfilments through its GraphQL API.
- WooCommerce (HTTPS, a Read/Write REST key): the site's `order.created` webhook, never retried (and
  disabled after 7 failures in a row); the reconcile poll (every `RECONCILE_INTERVAL_S`) fetches what
  a lost delivery did not bring and re-activates the webhook. Shipments: the order `completed` with a
  note to the buyer carrying the tracking.
- Etsy (OAuth with PKCE): the app's `order.paid` notice (Standard Webhooks), retried by Etsy (here its
  schedule times `ETSY_WEBHOOK_RETRY_SCALE`), and the poll of receipts by modification time.
  Shipments: `createReceiptShipment`.
- Pressero (the producer's API user; the site's integration id is the customer's reference id): the
  thin `OrderPlaced` webhook entered in Pressero's admin (never retried), its order fetched by the API,
  and the poll (order search). Shipments: `POST /api/V2/Orders/Shipments`.
- Manual: orders created by the customer's own system through `POST /v1/stores/{id}/orders` with an
  `Idempotency-Key`, retried with the same key until answered (the customer's side of exactly once).
  No shop to tell of shipments."""

import abc
import contextlib
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from printbridge import bench_orders
from printbridge_sandbox.serving import Platforms
from printbridge_shared.testing import SHIPPING_ADDRESS, WOOCOMMERCE_SHIPPING, retried_while

PLATFORMS = ("shopify", "woocommerce", "etsy", "pressero", "manual")
LABELS = {
    "shopify": "Shopify",
    "woocommerce": "WooCommerce",
    "etsy": "Etsy",
    "pressero": "Pressero",
    "manual": "manual",
}
# How often connectors polls each store: the safety net of the platforms whose webhooks are not retried.
RECONCILE_INTERVAL_S = 10
# Etsy retries a failed notice after 5 s, 5 min, 30 min …: here a fifth of that.
ETSY_WEBHOOK_RETRY_SCALE = 0.2
ETSY_KEYSTRING = "printbridgechaos"
ETSY_SHARED_SECRET = "chaossharedsecret"
ETSY_WEBHOOK_SECRET = "whsec_Y2hhb3MtZXRzeS13ZWJob29rLXNlY3JldA=="
# The app's API limits, raised as Etsy raises them on request: a 10,000-order run calls more than the
# documented 10,000 a day of a new app.
ETSY_QPS, ETSY_QPD = 50, 1_000_000
PRESSERO_DOMAIN = "chaos.pressero.example"
REFERENCE_ID = "CHAOS-PRINTS"  # the customer's, and the Pressero site's integration id
SETUP_TIMEOUT = 120.0


@dataclass(frozen=True)
class Sandboxes(Platforms):
    """The platform sandboxes on real sockets in this process, and how the fault suite sets them up."""

    def suite_env(self) -> dict[str, str]:
        """The suite's settings that point at the sandboxes (Shopify's: `bench_orders.prepare_shopify`)."""
        return {
            "PRINTBRIDGE_ETSY_KEYSTRING": ETSY_KEYSTRING,
            "PRINTBRIDGE_ETSY_SHARED_SECRET": ETSY_SHARED_SECRET,
            "PRINTBRIDGE_ETSY_WEBHOOK_SECRET": ETSY_WEBHOOK_SECRET,
            "PRINTBRIDGE_ETSY_API_URL": self.etsy,
            "PRINTBRIDGE_ETSY_CONNECT_URL": f"{self.etsy}/oauth/connect",
            "PRINTBRIDGE_RECONCILE_INTERVAL_S": str(RECONCILE_INTERVAL_S),
            "SSL_CERT_FILE": str(self.ca_cert),  # the WooCommerce site's CA
        }

    def prepare(self, base: str) -> None:
        """The Etsy app as registered in Etsy's portal (its redirect URI and webhook endpoint are the
        suite's) and Etsy's retry schedule shortened."""
        control = f"{self.etsy}/_sandbox/etsy"
        httpx.post(
            f"{control}/apps",
            json={
                "keystring": ETSY_KEYSTRING,
                "shared_secret": ETSY_SHARED_SECRET,
                "webhook_secret": ETSY_WEBHOOK_SECRET,
                "redirect_uris": [f"{base}/v1/connectors/etsy/callback"],
                "webhook_url": f"{base}/v1/webhooks/etsy",
                "qps": ETSY_QPS,
                "qpd": ETSY_QPD,
            },
        ).raise_for_status()
        httpx.patch(
            f"{control}/settings", json={"webhook_retry_scale": ETSY_WEBHOOK_RETRY_SCALE}
        ).raise_for_status()


@contextlib.contextmanager
def sandboxes(workdir: Path) -> Iterator[Sandboxes]:
    from printbridge_sandbox.serving import every_platform

    with every_platform(workdir / "sandbox-tls") as p:
        yield Sandboxes(**asdict(p))


@dataclass
class Shop(abc.ABC):
    """One platform's store of the chaos customer: places an order in the platform (its external id),
    counts the shipments each order has in the platform, and makes the platform's API misbehave."""

    platform: str
    store_id: str

    @abc.abstractmethod
    def place(self, client: httpx.Client) -> str: ...

    @abc.abstractmethod
    def shipments(self, client: httpx.Client, external_id: str) -> int: ...

    @abc.abstractmethod
    def misbehave(self, status: int, count: int) -> None: ...

    @abc.abstractmethod
    def behave(self) -> None: ...


@dataclass
class ShopifyShop(Shop):
    control: str  # …/_sandbox/shopify/shops/<shop>
    variant: bench_orders.Variant

    def place(self, client: httpx.Client) -> str:
        body = {
            "line_items": [{"variant_id": int(self.variant.external_id), "quantity": 100}],
            "shipping_address": SHIPPING_ADDRESS,
        }
        response = client.post(f"{self.control}/orders", json=body)
        response.raise_for_status()
        return str(response.json()["id"])

    def shipments(self, client: httpx.Client, external_id: str) -> int:
        found = client.get(f"{self.control}/orders/{external_id}/fulfillments")
        found.raise_for_status()
        return len(found.json())

    def misbehave(self, status: int, count: int) -> None:
        switches = {"api_fail_count": count, "api_fail_status": status, "api_fail_retry_after": 1}
        httpx.put(f"{self.control}/misbehaviour", json=switches).raise_for_status()

    def behave(self) -> None:
        httpx.put(f"{self.control}/misbehaviour", json={"api_fail_count": 0}).raise_for_status()


@dataclass
class WooCommerceShop(Shop):
    control: str  # …/_sandbox/woocommerce/sites/<slug>
    variation_id: int

    def place(self, client: httpx.Client) -> str:
        line = {"variation_id": self.variation_id, "quantity": 100}
        body = {"line_items": [line], "shipping": WOOCOMMERCE_SHIPPING}
        response = client.post(f"{self.control}/orders", json=body)
        response.raise_for_status()
        return str(response.json()["id"])

    def shipments(self, client: httpx.Client, external_id: str) -> int:
        """The notes to the buyer that carry the order's tracking number (WooCommerce has no shipment
        record: the connector completes the order and notes the tracking)."""
        found = client.get(f"{self.control}/orders/{external_id}/notes")
        found.raise_for_status()
        tracking = tracking_number(external_id)
        return sum(1 for note in found.json()["notes"] if note["customer_note"] and tracking in note["note"])

    def misbehave(self, status: int, count: int) -> None:
        switches = {"fail_next_calls": count, "fail_status": status, "retry_after_s": 1}
        httpx.put(f"{self.control}/misbehaviour", json=switches).raise_for_status()

    def behave(self) -> None:
        httpx.put(f"{self.control}/misbehaviour", json={"fail_next_calls": 0}).raise_for_status()


@dataclass
class EtsyShop(Shop):
    control: str  # …/_sandbox/etsy
    shop_id: int
    listing_id: int

    def place(self, client: httpx.Client) -> str:
        from printbridge_sandbox.etsy.testing import receipt_body

        transaction = {"listing_id": self.listing_id, "sku": bench_orders.SKU, "quantity": 100}
        response = client.post(
            f"{self.control}/shops/{self.shop_id}/receipts", json=receipt_body(transactions=[transaction])
        )
        response.raise_for_status()
        return str(response.json()["receipt_id"])

    def shipments(self, client: httpx.Client, external_id: str) -> int:
        found = client.get(f"{self.control}/shops/{self.shop_id}/receipts/{external_id}/shipments")
        found.raise_for_status()
        return len(found.json()["shipments"])

    def misbehave(self, status: int, count: int) -> None:
        """503: the next calls fail; 429: the next calls find the per-second limit used up (Etsy's
        `retry-after` 1)."""
        switches = (
            {"exhaust_second": count} if status == 429 else {"fail_next_calls": count, "fail_status": status}
        )
        httpx.put(f"{self.control}/misbehaviour", json=switches).raise_for_status()

    def behave(self) -> None:
        switches = {"fail_next_calls": 0, "exhaust_second": 0}
        httpx.put(f"{self.control}/misbehaviour", json=switches).raise_for_status()


@dataclass
class PresseroShop(Shop):
    control: str  # …/_sandbox/pressero
    subscriber_id: str

    def place(self, client: httpx.Client) -> str:
        item = {"product_name": "Flyer", "printer_part_number": bench_orders.SKU, "quantity": 100}
        ship_to = {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "address1": "Main Street 1",
            "city": "Berlin",
            "postal": "10115",
            "country": "DE",
        }
        response = client.post(
            f"{self.control}/sites/{PRESSERO_DOMAIN}/orders", json={"items": [item], "ship_to": ship_to}
        )
        response.raise_for_status()
        return str(response.json()["order"]["OrderNumber"])

    def shipments(self, client: httpx.Client, external_id: str) -> int:
        found = client.get(f"{self.control}/orders/{external_id}/shipments")
        found.raise_for_status()
        return len({row["ShipmentId"] for row in found.json()})

    def misbehave(self, status: int, count: int) -> None:
        """Pressero's API answers 503 (the sandbox knows no other failure of it)."""
        self._switch({"fail_5xx": count})

    def behave(self) -> None:
        self._switch({"fail_5xx": 0})

    def _switch(self, switches: dict[str, int]) -> None:
        httpx.put(
            f"{self.control}/subscribers/{self.subscriber_id}/switches", json=switches
        ).raise_for_status()


class ManualShop(Shop):
    """Orders sent by the customer's own system: each is sent by a sender thread, again and again with
    its reference as the `Idempotency-Key` until Printbridge answers it (a fault may refuse it meanwhile),
    so the placer's steady pace is never held up."""

    def __init__(self, store_id: str, base: str, token: str, url: str) -> None:
        super().__init__("manual", store_id)
        self.base = base
        self.token = token
        self.file_url = url
        self.run_id = uuid.uuid4().hex[:8]
        self.sequence = 0
        self.outbox: queue.Queue[str] = queue.Queue()
        self.unanswered: set[str] = set()
        self.lock = threading.Lock()
        self.attempts = 0
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.refusal = ""  # an answer no retry can change: the harness's mistake, raised by `place`

    def place(self, client: httpx.Client) -> str:
        if self.refusal:
            raise RuntimeError(self.refusal)
        self.sequence += 1
        reference = f"CHAOS-{self.run_id}-{self.sequence}"
        with self.lock:
            self.unanswered.add(reference)
        self.outbox.put(reference)
        if self.thread is None:
            self.thread = threading.Thread(target=self._send_all, name="manual-orders", daemon=True)
            self.thread.start()
        return reference

    def order(self, reference: str) -> dict[str, object]:
        line = {
            "product_uid": bench_orders.CATALOG_PRODUCT["product_uid"],
            "quantity": 100,
            "options": {"paper": "matte"},
            "files": {"front": self.file_url},
        }
        return {
            "reference": reference,
            "currency": "EUR",
            "shipping_address": SHIPPING_ADDRESS,
            "line_items": [line],
        }

    def _send_all(self) -> None:
        from printbridge.bench import login_again

        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                try:
                    reference = self.outbox.get(timeout=0.5)
                except queue.Empty:
                    continue
                while not self.stop.is_set():
                    self.attempts += 1
                    headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": reference}
                    try:
                        answer = client.post(
                            f"/v1/stores/{self.store_id}/orders", json=self.order(reference), headers=headers
                        )
                    except httpx.HTTPError:
                        time.sleep(0.5)
                        continue
                    if answer.status_code in (200, 201):
                        with self.lock:
                            self.unanswered.discard(reference)
                        break
                    if answer.status_code == 401:
                        with contextlib.suppress(httpx.HTTPError):
                            self.token = login_again(self.base)
                    elif answer.status_code < 500 and answer.status_code not in (404, 409, 429):
                        self.refusal = f"manual order {reference} refused: {answer.status_code} {answer.text}"
                        return
                    time.sleep(0.5)

    def all_answered(self) -> bool:
        with self.lock:
            return not self.unanswered

    def shipments(self, client: httpx.Client, external_id: str) -> int:
        raise ValueError("a manual store has no shop to record shipments")

    def misbehave(self, status: int, count: int) -> None:
        raise ValueError("a manual store has no platform to misbehave")

    def behave(self) -> None:
        raise ValueError("a manual store has no platform to misbehave")


def tracking_number(external_id: str) -> str:
    """The tracking number the MIS reports for an order (by its external id)."""
    return f"CHAOS-{external_id}"


@dataclass
class Connecting:
    """What the other platforms' stores are connected with: the suite, an operator's headers, the chaos
    customer (whose Shopify store `bench_orders.set_up_shop` connected)."""

    base: str
    headers: dict[str, str]
    customer_id: str
    sandboxes: Sandboxes

    def connect(
        self, body: dict[str, object], *, while_types: tuple[str, ...] = ("customer-unknown",)
    ) -> httpx.Response:
        """POST /v1/stores, again while connectors has not heard yet what it needs (by event): while it
        answers one of the problems `while_types`."""
        response = retried_while(
            lambda: httpx.post(f"{self.base}/v1/stores", json=body, headers=self.headers, timeout=30),
            while_types,
            within=SETUP_TIMEOUT,
            pause=0.2,
        )
        if response.status_code != 201:
            raise SystemExit(f"connecting {body['platform']} failed: {response.status_code} {response.text}")
        return response

    def sync_and_map(self, store_id: str) -> bench_orders.Variant:
        """Asks for a full product sync (again while mapping has not heard of the store) and maps the
        store's one variant (`bench_orders.mapped_variant`)."""
        deadline = time.monotonic() + SETUP_TIMEOUT
        while True:
            asked = httpx.post(
                f"{self.base}/v1/stores/{store_id}/products/sync",
                json={"full": True},
                headers=self.headers,
                timeout=30,
            )
            if asked.status_code == 202:
                break
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the product sync of {store_id} was refused: {asked.status_code} {asked.text}"
                )
            time.sleep(0.2)
        return bench_orders.mapped_variant(self.base, self.headers, store_id)

    def woocommerce(self) -> WooCommerceShop:
        control = f"{self.sandboxes.woocommerce_http}/_sandbox/woocommerce"
        slug = "chaos-prints"
        site = httpx.post(f"{control}/sites", json={"slug": slug, "scheme": "https"})
        site.raise_for_status()
        key = httpx.post(f"{control}/sites/{slug}/keys", json={"permissions": "read_write"})
        key.raise_for_status()
        product = {
            "name": "Flyer",
            "type": "variable",
            "attributes": [{"name": "Size", "options": ["A5"]}],
            "variations": [
                {
                    "sku": bench_orders.SKU,
                    "regular_price": "19.00",
                    "attributes": [{"name": "Size", "option": "A5"}],
                }
            ],
        }
        httpx.post(f"{control}/sites/{slug}/products", json=product).raise_for_status()
        connected = self.connect(
            {
                "platform": "woocommerce",
                "url": site.json()["url"],
                "consumer_key": key.json()["consumer_key"],
                "consumer_secret": key.json()["consumer_secret"],
                "customer_id": self.customer_id,
            }
        )
        store_id = str(connected.json()["store"]["id"])
        variant = self.sync_and_map(store_id)
        return WooCommerceShop("woocommerce", store_id, f"{control}/sites/{slug}", int(variant.external_id))

    def etsy(self) -> EtsyShop:
        control = f"{self.sandboxes.etsy}/_sandbox/etsy"
        seller = httpx.post(f"{control}/sellers", json={"shop_name": "ChaosPrints"})
        seller.raise_for_status()
        shop_id, user_id = int(seller.json()["shop_id"]), int(seller.json()["user_id"])
        listing = httpx.post(
            f"{control}/shops/{shop_id}/listings",
            json={"title": "Flyer", "products": [{"sku": bench_orders.SKU, "price": "19.00"}]},
        )
        listing.raise_for_status()
        httpx.put(f"{control}/consent", json={"user_id": user_id, "approve": True}).raise_for_status()
        started = self.connect({"platform": "etsy", "customer_id": self.customer_id})
        page = httpx.get(started.json()["authorize_url"], follow_redirects=True, timeout=30)
        store_id = str(started.json()["store"]["id"])
        store = httpx.get(f"{self.base}/v1/stores/{store_id}", headers=self.headers, timeout=30).json()
        if page.status_code != 200 or store["status"] != "connected":
            raise SystemExit(f"the Etsy shop did not connect: {page.status_code} {page.text[:500]} {store}")
        self.sync_and_map(store_id)
        return EtsyShop("etsy", store_id, control, shop_id, int(listing.json()["listing_id"]))

    def pressero(self) -> PresseroShop:
        control = f"{self.sandboxes.pressero}/_sandbox/pressero"
        subscriber = httpx.post(f"{control}/subscribers", json={})
        subscriber.raise_for_status()
        site = dict(subscriber.json())
        httpx.post(
            f"{control}/subscribers/{site['subscriber_id']}/sites",
            json={"domain": PRESSERO_DOMAIN, "integration_id": REFERENCE_ID},
        ).raise_for_status()
        httpx.post(
            f"{control}/sites/{PRESSERO_DOMAIN}/products",
            json={"name": "Flyer", "printers_part_num": bench_orders.SKU},
        ).raise_for_status()
        httpx.patch(
            f"{self.base}/v1/customers/{self.customer_id}",
            json={"reference_id": REFERENCE_ID},
            headers=self.headers,
            timeout=30,
        ).raise_for_status()
        connected = self.connect(
            {
                "platform": "pressero",
                "customer_id": self.customer_id,
                "admin_url": self.sandboxes.pressero,
                "site_domain": PRESSERO_DOMAIN,
                "integration_id": REFERENCE_ID,
                "subscriber_id": site["subscriber_id"],
                "consumer_id": site["consumer_id"],
                "username": site["username"],
                "password": site["password"],
            },
            # Until connectors heard of the customer's new reference id: none yet, or its old one.
            while_types=("reference-id-missing", "integration-id-mismatch"),
        )
        setup = connected.json()["setup"]
        # What the producer enters in Pressero's admin (Preferences > Webhooks).
        httpx.put(
            f"{control}/subscribers/{site['subscriber_id']}/webhooks",
            json={
                "url": setup["webhook_url"],
                "security_key": setup["security_key"],
                "events": setup["events"],
            },
        ).raise_for_status()
        store_id = str(connected.json()["store"]["id"])
        self.sync_and_map(store_id)
        return PresseroShop("pressero", store_id, control, str(site["subscriber_id"]))

    def manual(self) -> ManualShop:
        created = self.connect(
            {"platform": "manual", "name": "Chaos direct orders", "customer_id": self.customer_id}
        )
        uploaded = httpx.post(
            f"{self.base}/v1/files",
            data={"customer_id": self.customer_id},
            files={"file": ("flyer.pdf", bench_orders.flyer_pdf(), "application/pdf")},
            headers=self.headers,
            timeout=60,
        )
        uploaded.raise_for_status()
        token = self.headers["Authorization"].split()[1]
        return ManualShop(str(created.json()["store"]["id"]), self.base, token, str(uploaded.json()["url"]))


def connect_all(connecting: Connecting) -> list[Shop]:
    """The WooCommerce, Etsy, Pressero and manual stores, set up side by side (most of it is waiting for
    events between the services)."""
    results: dict[str, Any] = {}

    def set_up(platform: str) -> None:
        try:
            results[platform] = getattr(connecting, platform)()
        except BaseException as exc:  # re-raised in the caller's thread
            results[platform] = exc

    threads = [
        threading.Thread(target=set_up, args=(platform,), name=f"set-up-{platform}")
        for platform in PLATFORMS
        if platform != "shopify"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for value in results.values():
        if isinstance(value, BaseException):
            raise value
    return [results[platform] for platform in PLATFORMS if platform != "shopify"]
