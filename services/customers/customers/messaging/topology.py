from customers.messaging.handlers import HANDLERS
from customers.models import messaging
from printbridge_shared.db import Database
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.topology import GROUPS_BY_NAME

# The consumer group: one queue shared by all replicas of this service; its bindings are in the shared
# table (a test checks that HANDLERS handle exactly those event types).
CONSUMER_GROUP = GROUPS_BY_NAME["customers"].name


def consumers(db: Database) -> list[Consumer]:
    return [Consumer(CONSUMER_GROUP, db, messaging, HANDLERS)]
