"""What orders takes from the bus: connectors' stores (for the stores projection) and shop orders (taken
in once per store and external id, see order/service.py). Each handler makes one service call in the
consumer's unit of work."""

from orders.order import service as order_service
from orders.store import service as store_service
from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import (
    ShopOrderCancelled,
    ShopOrderReceived,
    ShopOrderUpdated,
    StoreConnected,
    StoreDisconnected,
    StoreUpdated,
)


async def on_store_snapshot(
    context: EventContext, data: StoreConnected | StoreUpdated | StoreDisconnected
) -> None:
    await store_service.record_snapshot(context.session, data, version=context.envelope.aggregate_version)


async def on_shop_order(
    context: EventContext, data: ShopOrderReceived | ShopOrderUpdated | ShopOrderCancelled
) -> None:
    await order_service.take_in(context.session, data, event_id=context.envelope.id)


SUBSCRIPTIONS: list[Subscription] = [
    on(StoreConnected, on_store_snapshot),
    on(StoreUpdated, on_store_snapshot),
    on(StoreDisconnected, on_store_snapshot),
    on(ShopOrderReceived, on_shop_order),
    on(ShopOrderUpdated, on_shop_order),
    on(ShopOrderCancelled, on_shop_order),
]
