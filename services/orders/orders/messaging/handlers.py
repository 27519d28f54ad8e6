"""What orders takes from the bus: connectors' stores (for the stores projection), shop orders (taken
in once per store and external id, see order/service.py), and mapping's mappings, catalog products and
templates (the projections orders resolve through, see projections/service.py), and connectors' answers
to its asks that a shop record a shipment (fulfilment/service.py). Each handler makes one
service call in the consumer's unit of work."""

from orders.fulfilment import service as fulfilment
from orders.order import service as order_service
from orders.projections import service as projections
from orders.store import service as store_service
from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import (
    CatalogProductChanged,
    MappingChanged,
    MappingRemoved,
    ShopFulfillmentFailed,
    ShopFulfillmentSucceeded,
    ShopOrderCancelled,
    ShopOrderReceived,
    ShopOrderUpdated,
    StoreConnected,
    StoreDisconnected,
    StoreUpdated,
    TemplateChanged,
    TemplateRemoved,
)


async def on_store_snapshot(
    context: EventContext, data: StoreConnected | StoreUpdated | StoreDisconnected
) -> None:
    await store_service.record_snapshot(context.session, data, version=context.envelope.aggregate_version)


async def on_shop_order(
    context: EventContext, data: ShopOrderReceived | ShopOrderUpdated | ShopOrderCancelled
) -> None:
    await order_service.take_in(context.session, context.outbox, data, event_id=context.envelope.id)


async def on_mapping(context: EventContext, data: MappingChanged | MappingRemoved) -> None:
    await projections.mapping_changed(
        context.session, context.outbox, data, version=context.envelope.aggregate_version
    )


async def on_catalog_product(context: EventContext, data: CatalogProductChanged) -> None:
    await projections.catalog_product_changed(
        context.session, context.outbox, data, version=context.envelope.aggregate_version
    )


async def on_template(context: EventContext, data: TemplateChanged | TemplateRemoved) -> None:
    await projections.template_changed(
        context.session, context.outbox, data, version=context.envelope.aggregate_version
    )


async def on_shop_fulfillment(
    context: EventContext, data: ShopFulfillmentSucceeded | ShopFulfillmentFailed
) -> None:
    await fulfilment.record_outcome(context.session, data, event_id=context.envelope.id)


SUBSCRIPTIONS: list[Subscription] = [
    on(StoreConnected, on_store_snapshot),
    on(StoreUpdated, on_store_snapshot),
    on(StoreDisconnected, on_store_snapshot),
    on(ShopOrderReceived, on_shop_order),
    on(ShopOrderUpdated, on_shop_order),
    on(ShopOrderCancelled, on_shop_order),
    on(MappingChanged, on_mapping),
    on(MappingRemoved, on_mapping),
    on(CatalogProductChanged, on_catalog_product),
    on(TemplateChanged, on_template),
    on(TemplateRemoved, on_template),
    on(ShopFulfillmentSucceeded, on_shop_fulfillment),
    on(ShopFulfillmentFailed, on_shop_fulfillment),
]
