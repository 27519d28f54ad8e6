"""Events mapping will consume arrive here: a store connected or disconnected (`store.connected`),
shop products fetched by connectors, and the outcome of a publish it asked for. Each handler makes
one service call in the consumer's unit of work. None yet: mapping has no state so far."""

from printbridge_shared.events.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
