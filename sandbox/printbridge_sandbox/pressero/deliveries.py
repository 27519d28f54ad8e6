"""Pressero's webhook deliveries: a POST of the JSON envelope `{Type, TypeName, Timestamp, Data,
SubscriberId, SiteId, MessageID}` to the address the admin entered, for the events the admin ticked,
with `MessageHash`: SHA-1 over the security key followed by the body (UTF-8), in hex. Pressero only says
it "concatenates the key with the payload"; the order (key first) is the sandbox's reading of that.

Sent in the background, in order, one worker per app; switches make a delivery repeat, vanish, arrive
after the next one, or carry a wrong hash."""

import asyncio
import contextlib
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from printbridge_sandbox.pressero.state import EVENT_TYPES, Delivery, Order, Subscriber, now, wire_time

USER_AGENT = "Pressero-Webhooks (printbridge sandbox)"


def message_hash(security_key: str, body: bytes) -> str:
    return hashlib.sha1(security_key.encode() + body).hexdigest()


def envelope(event: str, order: Order, item_number: int | None) -> dict[str, Any]:
    """A thin notice: which order (and item); the details are for the receiver to fetch."""
    data: dict[str, Any] = {
        "OrderId": order.id,
        "OrderNumber": order.number,
        "SiteId": order.site.id,
        "OrderDate": wire_time(order.placed_at),
    }
    if item_number is not None:
        data["OrderItemSeq"] = item_number
    return {
        "Type": EVENT_TYPES.get(event, 0),
        "TypeName": event,
        "Timestamp": wire_time(now()),
        "Data": data,
        "SubscriberId": order.site.subscriber.id,
        "SiteId": order.site.id,
        "MessageID": str(uuid.uuid4()),
    }


@dataclass
class Deliverer:
    timeout_s: float = 10.0
    _queue: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)
    _worker: asyncio.Task[None] | None = None
    _client: httpx.AsyncClient | None = None
    _held: dict[str, list[Delivery]] = field(default_factory=dict)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.timeout_s, headers={"User-Agent": USER_AGENT})
        self._idle.set()
        self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._client is not None:
            await self._client.aclose()

    def notify(
        self, subscriber: Subscriber, event: str, order: Order, item_number: int | None = None
    ) -> None:
        """Queues the event's delivery when the admin's settings ask for it (no settings: nothing)."""
        settings = subscriber.webhooks
        if settings is None or event not in settings.events:
            return
        body = json.dumps(envelope(event, order, item_number), separators=(",", ":"))
        switches = subscriber.switches
        key = settings.security_key
        if switches.wrong_hash_deliveries > 0:
            switches.wrong_hash_deliveries -= 1
            key = key + "-wrong"
        delivery = Delivery(
            number=len(subscriber.deliveries) + 1,
            event=event,
            url=settings.url,
            body=body,
            message_hash=message_hash(key, body.encode()),
            message_id=json.loads(body)["MessageID"],
        )
        subscriber.deliveries.append(delivery)
        if switches.drop_deliveries > 0:
            switches.drop_deliveries -= 1
            delivery.dropped = True
            return
        if switches.out_of_order_deliveries > 0:
            switches.out_of_order_deliveries -= 1
            self._held.setdefault(subscriber.id, []).append(delivery)
            return
        copies = 1
        if switches.duplicate_deliveries > 0:
            switches.duplicate_deliveries -= 1
            copies = 2
        self._idle.clear()
        for _ in range(copies):
            self._queue.put_nowait(delivery)
        for held in self._held.pop(subscriber.id, []):
            self._queue.put_nowait(held)

    async def drained(self, subscriber: Subscriber, timeout_s: float) -> list[Delivery]:
        """Every delivery of the subscriber once the queued ones were sent (held ones are sent now)."""
        held = self._held.pop(subscriber.id, [])
        if held:
            self._idle.clear()
            for delivery in held:
                self._queue.put_nowait(delivery)
        await asyncio.wait_for(self._idle.wait(), timeout_s)
        return list(subscriber.deliveries)

    async def _run(self) -> None:
        while True:
            delivery = await self._queue.get()
            await self._send(delivery)
            self._queue.task_done()
            if self._queue.empty():
                self._idle.set()

    async def _send(self, delivery: Delivery) -> None:
        assert self._client is not None
        headers = {"Content-Type": "application/json", "MessageHash": delivery.message_hash}
        try:
            response = await self._client.post(delivery.url, content=delivery.body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
            return
        delivery.response_status = response.status_code
