"""What mapping takes from the bus: connectors' stores (the projection its shop products are nested
under). Later: shop products fetched by connectors, and the outcome of a publish it asked for. Each
handler makes one service call in the consumer's unit of work."""

from mapping.store import service as stores
from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import StoreConnected, StoreDisconnected, StoreUpdated


async def on_store_snapshot(
    context: EventContext, data: StoreConnected | StoreUpdated | StoreDisconnected
) -> None:
    await stores.record_snapshot(context.session, data, version=context.envelope.aggregate_version)


SUBSCRIPTIONS: list[Subscription] = [
    on(StoreConnected, on_store_snapshot),
    on(StoreUpdated, on_store_snapshot),
    on(StoreDisconnected, on_store_snapshot),
]
