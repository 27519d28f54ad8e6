from printbridge_shared.db import Database
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.outbox import Outbox
from storefront_auth.messaging.handlers import SUBSCRIPTIONS
from storefront_auth.models import messaging

SERVICE = "storefront-auth"
# The consumer group: one queue shared by all replicas of this service.
CONSUMER_GROUP = "storefront-auth"


def consumers(db: Database) -> list[Consumer]:
    outbox = Outbox(messaging.outbox, SERVICE)
    return [Consumer(CONSUMER_GROUP, db, messaging, SUBSCRIPTIONS, outbox=outbox)]
