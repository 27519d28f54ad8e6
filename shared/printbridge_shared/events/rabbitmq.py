"""The distributed event bus on RabbitMQ. The outbox relay publishes with publisher confirms, so a row is
marked sent only once the broker owns the event. Each consumer group is one quorum queue shared by a
service's replicas; after its failed attempt `n` an event waits in `<group>.retry.<n>` for the retry
policy's delay (the message's own expiration; expired, it is dead-lettered back to the group's queue),
and after `max_attempts` — at once when the failure is permanent — it lands in `<group>.dead` with the
reason, so nothing is silently dropped. Listeners get a private queue per process, because their effects
(caches) live in that process.

One retry queue per attempt, because RabbitMQ expires a message only once it reaches the head of its
queue: in a shared queue a long wait would hold up the shorter ones behind it. Within one attempt's
queue the waits differ only by the jitter (at most half the delay)."""

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    HeadersType,
)
from aiormq.abc import DeliveredMessage
from pamqp.common import FieldTable
from pydantic import ValidationError

from printbridge_shared.db import safe_url, utcnow
from printbridge_shared.events.consumer import Consumer, Listener, is_permanent, notify_listeners
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.events.topology import (
    CONSUMER_GROUPS,
    ConsumerGroup,
    UnroutableEvent,
    groups_binding,
    with_consumers,
)

log = structlog.get_logger(__name__)

EXCHANGE = "printbridge.events"
# How long a delivery waits for others to share its transaction: a few ms of latency for far fewer commits.
BATCH_LINGER_SECONDS = 0.005
QUORUM: FieldTable = {"x-queue-type": "quorum"}
# Headers the broker adds when it dead-letters; they describe the old hop, not the message we forward.
BROKER_HEADERS = ("x-death", "x-first-death-", "x-last-death-", "x-delivery-count")
# The attempt a delivery is on (absent: the first); a retry carries the next number.
ATTEMPT_HEADER = "x-attempt"
# What a message in `<group>.dead` carries: why it failed, after how many attempts, in which group, when.
FAILURE_REASON_HEADER = "x-failure-reason"
ATTEMPTS_HEADER = "x-attempts"
CONSUMER_HEADER = "x-consumer"
FAILED_AT_HEADER = "x-failed-at"
FAILURE_HEADERS = (ATTEMPT_HEADER, FAILURE_REASON_HEADER, ATTEMPTS_HEADER, CONSUMER_HEADER, FAILED_AT_HEADER)

MessageHandler = Callable[[AbstractIncomingMessage], Awaitable[None]]


def dead_letter_queue(group: str) -> str:
    return f"{group}.dead"


def retry_queue(group: str, failed_attempt: int) -> str:
    """Where an event waits after its failed attempt `failed_attempt`."""
    return f"{group}.retry.{failed_attempt}"


