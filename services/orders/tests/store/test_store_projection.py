"""The stores projection follows connectors' store events; an older snapshot than the one held changes
nothing (by the envelope's aggregate_version when connectors sets it, else by updated_at)."""

import datetime as dt

from orders.models import Store
from printbridge_shared.events.contracts import StoreDisconnected, StoreStatus, StoreUpdated

AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


async def held(app, store_id) -> Store | None:
    async with app.state.db.sessionmaker() as session:
        return await session.get(Store, store_id)


def snapshot(contract, store_connected, *, minutes: int, **fields):
    return contract.model_validate(
        {**store_connected().model_dump(), "updated_at": AT + dt.timedelta(minutes=minutes), **fields}
    )


async def test_a_connected_store_is_kept_and_follows_newer_snapshots(
    app, deliver, store_connected, store_id, customer_id
):
    await deliver(store_connected())
    await deliver(snapshot(StoreUpdated, store_connected, minutes=5, name="Brand EU", status="auth_error"))

    store = await held(app, store_id)
    assert store is not None
    assert (store.customer_id, store.platform, store.name, store.status) == (
        customer_id,
        "shopify",
        "Brand EU",
        StoreStatus.auth_error,
    )
    assert store.updated_at == AT + dt.timedelta(minutes=5)


async def test_an_older_snapshot_after_a_newer_one_changes_nothing(app, deliver, store_connected, store_id):
    await deliver(snapshot(StoreDisconnected, store_connected, minutes=10, status="disconnected"))
    await deliver(snapshot(StoreUpdated, store_connected, minutes=5, name="Stale name"))

    store = await held(app, store_id)
    assert (store.name, store.status) == ("Brand shop", StoreStatus.disconnected)


async def test_the_aggregate_version_decides_over_updated_at_when_connectors_sets_it(
    app, deliver, store_connected, store_id
):
    await deliver(store_connected(), aggregate_version=1)
    # A clock that went back: version 2 is still the newer one.
    await deliver(snapshot(StoreUpdated, store_connected, minutes=-5, name="Renamed"), aggregate_version=2)
    await deliver(
        snapshot(StoreUpdated, store_connected, minutes=30, name="Late old news"), aggregate_version=1
    )

    store = await held(app, store_id)
    assert (store.name, store.version) == ("Renamed", 2)
