import datetime as dt
import uuid

from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.contracts import (
    CustomerArchived,
    CustomerCreated,
    CustomerUpdated,
    EventData,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually
from storefront_auth.messaging.topology import CONSUMER_GROUP
from storefront_auth.models import CustomerProjection

T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def envelope(data: EventData) -> Envelope:
    return Envelope(
        type=data.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="customers",
        customer_id=data.customer_id,  # type: ignore[attr-defined]
        data=data.model_dump(mode="json"),
    )


def snapshot(model: type[EventData], customer_id: uuid.UUID, *, minutes: int, **fields: object) -> EventData:
    values = {"name": "Acme Prints", "reference_id": "ACME-1", "description": None, "archived": False}
    values |= fields
    return model(customer_id=customer_id, updated_at=T0 + dt.timedelta(minutes=minutes), **values)


def consumer_of(bus) -> Consumer:
    return next(c for c in bus.consumers if c.name == CONSUMER_GROUP)


async def projection(app, customer_id: uuid.UUID) -> CustomerProjection | None:
    async with app.state.db.sessionmaker() as session:
        return await session.get(CustomerProjection, customer_id)


async def test_the_consumer_is_registered_for_the_customer_events(client, bus):
    assert {"customer.archived", "customer.created", "customer.updated"} <= set(consumer_of(bus).event_types)


async def test_created_then_updated_customer_is_projected(app, client, bus):
    customer_id = uuid.uuid4()
    consumer = consumer_of(bus)
    assert await consumer.handle(envelope(snapshot(CustomerCreated, customer_id, minutes=0)))
    assert await consumer.handle(
        envelope(snapshot(CustomerUpdated, customer_id, minutes=5, name="Acme Renamed", reference_id=None))
    )
    row = await projection(app, customer_id)
    assert row is not None
    assert (row.name, row.reference_id, row.archived) == ("Acme Renamed", None, False)
    assert row.source_updated_at == T0 + dt.timedelta(minutes=5)


async def test_archived_customer_is_marked_archived(app, client, bus):
    customer_id = uuid.uuid4()
    consumer = consumer_of(bus)
    await consumer.handle(envelope(snapshot(CustomerCreated, customer_id, minutes=0)))
    await consumer.handle(envelope(snapshot(CustomerArchived, customer_id, minutes=1, archived=True)))
    assert (await projection(app, customer_id)).archived is True


async def test_a_repeated_envelope_is_handled_once(app, client, bus):
    customer_id = uuid.uuid4()
    consumer = consumer_of(bus)
    created = envelope(snapshot(CustomerCreated, customer_id, minutes=0))
    renamed = envelope(snapshot(CustomerUpdated, customer_id, minutes=5, name="Renamed"))
    assert await consumer.handle(created) is True
    assert await consumer.handle(renamed) is True
    assert await consumer.handle(created) is False
    assert await consumer.handle(renamed) is False
    assert (await projection(app, customer_id)).name == "Renamed"


async def test_an_older_update_arriving_late_does_not_overwrite_a_newer_one(app, client, bus):
    customer_id = uuid.uuid4()
    consumer = consumer_of(bus)
    await consumer.handle(envelope(snapshot(CustomerCreated, customer_id, minutes=0)))
    await consumer.handle(envelope(snapshot(CustomerUpdated, customer_id, minutes=10, name="Newest")))
    assert await consumer.handle(envelope(snapshot(CustomerUpdated, customer_id, minutes=5, name="Older")))
    row = await projection(app, customer_id)
    assert (row.name, row.source_updated_at) == ("Newest", T0 + dt.timedelta(minutes=10))


async def test_an_update_arriving_before_the_create_is_kept(app, client, bus):
    customer_id = uuid.uuid4()
    consumer = consumer_of(bus)
    await consumer.handle(envelope(snapshot(CustomerUpdated, customer_id, minutes=5, name="Updated")))
    await consumer.handle(envelope(snapshot(CustomerCreated, customer_id, minutes=0, name="Created")))
    assert (await projection(app, customer_id)).name == "Updated"


async def test_customer_events_published_on_the_bus_reach_the_projection(app, client, bus):
    customer_id = uuid.uuid4()
    await bus.publish(envelope(snapshot(CustomerCreated, customer_id, minutes=0, name="Via the bus")))
    await eventually(lambda: projection(app, customer_id))
    assert (await projection(app, customer_id)).name == "Via the bus"
