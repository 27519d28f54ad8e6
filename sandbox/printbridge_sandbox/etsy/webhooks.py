"""Webhook deliveries as Etsy makes them (developers.etsy.com, Webhooks; etsy/open-api #1564): a thin
`order.paid` notice `{"event_type", "resource_url", "shop_id"}` POSTed to the app's endpoint, signed the
Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">` keyed with the base64-decoded part of the app's `whsec_…` secret), retried on
Etsy's schedule (scaled by a setting) until a 2xx. Misbehaviour: duplicates, drops, held-back (out of
order) deliveries, a delay, wrong signatures."""

import asyncio
import base64
import hashlib
import hmac
import json
import secrets

import httpx

from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.etsy.state import App, Attempt, Delivery, Receipt, State

USER_AGENT = "Etsy-Webhooks"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class Webhooks:
    def __init__(self, state: State, settings: EtsySettings) -> None:
        self.state = state
        self.settings = settings
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._client = httpx.AsyncClient()

    async def stop(self) -> None:
        self.cancel_all()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def subscribers(self, receipt: Receipt) -> list[App]:
        """Apps with a webhook endpoint that the shop's seller has connected (a token not revoked)."""
        connected = {
            token.keystring
            for token in self.state.refresh_tokens.values()
            if token.user_id == receipt.seller_user_id and not token.revoked
        }
        return [app for key, app in self.state.apps.items() if app.webhook_url and key in connected]

    def order_paid(self, receipt: Receipt, api_base: str) -> list[Delivery]:
        deliveries = []
        for app in self.subscribers(receipt):
            body = json.dumps(
                {
                    "event_type": "order.paid",
                    "resource_url": f"{api_base}/v3/application/shops/{receipt.shop_id}/receipts/"
                    f"{receipt.receipt_id}",
                    "shop_id": receipt.shop_id,
                }
            ).encode()
            assert app.webhook_url is not None
            delivery = Delivery(
                number=self.state.ids.next("delivery"),
                webhook_id="msg_" + secrets.token_urlsafe(18),
                keystring=app.keystring,
                url=app.webhook_url,
                event_type="order.paid",
                shop_id=receipt.shop_id,
                receipt_id=receipt.receipt_id,
                body=body,
            )
            self._dispatch(delivery)
            deliveries.append(delivery)
        return deliveries

    def _dispatch(self, delivery: Delivery) -> None:
        behaviour = self.state.misbehaviour
        self.state.deliveries.append(delivery)
        if behaviour.webhook_wrong_signature > 0:
            behaviour.webhook_wrong_signature -= 1
            delivery.wrong_signature = True
        if behaviour.webhook_drop > 0:
            behaviour.webhook_drop -= 1
            delivery.status = "dropped"
            return
        if behaviour.webhook_hold_back > 0:
            behaviour.webhook_hold_back -= 1
            delivery.status = "held"
            self.state.held.append(delivery)
            return
        self._start(delivery)
        if behaviour.webhook_duplicate > 0:
            # At-least-once delivery: the same message (same webhook-id) arrives twice.
            behaviour.webhook_duplicate -= 1
            duplicate = Delivery(
                number=self.state.ids.next("delivery"),
                webhook_id=delivery.webhook_id,
                keystring=delivery.keystring,
                url=delivery.url,
                event_type=delivery.event_type,
                shop_id=delivery.shop_id,
                receipt_id=delivery.receipt_id,
                body=delivery.body,
                duplicate_of=delivery.number,
            )
            self.state.deliveries.append(duplicate)
            self._start(duplicate)

    def release_held(self) -> None:
        held, self.state.held = self.state.held, []
        for delivery in held:
            delivery.status = "pending"
            self._start(delivery)

    def _start(self, delivery: Delivery) -> None:
        task = asyncio.get_running_loop().create_task(self._run(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, delivery: Delivery) -> None:
        delay = self.state.misbehaviour.webhook_delay_seconds
        if delay:
            await asyncio.sleep(delay)
        delays = [0.0, *self.settings.webhook_retry_delays]
        for attempt, wait in enumerate(delays):
            if attempt:
                delivery.status = "retrying"
                await asyncio.sleep(wait * self.settings.webhook_retry_scale)
            delivered = await self._attempt(delivery)
            if attempt == 0 and self.state.held and delivery not in self.state.held:
                # A held-back delivery goes out after a later one: the receiver sees them out of order.
                self.release_held()
            if delivered:
                delivery.status = "delivered"
                return
        delivery.status = "failed"

    async def _attempt(self, delivery: Delivery) -> bool:
        app = self.state.apps.get(delivery.keystring)
        secret = app.webhook_secret if app else new_secret()
        if delivery.wrong_signature:
            secret = new_secret()
        timestamp = self.state.clock.seconds()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, delivery.webhook_id, timestamp, delivery.body),
        }
        assert self._client is not None, "Webhooks.start() runs in the app's lifespan"
        status: int | None = None
        problem: str | None = None
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                response = await self._client.post(
                    delivery.url,
                    content=delivery.body,
                    headers=headers,
                    timeout=httpx.Timeout(None, connect=2.0),
                )
            status = response.status_code
        except TimeoutError:
            problem = f"timeout after {self.settings.webhook_timeout_seconds} s"
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        delivery.attempts.append(Attempt(at=self.state.clock.now(), status_code=status, error=problem))
        return status is not None and 200 <= status < 300
