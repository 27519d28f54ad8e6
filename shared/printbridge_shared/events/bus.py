"""The event bus interface and its embedded implementation: durable in-process dispatch. Durability
comes from the outbox: the relay marks a row sent only after every consumer handled it (or dead-lettered
it), so a crash before that re-delivers on restart and the inbox skips what was already handled.

A consumer that fails is not retried on the spot, which would hold up the publisher's relay: the
delivery ends with `RetryLater`, the relay keeps the row unsent until the policy's next attempt time and
delivers it again then (consumers that handled it skip it through their inbox)."""

import asyncio
import random
from collections.abc import Sequence
from typing import Protocol

import structlog

from printbridge_shared.events.consumer import Consumer, Listener, is_permanent, notify_listeners
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.retry import RetryLater, RetryPolicy
from printbridge_shared.events.topology import ConsumerGroup, UnroutableEvent, groups_binding

log = structlog.get_logger(__name__)


class EventBus(Protocol):
    def add_consumer(self, consumer: Consumer) -> None: ...
    def add_listener(self, listener: Listener) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, envelope: Envelope) -> None: ...
    async def publish_batch(
        self, envelopes: Sequence[Envelope], *, attempts: Sequence[int] | None = None
    ) -> list[Exception | None]:
        """`attempts` (default: all 1) is the delivery attempt of each event, counted by the outbox row.
        The embedded bus uses it as its consumers' attempt number; RabbitMQ counts attempts per consumer
        group in the message headers instead."""
        ...

    def is_ready(self) -> bool: ...
    async def parked(self, groups: Sequence[str]) -> dict[str, int]: ...


class InProcessBus:
    """`groups` is the table of consumer groups (the embedded suite passes `CONSUMER_GROUPS`): an event
    that a group binds is delivered only while that group's consumer is on the bus; otherwise `publish`
    raises and the outbox row stays unsent."""

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        groups: Sequence[ConsumerGroup] = (),
    ) -> None:
        self.groups = tuple(groups)
        self.retry = retry or RetryPolicy()
        self.rng = rng
        self.consumers: list[Consumer] = []
        self.listeners: list[Listener] = []
        self._open = asyncio.Event()

    def add_consumer(self, consumer: Consumer) -> None:
        self.consumers.append(consumer)

    def add_listener(self, listener: Listener) -> None:
        self.listeners.append(listener)

    async def start(self) -> None:
        """Opens delivery. Until then `publish` waits, so no event passes before every consumer is added."""
        self._open.set()

    async def stop(self) -> None:
        self._open.clear()

    def is_ready(self) -> bool:
        return self._open.is_set()

    async def parked(self, groups: Sequence[str]) -> dict[str, int]:
        """Dead letters of the in-process bus are rows in each consumer's `dead_letters` table, not here."""
        return {}

    async def publish(self, envelope: Envelope, *, attempt: int = 1) -> None:
        """Hands the event to every consumer of its type once. Raises `UnroutableEvent` (before anyone
        got it) when a group that binds the type has no consumer on the bus, and `RetryLater` when a
        consumer failed and has attempts left; listeners hear the event on its first attempt only."""
        await self._open.wait()
        present = {consumer.name for consumer in self.consumers}
        missing = [name for name in groups_binding(envelope.type, self.groups) if name not in present]
        if missing:
            raise UnroutableEvent(envelope.type, missing)
        receivers = [consumer for consumer in self.consumers if envelope.type in consumer.handlers]
        if not receivers and attempt == 1:
            log.info("event_without_consumer_group", event_type=envelope.type, event_id=str(envelope.id))
        failures = []
        for consumer in receivers:
            failure = await self._deliver(consumer, envelope, attempt)
            if failure is not None:
                failures.append(failure)
        if attempt == 1:
            await notify_listeners(self.listeners, envelope)
        if failures:
            raise RetryLater(self.retry.delay(attempt, self.rng), "; ".join(failures))

    async def publish_batch(
        self, envelopes: Sequence[Envelope], *, attempts: Sequence[int] | None = None
    ) -> list[Exception | None]:
        """One after the other, in order; an event that has to wait for a retry does not hold up the
        events after it (consumers order changes by the aggregate's version, not by arrival)."""
        results: list[Exception | None] = []
        for envelope, attempt in zip(envelopes, attempts or [1] * len(envelopes), strict=True):
            try:
                await self.publish(envelope, attempt=attempt)
                results.append(None)
            except Exception as exc:
                results.append(exc)
        return results

    async def _deliver(self, consumer: Consumer, envelope: Envelope, attempt: int) -> str | None:
        """One attempt; returns the reason when the consumer failed and is to be tried again. A
        permanent failure, or the last attempt's, is dead-lettered in the consumer's database, and a
        consumer that dead-lettered the event is not tried again when another one's retry brings it back."""
        if attempt > 1 and await consumer.has_dead_letter(envelope.id):
            return None
        try:
            await consumer.handle(envelope)
            return None
        except Exception as exc:
            reason = consumer.report_failure(envelope, attempt, exc)
            if is_permanent(exc) or self.retry.gives_up_after(attempt):
                await consumer.dead_letter(envelope, reason, attempt)
                return None
            return f"{consumer.name}: {reason}"
