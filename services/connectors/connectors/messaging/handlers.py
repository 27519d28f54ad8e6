"""Events connectors consumes: the customers that stores belong to (a store is connected only for a
known, active customer), and the asks other services make of the platforms (a product sync, creating a
product in a shop, telling a shop that an order shipped)."""

from connectors.customer import service as customers
from connectors.fulfilment import service as fulfilment
from connectors.products import publish
from connectors.products import service as products
from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import (
    CustomerArchived,
    CustomerCreated,
    CustomerUpdated,
    ShopFulfillmentRequested,
    ShopProductPublishRequested,
    StoreProductSyncRequested,
)


async def on_customer(
    context: EventContext, data: CustomerCreated | CustomerUpdated | CustomerArchived
) -> None:
    await customers.remember(context.session, data, context.envelope.aggregate_version)


async def on_product_sync_requested(context: EventContext, data: StoreProductSyncRequested) -> None:
    await products.sync_requested(context.session, data)


async def on_publish_requested(context: EventContext, data: ShopProductPublishRequested) -> None:
    await publish.publish_requested(context.session, data)


async def on_fulfilment_requested(context: EventContext, data: ShopFulfillmentRequested) -> None:
    await fulfilment.fulfilment_requested(context.session, data)


SUBSCRIPTIONS: list[Subscription] = [
    on(CustomerCreated, on_customer),
    on(CustomerUpdated, on_customer),
    on(CustomerArchived, on_customer),
    on(StoreProductSyncRequested, on_product_sync_requested),
    on(ShopProductPublishRequested, on_publish_requested),
    on(ShopFulfillmentRequested, on_fulfilment_requested),
]
