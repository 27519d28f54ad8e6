"""What mapping takes from the bus: connectors' stores (the projection its shop products are nested
under), the shop products connectors reads from them, and the outcome of a publish it asked for.
Each handler makes one service call in the consumer's unit of work."""

from mapping.product_draft import service as drafts
from mapping.shop_product import service as shop_products
from mapping.store import service as stores
from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import (
    ShopProductPublished,
    ShopProductPublishFailed,
    ShopProductRemoved,
    ShopProductSynced,
    StoreConnected,
    StoreDisconnected,
    StoreUpdated,
)


async def on_store_snapshot(
    context: EventContext, data: StoreConnected | StoreUpdated | StoreDisconnected
) -> None:
    await stores.record_snapshot(context.session, data, version=context.envelope.aggregate_version)


async def on_shop_product_synced(context: EventContext, data: ShopProductSynced) -> None:
    await shop_products.record_synced(context.session, context.outbox, data)


async def on_shop_product_removed(context: EventContext, data: ShopProductRemoved) -> None:
    await shop_products.record_removed(context.session, context.outbox, data)


async def on_shop_product_published(context: EventContext, data: ShopProductPublished) -> None:
    await drafts.published(context.session, context.outbox, data)


async def on_shop_product_publish_failed(context: EventContext, data: ShopProductPublishFailed) -> None:
    await drafts.failed(context.session, data)


SUBSCRIPTIONS: list[Subscription] = [
    on(StoreConnected, on_store_snapshot),
    on(StoreUpdated, on_store_snapshot),
    on(StoreDisconnected, on_store_snapshot),
    on(ShopProductSynced, on_shop_product_synced),
    on(ShopProductRemoved, on_shop_product_removed),
    on(ShopProductPublished, on_shop_product_published),
    on(ShopProductPublishFailed, on_shop_product_publish_failed),
]
