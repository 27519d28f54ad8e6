"""A late, older event changes nothing, however it travels: through the embedded bus and through a real
RabbitMQ queue, to the customers service's own handlers and database."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from customers.messaging.handlers import SUBSCRIPTIONS
from customers.models import messaging
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.contracts import EventData, StorefrontInvitationFailed, StorefrontUserInvited
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.testing import rabbitmq_delivery

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


@pytest.fixture(params=["in_process", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
async def deliver(request, app, client, bus) -> AsyncIterator[Deliver]:
    """Hands an event to the customers service's handlers through one bus and waits until it is handled."""
    if request.param == "in_process":
        yield bus.publish
        return
    # A consumer group of its own with the service's handlers and database.
    group = f"test-customers-{uuid.uuid4().hex[:12]}"
    outbox = Outbox(messaging.outbox, "customers")
    async with rabbitmq_delivery(
        Consumer(group, app.state.db, messaging, SUBSCRIPTIONS, outbox=outbox)
    ) as send:
        yield send


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
