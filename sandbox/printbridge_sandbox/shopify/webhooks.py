"""Webhook deliveries as Shopify makes them: one POST per matching subscription, the body signed with the
app's client secret (base64 HMAC-SHA256 of the exact bytes), retried with exponential backoff on a non-2xx
answer or a timeout, and the subscription deleted when every retry failed. Misbehaviour per shop:
duplicates, held-back (out-of-order) deliveries, dropped deliveries."""

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.shopify.state import Attempt, Delivery, Shop, State, now

USER_AGENT = "Shopify-Captain-Hook"


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def trim(payload: dict[str, Any], include_fields: list[str]) -> dict[str, Any]:
    if not include_fields:
        return payload
    return {key: value for key, value in payload.items() if key in include_fields}


class Webhooks:
    def __init__(self, state: State, settings: ShopifySettings) -> None:
        self.state = state
        self.settings = settings
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._client = httpx.AsyncClient()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def cancel_all(self) -> None:
        """Stops every delivery in flight (a reset: their subscriptions and shops are gone)."""
        for task in list(self._tasks):
            task.cancel()

    def emit(self, shop: Shop, topic: str, payload: dict[str, Any], client_id: str | None = None) -> str:
        """Delivers one change (one event id) to every subscription of the shop to `topic` (REST spelling),
        or only to `client_id`'s subscriptions. Returns the event id."""
        event_id = str(uuid.uuid4())
        triggered_at = now()
        subscriptions = [
            sub
            for sub in self.state.subscriptions.values()
            if sub.shop == shop.domain
            and sub.rest_topic == topic
            and (client_id is None or sub.client_id == client_id)
        ]
        for sub in sorted(subscriptions, key=lambda sub: sub.id):
            body = json.dumps(trim(payload, sub.include_fields), ensure_ascii=False).encode()
            delivery = Delivery(
                webhook_id=str(uuid.uuid4()),
                event_id=event_id,
                shop=shop.domain,
                client_id=sub.client_id,
                subscription_id=sub.id,
                topic=topic,
                uri=sub.uri,
                api_version=sub.api_version,
                body=body,
                triggered_at=triggered_at,
            )
            self._dispatch(shop, delivery)
        return event_id

    def _dispatch(self, shop: Shop, delivery: Delivery) -> None:
        behaviour = shop.misbehaviour
        self.state.deliveries.append(delivery)
        if behaviour.webhook_drop > 0:
            behaviour.webhook_drop -= 1
            delivery.status = "dropped"
            return
        if behaviour.webhook_hold_back > 0:
            behaviour.webhook_hold_back -= 1
            delivery.status = "held"
            shop.held_deliveries.append(delivery)
            return
        self._start(shop, delivery)
        if behaviour.webhook_duplicate:
            # Shopify's duplicates share the event id; the same webhook id comes back on a retry instead
            # (e.g. after a slow answer the app did process).
            duplicate = Delivery(
                webhook_id=str(uuid.uuid4()),
                event_id=delivery.event_id,
                shop=delivery.shop,
                client_id=delivery.client_id,
                subscription_id=delivery.subscription_id,
                topic=delivery.topic,
                uri=delivery.uri,
                api_version=delivery.api_version,
                body=delivery.body,
                triggered_at=delivery.triggered_at,
                duplicate_of=delivery.webhook_id,
            )
            self.state.deliveries.append(duplicate)
            self._start(shop, duplicate)

    def release_held(self, shop: Shop) -> None:
        held, shop.held_deliveries = shop.held_deliveries, []
        for delivery in held:
            delivery.status = "pending"
            self._start(shop, delivery)

    def _start(self, shop: Shop, delivery: Delivery) -> None:
        task = asyncio.get_running_loop().create_task(self._run(shop, delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, shop: Shop, delivery: Delivery) -> None:
        for attempt in range(1 + self.settings.webhook_retries):
            if attempt:
                delivery.status = "retrying"
                await asyncio.sleep(self.settings.webhook_retry_base_seconds * 2 ** (attempt - 1))
            delivered = await self._attempt(delivery)
            if attempt == 0 and shop.held_deliveries and delivery not in shop.held_deliveries:
                # A held-back delivery goes out after a later one: the receiver sees them out of order.
                self.release_held(shop)
            if delivered:
                delivery.status = "delivered"
                return
        delivery.status = "failed"
        # Shopify removes a shop-specific subscription whose deliveries keep failing.
        self.state.subscriptions.pop(delivery.subscription_id, None)

    async def _attempt(self, delivery: Delivery) -> bool:
        app = self.state.apps.get(delivery.client_id)
        secret = app.client_secret if app else ""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Shopify-Topic": delivery.topic,
            "X-Shopify-Hmac-Sha256": sign(delivery.body, secret),
            "X-Shopify-Shop-Domain": delivery.shop,
            "X-Shopify-API-Version": delivery.api_version,
            "X-Shopify-Webhook-Id": delivery.webhook_id,
            "X-Shopify-Event-Id": delivery.event_id,
            "X-Shopify-Triggered-At": delivery.triggered_at.astimezone(UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }
        assert self._client is not None, "Webhooks.start() runs in the app's lifespan"
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                response = await self._client.post(
                    delivery.uri,
                    content=delivery.body,
                    headers=headers,
                    timeout=httpx.Timeout(None, connect=1.0),
                )
            status = response.status_code
        except TimeoutError:
            error = f"timeout after {self.settings.webhook_timeout_seconds} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery.attempts.append(Attempt(at=datetime.now(UTC), status_code=status, error=error))
        return status is not None and 200 <= status < 300