def retry_queues(group: str, policy: RetryPolicy) -> dict[str, FieldTable]:
    """The group's retry queues and their arguments. A waiting message carries its own expiration (the
    policy's delay), so the arguments do not depend on the delay and a changed setting needs no new
    queues; a waiting message goes back to the group's queue only once that queue confirmed it."""
    arguments: FieldTable = {
        **QUORUM,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": group,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    return {retry_queue(group, n): arguments for n in range(1, policy.max_attempts)}


def replay_headers(headers: HeadersType) -> HeadersType:
    """A dead letter's headers for its way back into the group's queue: without the failure, the attempt
    count and the broker's records of earlier hops, so the replayed message starts at attempt 1."""
    return {k: v for k, v in headers.items() if not k.startswith(BROKER_HEADERS) and k not in FAILURE_HEADERS}


def persistent_copy(
    message: AbstractIncomingMessage, headers: HeadersType, *, expiration: float | None = None
) -> aio_pika.Message:
    """The same event as a new persistent message with `headers` (and, for a retry queue, the seconds
    it waits there), for moving it to another queue."""
    return aio_pika.Message(
        message.body,
        headers=headers,
        expiration=expiration,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        type=message.type,
    )


async def declare_group(
    channel: AbstractChannel, group: ConsumerGroup, *, retry: RetryPolicy
) -> AbstractQueue:
    """A consumer group's queue with its bindings, its retry wait queues and its `.dead` queue
    (declaring what exists already with the same arguments changes nothing)."""
    await channel.declare_queue(dead_letter_queue(group.name), durable=True, arguments=QUORUM)
    for name, arguments in retry_queues(group.name, retry).items():
        await channel.declare_queue(name, durable=True, arguments=arguments)
    queue = await channel.declare_queue(group.name, durable=True, arguments=QUORUM)
    for event_type in sorted(group.event_types):
        await queue.bind(EXCHANGE, routing_key=event_type)
    return queue


async def declare_topology(
    url: str, *, retry: RetryPolicy, groups: Sequence[ConsumerGroup] = CONSUMER_GROUPS
) -> None:
    """The exchange and every consumer group's queues and bindings (`printbridge migrate`), so an event
    published before its consumer first started waits in the consumer's queue."""
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel()
        await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        for group in groups:
            await declare_group(channel, group, retry=retry)
    finally:
        await connection.close()


class RabbitMQBus:
    """`groups` is the table of consumer groups (a service passes `CONSUMER_GROUPS`): `start` declares
    every group's queues (whichever service starts first), but consumes only from the groups of the
    consumers added to this bus. A consumer the table does not list gets its queues declared too."""

    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        connect_timeout: float = 60.0,
        prefetch: int = 50,
        publish_timeout: float = 10.0,
        groups: Sequence[ConsumerGroup] = (),
    ) -> None:
        self.url = url
        self.groups = tuple(groups)
        self.retry = retry or RetryPolicy()
        self.rng = rng
        self.connect_timeout = connect_timeout
        self.prefetch = prefetch
        self.publish_timeout = publish_timeout
        self.consumers: list[Consumer] = []
        self.listeners: list[Listener] = []
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._subscriptions: list[tuple[AbstractQueue, str]] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._starting = asyncio.Lock()

    def add_consumer(self, consumer: Consumer) -> None:
        self._refuse_when_started()
        self.consumers.append(consumer)

    def add_listener(self, listener: Listener) -> None:
        self._refuse_when_started()
        self.listeners.append(listener)

    def _refuse_when_started(self) -> None:
        # Queues and bindings are declared in start(); one added later would silently receive nothing.
        if self._connection is not None:
            raise RuntimeError("add consumers and listeners before the event bus starts")

    def is_ready(self) -> bool:
        return (
            self._connection is not None
            and self._connection.connected.is_set()
            and self._channel is not None
            and not self._channel.is_closed
        )

    async def start(self) -> None:
        async with self._starting:
            if self._connection is not None:
                return
            connection = await self._connect()
            try:
                await self._declare_and_consume(connection)
            except BaseException:
                self._subscriptions.clear()
                self._channel = self._exchange = None
                await connection.close()
                raise
            self._connection = connection
            connection.reconnect_callbacks.add(self._reconnected)
            log.info("event_bus_started", url=safe_url(self.url), consumers=[c.name for c in self.consumers])

    async def _reconnected(self, _connection: AbstractRobustConnection | None) -> None:
        """The robust connection restored queues and consumers; broadcasts sent meanwhile are lost."""
        log.warning("event_bus_reconnected", url=safe_url(self.url))
        for listener in self.listeners:
            if listener.catch_up is None:
                continue
            try:
                await listener.catch_up()
            except Exception:
                log.exception("listener_catch_up_failed", listener=listener.name)

    async def stop(self) -> None:
        """Stops taking deliveries, lets the handlers in progress finish (and ack), then closes."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        for queue, tag in self._subscriptions:
            try:
                await queue.cancel(tag)
            except Exception as exc:
                log.warning("event_bus_cancel_failed", queue=queue.name, error=str(exc))
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=10)
        self._subscriptions.clear()
        self._channel = self._exchange = None
        await connection.close()

    async def parked(self, groups: Sequence[str]) -> dict[str, int]:
        """How many messages wait in each group's `<group>.dead` queue (for `/metrics`); a group whose
        queue cannot be read is left out. A channel of its own, since a failed look-up closes it."""
        if self._connection is None:
            return {}
        counts: dict[str, int] = {}
        channel = await self._connection.channel()
        try:
            for group in groups:
                queue = await channel.declare_queue(dead_letter_queue(group), passive=True)
                counts[group] = int(queue.declaration_result.message_count or 0)
        except Exception as exc:
            log.warning("dead_letter_count_failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            if not channel.is_closed:
                await channel.close()
        return counts

    async def publish(self, envelope: Envelope) -> None:
        """Returns once the broker confirmed; a nack or a lost connection raises so the relay retries."""
        if self._exchange is None:
            raise RuntimeError("the event bus is not started")
        message = aio_pika.Message(
            envelope.model_dump_json().encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(envelope.id),
            correlation_id=envelope.correlation_id,
            type=envelope.type,
            headers={"x-request-id": envelope.correlation_id} if envelope.correlation_id else {},
        )
        if await self._send(self._exchange, envelope.type, message):
            return
        bound = groups_binding(envelope.type, with_consumers(self.groups, self.consumers))
        if bound:
            # A group binds it, yet no queue took it (deleted meanwhile?): the row stays unsent.
            raise UnroutableEvent(envelope.type, bound)
        log.info("event_without_consumer_group", event_type=envelope.type, event_id=str(envelope.id))

    async def publish_batch(
        self, envelopes: Sequence[Envelope], *, attempts: Sequence[int] | None = None
    ) -> list[Exception | None]:
        """Publishes all at once and waits for every confirm: one round trip for the batch, not one each.
        Consumers must not rely on strict order across a batch (they compare the aggregate's version).
        `attempts` is not used: each consumer group counts its attempts in the message headers."""
        results = await asyncio.gather(*(self.publish(e) for e in envelopes), return_exceptions=True)
        return [r if isinstance(r, Exception) else None for r in results]

    async def _send(self, exchange: AbstractExchange, routing_key: str, message: aio_pika.Message) -> bool:
        """Publishes with `mandatory`; False when the broker returned the message as unroutable."""
        result = await exchange.publish(message, routing_key, mandatory=True, timeout=self.publish_timeout)
        return not isinstance(result, DeliveredMessage)

    async def _connect(self) -> AbstractRobustConnection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                timeout = max(0.5, min(10.0, deadline - loop.time()))
                return await aio_pika.connect_robust(self.url, timeout=timeout)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if loop.time() >= deadline:
                    raise RuntimeError(
                        f"event bus {safe_url(self.url)} unreachable after {attempt} attempts: {error}"
                    ) from exc
                log.warning("event_bus_unreachable", url=safe_url(self.url), attempt=attempt, error=error)
                await asyncio.sleep(min(2.0, 0.25 * attempt, max(0.0, deadline - loop.time())))

    async def _declare_and_consume(self, connection: AbstractRobustConnection) -> None:
        self._channel = await connection.channel(publisher_confirms=True)
        self._exchange = await self._channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        # Deliveries get their own channel so that prefetch and consumer flow never stall confirms.
        deliveries = await connection.channel(publisher_confirms=False)
        await deliveries.set_qos(prefetch_count=self.prefetch)
        consumed = {consumer.name: consumer for consumer in self.consumers}
        for group in with_consumers(self.groups, self.consumers):
            queue = await declare_group(deliveries, group, retry=self.retry)
            if group.name in consumed:
                await self._subscribe(queue, self._group_handler(consumed[group.name]))
        if self.listeners:
            # aio-pika names the queue itself, so the robust connection can declare it again on reconnect.
            queue = await deliveries.declare_queue(exclusive=True, auto_delete=True)
            for event_type in sorted({t for listener in self.listeners for t in listener.event_types}):
                await queue.bind(EXCHANGE, routing_key=event_type)
            await self._subscribe(queue, self._on_broadcast)

    async def _subscribe(self, queue: AbstractQueue, handle: MessageHandler) -> None:
        async def tracked(message: AbstractIncomingMessage) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                await handle(message)
            finally:
                self._in_flight.discard(task)

        self._subscriptions.append((queue, await queue.consume(tracked)))

    def _group_handler(self, consumer: Consumer) -> MessageHandler:
        batcher = _Batcher(consumer, self._handle_one, size=self.prefetch, linger=BATCH_LINGER_SECONDS)

        async def handle(message: AbstractIncomingMessage) -> None:
            attempt = int(str(message.headers.get(ATTEMPT_HEADER, 1)))
            try:
                envelope = Envelope.model_validate_json(message.body)
            except ValidationError as exc:
                await self._dead_letter(consumer, message, f"unparseable envelope: {exc}", attempt)
                return
            if attempt == 1:
                await batcher.submit(message, envelope)
            else:
                await self._handle_one(consumer, message, envelope)

        return handle

    async def _handle_one(
        self, consumer: Consumer, message: AbstractIncomingMessage, envelope: Envelope
    ) -> None:
        """One event in its own transaction; a failure waits in the attempt's retry queue for the
        policy's delay, and goes to the dead letters after the last attempt or when it is permanent."""
        attempt = int(str(message.headers.get(ATTEMPT_HEADER, 1)))
        try:
            await consumer.handle(envelope)
        except Exception as exc:
            reason = consumer.report_failure(envelope, attempt, exc)
            if is_permanent(exc) or self.retry.gives_up_after(attempt):
                await self._dead_letter(consumer, message, reason, attempt)
            else:
                delay = self.retry.delay(attempt, self.rng)
                queue = retry_queue(consumer.name, attempt)
                await self._forward(message, queue, {ATTEMPT_HEADER: attempt + 1}, expiration=delay)
            return
        await message.ack()

    async def _dead_letter(
        self, consumer: Consumer, message: AbstractIncomingMessage, reason: str, attempts: int
    ) -> None:
        headers: HeadersType = {
            FAILURE_REASON_HEADER: reason[:4000],
            ATTEMPTS_HEADER: attempts,
            CONSUMER_HEADER: consumer.name,
            FAILED_AT_HEADER: utcnow().isoformat(),
        }
        if await self._forward(message, dead_letter_queue(consumer.name), headers):
            log.error(
                "event_dead_lettered", consumer=consumer.name, message_id=message.message_id, reason=reason
            )

    async def _forward(
        self,
        message: AbstractIncomingMessage,
        queue: str,
        headers: HeadersType,
        *,
        expiration: float | None = None,
    ) -> bool:
        """Moves the message to another of the group's queues; acks the original only once the broker
        confirmed the copy, otherwise requeues it, so a failure here never loses the event."""
        kept = {k: v for k, v in message.headers.items() if not k.startswith(BROKER_HEADERS)}
        copy = persistent_copy(message, {**kept, **headers}, expiration=expiration)
        try:
            if self._channel is None:
                raise RuntimeError("the event bus is stopped")
            if not await self._send(self._channel.default_exchange, queue, copy):
                raise RuntimeError(f"queue {queue} does not exist")
        except Exception as exc:
            log.error("event_forward_failed", queue=queue, message_id=message.message_id, error=str(exc))
            await message.nack(requeue=True)
            return False
        await message.ack()
        return True

    async def _on_broadcast(self, message: AbstractIncomingMessage) -> None:
        """Listener effects are in-memory and best effort: failures are logged, never retried."""
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError as exc:
            log.error("listener_event_unparseable", message_id=message.message_id, error=str(exc))
            await message.ack()
            return
        await notify_listeners(self.listeners, envelope)
        await message.ack()


class _Batcher:
    """Gathers the deliveries of one consumer group that arrive within a few milliseconds and handles
    them in one transaction. If the batch fails, each event is handled on its own (with the usual
    retries and dead letters), so one bad event never holds up or takes down the others."""

    def __init__(
        self,
        consumer: Consumer,
        handle_one: Callable[[Consumer, AbstractIncomingMessage, Envelope], Awaitable[None]],
        *,
        size: int,
        linger: float,
    ) -> None:
        self.consumer = consumer
        self.handle_one = handle_one
        self.size = size
        self.linger = linger
        self._pending: list[tuple[AbstractIncomingMessage, Envelope, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, message: AbstractIncomingMessage, envelope: Envelope) -> None:
        """Returns once the event was handled (or parked for retry), like a direct call would."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((message, envelope, done))
        if len(self._pending) >= self.size:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.linger, self._flush)
        await done

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.create_task(self._handle(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _handle(
        self, batch: list[tuple[AbstractIncomingMessage, Envelope, asyncio.Future[None]]]
    ) -> None:
        try:
            if len(batch) == 1:
                message, envelope, _done = batch[0]
                await self.handle_one(self.consumer, message, envelope)
                return
            try:
                await self.consumer.handle_batch([envelope for _message, envelope, _done in batch])
            except Exception as exc:
                log.warning(
                    "event_batch_failed", consumer=self.consumer.name, events=len(batch), error=str(exc)
                )
                for message, envelope, _done in batch:
                    await self.handle_one(self.consumer, message, envelope)
            else:
                for message, _envelope, _done in batch:
                    await message.ack()
        finally:
            for _message, _envelope, done in batch:
                if not done.done():
                    done.set_result(None)
