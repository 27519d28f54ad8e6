from printbridge_shared.db import Database
from printbridge_shared.events.consumer import Consumer
from storefront_auth.messaging.handlers import HANDLERS
from storefront_auth.models import messaging

# The consumer group: one queue shared by all replicas of this service.
CONSUMER_GROUP = "storefront-auth"


def consumers(db: Database) -> list[Consumer]:
    return [Consumer(CONSUMER_GROUP, db, messaging, HANDLERS)]
