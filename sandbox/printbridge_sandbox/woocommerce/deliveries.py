"""Webhook deliveries the way `WC_Webhook` makes them.

- The ping (`deliver_ping()`): a form-encoded POST `webhook_id=<id>`, no signature, no X-WC headers;
  only an exact 200 clears the webhook's `pending_delivery`.
- An event: `POST` of the resource's JSON (`trim(wp_json_encode(payload))`) with `X-WC-Webhook-Source`
  (home URL with a trailing slash), `-Topic`, `-Resource`, `-Event`, `-Signature` (base64 of the raw
  HMAC-SHA256 of those exact bytes, keyed with the webhook's secret), `-ID` and `-Delivery-ID`
  (`wp_hash(webhook_id . unix_time)`: the same id for the same webhook within one second).
- Sent in the background, in order per site; no redirects followed; a 2xx, 301 or 302 is a success
  and resets `failure_count`; any other answer or no answer is a failure, and a failure when the count
  already exceeds `woocommerce_max_webhook_delivery_failures` (5) disables the webhook — in practice
  the 7th consecutive failure. A failed event is not retried.
"""

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import hmac
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import structlog

from printbridge_sandbox.woocommerce.shapes import WC_VERSION, WP_VERSION
from printbridge_sandbox.woocommerce.state import Delivery, Site, Webhook, now
from printbridge_sandbox.woocommerce.wire import php_json

USER_AGENT = f"WooCommerce/{WC_VERSION} Hookshot (WordPress/{WP_VERSION})"
# The ping goes through wp_safe_remote_post() with WordPress's default timeout.
PING_TIMEOUT_S = 5.0

log = structlog.get_logger(__name__)


def webhook_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def new_delivery_id(site: Site, webhook_id: int, moment: datetime) -> str:
    """`wp_hash($webhook_id . strtotime('now'))`: HMAC-MD5 under the install's salt, hex."""
    message = f"{webhook_id}{int(moment.timestamp())}".encode()
    return hmac.new(site.salt.encode(), message, hashlib.md5).hexdigest()


def is_success(status: int) -> bool:
    return 200 <= status < 303


@dataclass
class _SiteQueue:
    queue: asyncio.Queue[Delivery]
    worker: asyncio.Task[None]


