from orders.messaging.handlers import SUBSCRIPTIONS
from orders.models import messaging
from printbridge_shared.db import Database
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.events.topology import GROUPS_BY_NAME

# The consumer group: one queue shared by all replicas of this service; its bindings are in the shared
# table (a test checks that SUBSCRIPTIONS handle exactly those event types).
CONSUMER_GROUP = GROUPS_BY_NAME["orders"].name


def consumers(db: Database, outbox: Outbox) -> list[Consumer]:
    """`outbox` is the service's own, for the events its handlers record."""
    return [Consumer(CONSUMER_GROUP, db, messaging, SUBSCRIPTIONS, outbox=outbox)]
