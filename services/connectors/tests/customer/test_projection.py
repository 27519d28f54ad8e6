"""connectors learns the customers stores may belong to from customers' events; an older snapshot that
arrives late changes nothing."""

import datetime as dt
import uuid

from connectors.customer import service as customers
from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually


def snapshot(kind, customer_id, *, name="Acme", archived=False, reference_id=None):
    return kind(
        customer_id=customer_id,
        name=name,
        reference_id=reference_id,
        description=None,
        archived=archived,
        updated_at=dt.datetime.now(dt.UTC),
    )


async def remembered(app, customer_id):
    async with app.state.db.session() as session:
        return await customers.get(session, customer_id)


async def test_a_customer_is_remembered_and_its_newer_snapshots_win(app, client):
    customer_id = uuid.uuid4()
    async with app.state.db.session() as session:
        await customers.remember(session, snapshot(CustomerCreated, customer_id), 1)
        await customers.remember(session, snapshot(CustomerArchived, customer_id, archived=True), 3)
        await customers.remember(session, snapshot(CustomerUpdated, customer_id, name="Late"), 2)
    known = await remembered(app, customer_id)
    assert (known.name, known.archived, known.version) == ("Acme", True, 3)


async def test_the_reference_id_is_kept_and_follows_the_newest_snapshot(app, client):
    customer_id = uuid.uuid4()
    async with app.state.db.session() as session:
        await customers.remember(session, snapshot(CustomerCreated, customer_id, reference_id="ACME-1"), 1)
    assert (await remembered(app, customer_id)).reference_id == "ACME-1"
    async with app.state.db.session() as session:
        await customers.remember(session, snapshot(CustomerUpdated, customer_id, reference_id=None), 2)
    assert (await remembered(app, customer_id)).reference_id is None


async def test_the_consumer_takes_customer_events_from_the_bus(app, client, bus):
    customer_id = uuid.uuid4()
    data = snapshot(CustomerCreated, customer_id, name="From the bus")
    await bus.publish(
        Envelope(
            type=data.event_type,
            version=1,
            occurred_at=dt.datetime.now(dt.UTC),
            source="customers",
            customer_id=customer_id,
            data=data.model_dump(mode="json"),
            aggregate_id=customer_id,
            aggregate_version=1,
        )
    )

    async def arrived():
        known = await remembered(app, customer_id)
        return known is not None and known.name == "From the bus"

    await eventually(arrived)
