"""Events orders will consume arrive here: shop orders connectors received (`shop_order.received`),
customers' news for its projection, and the outcome of a fulfilment push it asked for. Each
handler makes one service call in the consumer's unit of work. None yet: orders has no state so far."""

from printbridge_shared.events.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
