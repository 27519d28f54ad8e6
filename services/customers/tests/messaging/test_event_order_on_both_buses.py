"""A late, older event changes nothing, however it travels: through the embedded bus and through a real
RabbitMQ queue, to the customers service's own handlers and database."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import aio_pika
import pytest
from sqlalchemy import func, select

from customers.messaging.handlers import SUBSCRIPTIONS
from customers.models import messaging
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.contracts import EventData, StorefrontInvitationFailed, StorefrontUserInvited
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.events.rabbitmq import RabbitMQBus, dead_letter_queue, retry_queues
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AMQP_TEST_URL, eventually

ADMIN = {"email": "anna@brand.example", "first_name": "Anna", "last_name": "Berg"}
AT = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
Deliver = Callable[[Envelope], Awaitable[None]]


def team_event(data: EventData, customer_id: uuid.UUID, team_version: int) -> Envelope:
    return Envelope(
        type=data.event_type,
        occurred_at=AT,
        source="storefront-auth",
        customer_id=customer_id,
        aggregate_id=customer_id,
        aggregate_version=team_version,
        data=data.model_dump(mode="json"),
    )


async def handled_count(app) -> int:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(messaging.inbox)) or 0)


@pytest.fixture(params=["in_process", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
async def deliver(request, app, client, bus) -> AsyncIterator[Deliver]:
    """Hands an event to the customers service's handlers through one bus and waits until it is handled."""
    if request.param == "in_process":

        async def through_the_embedded_bus(envelope: Envelope) -> None:
            await bus.publish(envelope)

        yield through_the_embedded_bus
        return
    # A consumer group of its own (the same handlers, the service's database), so that no other run on
    # this broker takes its messages; they are sent straight to its queue.
    group = f"test-customers-{uuid.uuid4().hex[:12]}"
    outbox = Outbox(messaging.outbox, "customers")
    policy = RetryPolicy(max_attempts=2, base_s=0.1)
    rabbit = RabbitMQBus(AMQP_TEST_URL, retry=policy, connect_timeout=5)
    rabbit.add_consumer(Consumer(group, app.state.db, messaging, SUBSCRIPTIONS, outbox=outbox))
    await rabbit.start()
    connection = await aio_pika.connect_robust(AMQP_TEST_URL)
    channel = await connection.channel(publisher_confirms=True)

    async def through_rabbitmq(envelope: Envelope) -> None:
        before = await handled_count(app)
        message = aio_pika.Message(envelope.model_dump_json().encode(), message_id=str(envelope.id))
        await channel.default_exchange.publish(message, routing_key=group)

        async def handled() -> bool:
            return await handled_count(app) > before

        await eventually(handled)

    try:
        yield through_rabbitmq
    finally:
        await rabbit.stop()
        for queue in (group, *retry_queues(group, policy), dead_letter_queue(group)):
            await channel.queue_delete(queue)
        await connection.close()


async def test_a_late_invitation_failure_changes_nothing_after_the_newer_invitation(
    client, operator, deliver
):
    created = await client.post("/v1/customers", json={"name": "Brand"}, headers=operator)
    customer_id = uuid.UUID(created.json()["id"])
    url = f"/v1/customers/{customer_id}/storefront-access"
    await client.put(url, json={"enabled": True, "admin": ADMIN}, headers=operator)
    invited = StorefrontUserInvited(
        customer_id=customer_id, user_id=uuid.uuid4(), email=ADMIN["email"], invited_at=AT
    )
    failed = StorefrontInvitationFailed(
        customer_id=customer_id, email=ADMIN["email"], reason="mail server unreachable", failed_at=AT
    )

    await deliver(team_event(invited, customer_id, team_version=2))
    await deliver(team_event(failed, customer_id, team_version=1))

    status = (await client.get(url, headers=operator)).json()
    assert (status["invitation_status"], status["failure_reason"]) == ("invited", None)


async def test_the_newer_event_still_applies_when_it_arrives_second(client, operator, deliver):
    created = await client.post("/v1/customers", json={"name": "Brand"}, headers=operator)
    customer_id = uuid.UUID(created.json()["id"])
    url = f"/v1/customers/{customer_id}/storefront-access"
    await client.put(url, json={"enabled": True, "admin": ADMIN}, headers=operator)
    invited = StorefrontUserInvited(
        customer_id=customer_id, user_id=uuid.uuid4(), email=ADMIN["email"], invited_at=AT
    )
    failed = StorefrontInvitationFailed(
        customer_id=customer_id, email=ADMIN["email"], reason="mail server unreachable", failed_at=AT
    )

    await deliver(team_event(invited, customer_id, team_version=1))
    await deliver(team_event(failed, customer_id, team_version=2))

    status = (await client.get(url, headers=operator)).json()
    assert (status["invitation_status"], status["failure_reason"]) == ("failed", "mail server unreachable")
