"""mapping keeps what it needs of connectors' stores from their events; a late, older snapshot changes
nothing."""

import datetime as dt
import uuid

from mapping.store import service as stores
from printbridge_shared.events.contracts import StoreConnected, StoreDisconnected, StoreUpdated
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually


def snapshot(kind, store_id, customer_id, *, name="Acme EU", status="connected"):
    return kind(
        store_id=store_id,
        customer_id=customer_id,
        platform="shopify",
        name=name,
        status=status,
        updated_at=dt.datetime.now(dt.UTC),
    )


async def held(app, store_id):
    async with app.state.db.session() as session:
        return await stores.get(session, store_id)


async def test_the_newest_snapshot_of_a_store_is_kept(app, client):
    store_id, customer_id = uuid.uuid4(), uuid.uuid4()
    async with app.state.db.session() as session:
        await stores.record_snapshot(session, snapshot(StoreConnected, store_id, customer_id), version=1)
        gone = snapshot(StoreDisconnected, store_id, customer_id, status="disconnected")
        assert await stores.record_snapshot(session, gone, version=3)
        late = snapshot(StoreUpdated, store_id, customer_id, name="Late")
        assert not await stores.record_snapshot(session, late, version=2)
    store = await held(app, store_id)
    assert (store.name, store.status, store.customer_id, store.version) == (
        "Acme EU",
        "disconnected",
        customer_id,
        3,
    )


async def test_store_events_on_the_bus_reach_the_projection(app, client, bus):
    store_id, customer_id = uuid.uuid4(), uuid.uuid4()
    data = snapshot(StoreConnected, store_id, customer_id)
    await bus.publish(
        Envelope(
            type=data.event_type,
            occurred_at=dt.datetime.now(dt.UTC),
            source="connectors",
            customer_id=customer_id,
            data=data.model_dump(mode="json"),
            aggregate_id=store_id,
            aggregate_version=1,
        )
    )

    async def arrived():
        return await held(app, store_id) is not None

    await eventually(arrived)