@dataclass
class Deliverer:
    """Sends each site's deliveries in order from one worker per site, started with the app."""

    timeout_s: float = 60.0
    # What outgoing HTTPS trusts: True (the system's CAs, or SSL_CERT_FILE) or a context.
    verify: ssl.SSLContext | bool = True
    _client: httpx.AsyncClient | None = None
    _starts: int = 0
    _queues: dict[str, _SiteQueue] = field(default_factory=dict)
    _sites: dict[str, Site] = field(default_factory=dict)

    async def start(self) -> None:
        """Counted: one app served by two servers (HTTP and HTTPS) runs its lifespan twice."""
        self._starts += 1
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout_s,
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
                verify=self.verify,
            )

    async def stop(self) -> None:
        self._starts -= 1
        if self._starts > 0:
            return
        await self.forget_all()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def forget_all(self) -> None:
        for slug in list(self._queues):
            await self.forget(slug)

    async def forget(self, slug: str) -> None:
        """Stops a site's worker and drops what it had queued (the site is gone or reset)."""
        entry = self._queues.pop(slug, None)
        self._sites.pop(slug, None)
        if entry is not None:
            entry.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await entry.worker

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the WooCommerce sandbox's deliverer is not started (run the app's lifespan)")
        return self._client

    # -- the ping ------------------------------------------------------------------------------------

    async def ping(self, site: Site, webhook: Webhook) -> Delivery:
        body = f"webhook_id={webhook.id}".encode()
        delivery = Delivery(
            number=site.next_delivery_number(),
            kind="ping",
            webhook_id=webhook.id,
            topic=None,
            delivery_url=webhook.delivery_url,
            delivery_id=None,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            queued_at=now(),
        )
        site.deliveries.append(delivery)
        status = await self.post(delivery, PING_TIMEOUT_S)
        if status == 200:
            webhook.pending_delivery = False
        return delivery

    # -- events --------------------------------------------------------------------------------------

    def emit(self, site: Site, topic: str, payload: object) -> None:
        """Queues one delivery of `payload` to every active webhook of `topic` (the payload is
        serialised now, so a delivery carries the resource as it was when the event happened)."""
        body = php_json(payload)
        for webhook in list(site.webhooks.values()):
            if webhook.topic != topic or webhook.status != "active":
                continue
            self._route(site, self._event(site, webhook, body))

    def _event(self, site: Site, webhook: Webhook, body: bytes) -> Delivery:
        return Delivery(
            number=site.next_delivery_number(),
            kind="event",
            webhook_id=webhook.id,
            topic=webhook.topic,
            delivery_url=webhook.delivery_url,
            delivery_id=None,
            body=body,
            headers={},
            queued_at=now(),
        )

    def _route(self, site: Site, delivery: Delivery) -> None:
        misbehaviour = site.misbehaviour
        site.deliveries.append(delivery)
        if misbehaviour.drop_deliveries > 0:
            misbehaviour.drop_deliveries -= 1
            delivery.outcome = "dropped"
            return
        copies = [delivery]
        if misbehaviour.duplicate_deliveries > 0:
            misbehaviour.duplicate_deliveries -= 1
            twin = dataclasses.replace(delivery, number=site.next_delivery_number())
            site.deliveries.append(twin)
            copies.append(twin)
        if misbehaviour.out_of_order_deliveries > 0:
            misbehaviour.out_of_order_deliveries -= 1
            for copy in copies:
                copy.outcome = "held"
            site.held.extend(copies)
            if misbehaviour.out_of_order_deliveries == 0:
                self.release_held(site)
            return
        for copy in copies:
            self._queue(site).put_nowait(copy)

    def release_held(self, site: Site) -> None:
        """Sends the deliveries held for out-of-order delivery, newest first."""
        held, site.held = site.held, []
        for delivery in reversed(held):
            delivery.outcome = "queued"
            self._queue(site).put_nowait(delivery)

    def _queue(self, site: Site) -> "asyncio.Queue[Delivery]":
        entry = self._queues.get(site.slug)
        if entry is None:
            self._http()  # refuse before starting a worker that could not send
            queue: asyncio.Queue[Delivery] = asyncio.Queue()
            worker = asyncio.get_running_loop().create_task(
                self._work(site, queue), name=f"woocommerce-deliveries-{site.slug}"
            )
            worker.add_done_callback(self._report_crash)
            entry = self._queues[site.slug] = _SiteQueue(queue, worker)
            self._sites[site.slug] = site
        return entry.queue

    @staticmethod
    def _report_crash(task: "asyncio.Task[None]") -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "woocommerce_delivery_worker_crashed", task=task.get_name(), error=repr(task.exception())
            )

    async def drained(self, site: Site, timeout_s: float) -> bool:
        """Waits until the site has sent everything queued (held deliveries excepted)."""
        entry = self._queues.get(site.slug)
        if entry is None:
            return True
        try:
            await asyncio.wait_for(entry.queue.join(), timeout_s)
        except TimeoutError:
            return False
        return True

    async def _work(self, site: Site, queue: "asyncio.Queue[Delivery]") -> None:
        while True:
            delivery = await queue.get()
            try:
                if site.misbehaviour.delivery_delay_s > 0:
                    await asyncio.sleep(site.misbehaviour.delivery_delay_s)
                await self._send_event(site, delivery)
            except Exception as exc:  # one broken delivery must not stop the site's worker
                delivery.outcome, delivery.error = "failed", repr(exc)
                log.exception("woocommerce_delivery_error", site=site.slug, delivery=delivery.number)
            finally:
                queue.task_done()

    async def _send_event(self, site: Site, delivery: Delivery) -> None:
        webhook = site.webhooks.get(delivery.webhook_id)
        if webhook is None:
            delivery.outcome, delivery.error = "failed", "the webhook was deleted before delivery"
            return
        delivery.sent_at = now()
        delivery.delivery_id = new_delivery_id(site, webhook.id, delivery.sent_at)
        delivery.headers = {
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": site.home_url + "/",
            "X-WC-Webhook-Topic": webhook.topic,
            "X-WC-Webhook-Resource": webhook.resource,
            "X-WC-Webhook-Event": webhook.event,
            "X-WC-Webhook-Signature": webhook_signature(delivery.body, webhook.secret),
            "X-WC-Webhook-ID": str(webhook.id),
            "X-WC-Webhook-Delivery-ID": delivery.delivery_id,
        }
        status = await self.post(delivery, self.timeout_s)
        if status is not None and is_success(status):
            webhook.failure_count = 0
        elif webhook.failure_count > site.misbehaviour.max_delivery_failures:
            webhook.status = "disabled"
            webhook.modified_at = now()
            log.info("woocommerce_webhook_disabled", site=site.slug, webhook=webhook.id)
        else:
            webhook.failure_count += 1

    async def post(self, delivery: Delivery, timeout_s: float) -> int | None:
        """Sends one recorded POST and records its outcome: the response's status, or None."""
        started = time.monotonic()
        delivery.sent_at = delivery.sent_at or now()
        try:
            response = await self._http().post(
                delivery.delivery_url, content=delivery.body, headers=delivery.headers, timeout=timeout_s
            )
        except httpx.HTTPError as exc:
            delivery.outcome, delivery.error = "failed", f"{type(exc).__name__}: {exc}"
            delivery.duration_s = round(time.monotonic() - started, 5)
            return None
        delivery.duration_s = round(time.monotonic() - started, 5)
        delivery.response_status = response.status_code
        # The ping and the wc-auth key callback accept exactly 200; webhook events any success.
        exact = delivery.kind in ("ping", "key_callback")
        ok = response.status_code == 200 if exact else is_success(response.status_code)
        delivery.outcome = "delivered" if ok else "failed"
        return response.status_code
