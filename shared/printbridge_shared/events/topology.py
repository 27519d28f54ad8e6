"""The table of consumer groups and the event types each binds. It lives beside the contracts so that
every service, `printbridge migrate` and both buses know every group's queues without importing one
another: any service's start (and `migrate`) declares all of them, so an event published before its
consumer ever ran waits in the consumer's queue. Each service's `messaging/topology.py` takes its group
from here, and a test checks that the handlers it registers are exactly the types listed."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from printbridge_shared.events.contracts import (
    CatalogProductChanged,
    CustomerArchived,
    CustomerCreated,
    CustomerUpdated,
    MappingChanged,
    MappingRemoved,
    ShopFulfillmentFailed,
    ShopFulfillmentRequested,
    ShopFulfillmentSucceeded,
    ShopOrderCancelled,
    ShopOrderReceived,
    ShopOrderUpdated,
    ShopProductPublished,
    ShopProductPublishFailed,
    ShopProductPublishRequested,
    ShopProductRemoved,
    ShopProductSynced,
    StoreConnected,
    StoreDisconnected,
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontInvitationFailed,
    StorefrontInvitationRequested,
    StorefrontUserActivated,
    StorefrontUserInvited,
    StorefrontUserRemoved,
    StoreProductSyncRequested,
    StoreUpdated,
    TemplateChanged,
    TemplateRemoved,
)

if TYPE_CHECKING:
    from printbridge_shared.events.consumer import Consumer


@dataclass(frozen=True)
class ConsumerGroup:
    """One durable consumer group: its queue (shared by the service's replicas) and its bindings."""

    name: str
    service: str
    event_types: frozenset[str]


class UnroutableEvent(Exception):
    """An event that some consumer group binds could not be delivered to it (its queue is missing, or
    its consumer is not on the in-process bus). The relay keeps the outbox row unsent and tries again."""

    def __init__(self, event_type: str, groups: Sequence[str]) -> None:
        super().__init__(f"{event_type} reached no queue of the groups that bind it ({', '.join(groups)})")
        self.event_type = event_type
        self.groups = tuple(groups)


CONSUMER_GROUPS: tuple[ConsumerGroup, ...] = (
    ConsumerGroup(
        "customers",
        service="customers",
        event_types=frozenset(
            {
                StorefrontUserInvited.event_type,
                StorefrontInvitationFailed.event_type,
                StorefrontUserActivated.event_type,
                StorefrontUserRemoved.event_type,
            }
        ),
    ),
    ConsumerGroup(
        "storefront-auth",
        service="storefront-auth",
        event_types=frozenset(
            {
                CustomerCreated.event_type,
                CustomerUpdated.event_type,
                CustomerArchived.event_type,
                StorefrontAccessEnabled.event_type,
                StorefrontAccessDisabled.event_type,
                StorefrontInvitationRequested.event_type,
            }
        ),
    ),
    ConsumerGroup(
        "connectors",
        service="connectors",
        event_types=frozenset(
            {
                CustomerCreated.event_type,
                CustomerUpdated.event_type,
                CustomerArchived.event_type,
                StoreProductSyncRequested.event_type,
                ShopProductPublishRequested.event_type,
                ShopFulfillmentRequested.event_type,
            }
        ),
    ),
    ConsumerGroup(
        "mapping",
        service="mapping",
        event_types=frozenset(
            {
                StoreConnected.event_type,
                StoreUpdated.event_type,
                StoreDisconnected.event_type,
                ShopProductSynced.event_type,
                ShopProductRemoved.event_type,
                ShopProductPublished.event_type,
                ShopProductPublishFailed.event_type,
            }
        ),
    ),
    ConsumerGroup(
        "orders",
        service="orders",
        event_types=frozenset(
            {
                StoreConnected.event_type,
                StoreUpdated.event_type,
                StoreDisconnected.event_type,
                ShopOrderReceived.event_type,
                ShopOrderUpdated.event_type,
                ShopOrderCancelled.event_type,
                MappingChanged.event_type,
                MappingRemoved.event_type,
                CatalogProductChanged.event_type,
                TemplateChanged.event_type,
                TemplateRemoved.event_type,
                ShopFulfillmentSucceeded.event_type,
                ShopFulfillmentFailed.event_type,
            }
        ),
    ),
)
GROUPS_BY_NAME = {group.name: group for group in CONSUMER_GROUPS}


def groups_of(service: str) -> tuple[ConsumerGroup, ...]:
    return tuple(group for group in CONSUMER_GROUPS if group.service == service)


def groups_binding(event_type: str, groups: Sequence[ConsumerGroup] = CONSUMER_GROUPS) -> list[str]:
    """The names of the groups whose queue must receive `event_type`."""
    return [group.name for group in groups if event_type in group.event_types]


def with_consumers(groups: Sequence[ConsumerGroup], consumers: Sequence["Consumer"]) -> list[ConsumerGroup]:
    """The table's groups, each also binding what its registered consumer handles, plus the groups of
    consumers the table does not list (a test's own group): everything a bus declares and routes to."""
    merged = {group.name: group for group in groups}
    for consumer in consumers:
        known = merged.get(consumer.name)
        merged[consumer.name] = ConsumerGroup(
            consumer.name,
            service=known.service if known else "",
            event_types=frozenset(consumer.handlers) | (known.event_types if known else frozenset()),
        )
    return list(merged.values())
