"""Order per aggregate: every event about a customer's team carries the team's next version, and news
from the customers service that is older than what this service holds changes nothing."""

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select

from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.contracts import (
    CustomerCreated,
    CustomerUpdated,
    EventData,
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontAdmin,
    StorefrontUserRemoved,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.testing import rabbitmq_delivery
from storefront_auth.messaging.handlers import SUBSCRIPTIONS
from storefront_auth.messaging.topology import CONSUMER_GROUP
from storefront_auth.models import CustomerAccess, CustomerProjection, CustomerUser, messaging
from storefront_auth.team import service as team

ANNA = StorefrontAdmin(email="anna@brand.example", first_name="Anna", last_name="Berg")
T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def customer_event(data: EventData, customer_version: int) -> Envelope:
    customer_id = data.customer_id  # type: ignore[attr-defined]
    return Envelope(
        type=data.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="customers",
        customer_id=customer_id,
        aggregate_id=customer_id,
        aggregate_version=customer_version,
        data=data.model_dump(mode="json"),
    )


async def deliver(bus, data: EventData, *, customer_version: int) -> None:
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)
    assert await consumer.handle(customer_event(data, customer_version))


@pytest.fixture(params=["in_process", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
async def through_a_bus(request, app, client, bus) -> AsyncIterator[Callable[[Envelope], Awaitable[None]]]:
    """Hands an event to this service's handlers through one bus and waits until it is handled."""
    if request.param == "in_process":
        yield bus.publish
        return
    # A consumer group of its own with the service's handlers and database.
    group = f"test-storefront-auth-{uuid.uuid4().hex[:12]}"
    outbox = Outbox(messaging.outbox, "storefront-auth")
    async with rabbitmq_delivery(
        Consumer(group, app.state.db, messaging, SUBSCRIPTIONS, outbox=outbox)
    ) as send:
        yield send


async def test_a_late_access_on_changes_nothing_through_either_bus(app, through_a_bus):
    customer_id = uuid.uuid4()
    enabled = StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=ANNA)
    await through_a_bus(customer_event(StorefrontAccessDisabled(customer_id=customer_id), 3))

    await through_a_bus(customer_event(enabled, 2))

    async with app.state.db.sessionmaker() as session:
        access = await session.get(CustomerAccess, customer_id)
        users = await session.scalar(select(func.count()).select_from(CustomerUser))
    assert (access.enabled, access.customer_version, users) == (False, 3, 0)


async def test_newer_access_news_switches_access_on_again(app, client, bus):
    customer_id = uuid.uuid4()
    await deliver(bus, StorefrontAccessDisabled(customer_id=customer_id), customer_version=5)

    enabled = StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=ANNA)
    await deliver(bus, enabled, customer_version=6)

    async with app.state.db.sessionmaker() as session:
        access = await session.get(CustomerAccess, customer_id)
    assert (access.enabled, access.customer_version) == (True, 6)


async def test_a_late_older_customer_snapshot_changes_nothing_whatever_its_clock_says(app, client, bus):
    customer_id = uuid.uuid4()
    values = {"reference_id": None, "description": None, "archived": False}
    renamed = CustomerUpdated(customer_id=customer_id, name="Acme Renamed", updated_at=T0, **values)
    await deliver(bus, renamed, customer_version=2)

    late = CustomerCreated(
        customer_id=customer_id, name="Acme", updated_at=T0 + dt.timedelta(minutes=1), **values
    )
    await deliver(bus, late, customer_version=1)

    async with app.state.db.sessionmaker() as session:
        row = await session.get(CustomerProjection, customer_id)
    assert (row.name, row.source_version) == ("Acme Renamed", 2)


async def test_each_event_about_a_team_carries_the_teams_next_version(app, client):
    acme, other = uuid.uuid4(), uuid.uuid4()
    outbox = app.state.outbox

    async with app.state.db.sessionmaker() as session, session.begin():
        for customer_id in (acme, other, acme):
            removed = StorefrontUserRemoved(
                customer_id=customer_id, user_id=uuid.uuid4(), email="x@brand.example", removed_at=T0
            )
            await team.record_event(session, outbox, customer_id, removed)

    async with app.state.db.sessionmaker() as session:
        rows = await session.scalars(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.seq))
        envelopes = [Envelope.model_validate(json.loads(raw)) for raw in rows]
    assert [(e.aggregate_id, e.aggregate_version) for e in envelopes] == [(acme, 1), (other, 1), (acme, 2)]


async def test_the_admins_invitation_failure_is_the_teams_next_version(app, client, bus, create_operator):
    await create_operator(email=ANNA.email)
    customer_id = uuid.uuid4()
    enabled = StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=ANNA)

    await deliver(bus, enabled, customer_version=1)

    async with app.state.db.sessionmaker() as session:
        rows = await session.scalars(select(messaging.outbox.c.envelope))
        [failed] = [Envelope.model_validate(json.loads(raw)) for raw in rows]
    assert failed.type == "storefront.invitation_failed"
    assert (failed.aggregate_id, failed.aggregate_version) == (customer_id, 1)
