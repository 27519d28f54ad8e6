from customers.messaging.handlers import SUBSCRIPTIONS
from customers.models import messaging
from printbridge_shared.db import Database
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.outbox import Outbox

SERVICE = "customers"
# The consumer group: one queue shared by all replicas of this service.
CONSUMER_GROUP = "customers"


def consumers(db: Database) -> list[Consumer]:
    outbox = Outbox(messaging.outbox, SERVICE)
    return [Consumer(CONSUMER_GROUP, db, messaging, SUBSCRIPTIONS, outbox=outbox)]
