from orders.messaging.handlers import HANDLERS
from orders.models import messaging
from printbridge_shared.db import Database
from printbridge_shared.events.consumer import Consumer

# The consumer group: one queue shared by all replicas of this service.
CONSUMER_GROUP = "orders"


def consumers(db: Database) -> list[Consumer]:
    return [Consumer(CONSUMER_GROUP, db, messaging, HANDLERS)]
