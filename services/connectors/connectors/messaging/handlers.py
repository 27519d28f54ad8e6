"""Events connectors will consume arrive here: the asks other services make of the platforms
(`shop_product.publish_requested`, `shop_fulfillment.requested`) and customers' news (a customer
archived or switched off stops its stores' polling). Each handler makes one service call in the
consumer's unit of work. None yet: connectors has no state that another service's event changes."""

from printbridge_shared.events.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
