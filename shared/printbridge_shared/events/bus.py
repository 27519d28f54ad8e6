"""The event bus interface and its embedded implementation: durable in-process dispatch. Durability
comes from the outbox: the relay marks a row sent only after every consumer handled it (or dead-lettered
it), so a crash before that re-delivers on restart and the inbox skips what was already handled."""

import asyncio
from collections.abc import Sequence
from typing import Protocol

import structlog

from printbridge_shared.events.consumer import Consumer, Listener, notify_listeners
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.topology import ConsumerGroup, UnroutableEvent, groups_binding

log = structlog.get_logger(__name__)


class EventBus(Protocol):
    def add_consumer(self, consumer: Consumer) -> None: ...
    def add_listener(self, listener: Listener) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, envelope: Envelope) -> None: ...
    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[Exception | None]: ...
    def is_ready(self) -> bool: ...
    async def parked(self, groups: Sequence[str]) -> dict[str, int]: ...


class InProcessBus:
    """`groups` is the table of consumer groups (the embedded suite passes `CONSUMER_GROUPS`): an event
    that a group binds is delivered only while that group's consumer is on the bus; otherwise `publish`
    raises and the outbox row stays unsent."""

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        retry_delay: float = 1.0,
        groups: Sequence[ConsumerGroup] = (),
    ) -> None:
        self.groups = tuple(groups)
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
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

    async def publish(self, envelope: Envelope) -> None:
        await self._open.wait()
        present = {consumer.name for consumer in self.consumers}
        missing = [name for name in groups_binding(envelope.type, self.groups) if name not in present]
        if missing:
            raise UnroutableEvent(envelope.type, missing)
        receivers = [consumer for consumer in self.consumers if envelope.type in consumer.handlers]
        if not receivers:
            log.info("event_without_consumer_group", event_type=envelope.type, event_id=str(envelope.id))
        for consumer in receivers:
            await self._deliver(consumer, envelope)
        await notify_listeners(self.listeners, envelope)

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[Exception | None]:
        """One after the other, in order; stops at the first failure (the rest is tried again later)."""
        results: list[Exception | None] = []
        for envelope in envelopes:
            if results and results[-1] is not None:
                results.append(RuntimeError("not attempted after an earlier failure"))
                continue
            try:
                await self.publish(envelope)
                results.append(None)
            except Exception as exc:
                results.append(exc)
        return results

    async def _deliver(self, consumer: Consumer, envelope: Envelope) -> None:
        reason = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                await consumer.handle(envelope)
                return
            except Exception as exc:
                reason = consumer.report_failure(envelope, attempt, exc)
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.retry_delay * attempt)
        await consumer.dead_letter(envelope, reason, self.max_attempts)
