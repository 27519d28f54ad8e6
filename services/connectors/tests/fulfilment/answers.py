"""What the fulfilment tests of every platform share: asking connectors as its consumer of
`shop_fulfillment.requested` does, through the app's own database (so its job runner wakes at the
commit), and reading the answers it recorded in its outbox."""

import uuid
from typing import Any

from connectors.fulfilment import service as fulfilment
from connectors.models import messaging
from printbridge_shared.db import Database
from printbridge_shared.events.contracts import ShopFulfillmentRequested
from printbridge_shared.testing import eventually, recorded_events


async def ask(db: Database, data: ShopFulfillmentRequested) -> None:
    async with db.session() as session:
        await fulfilment.fulfilment_requested(session, data)


async def answers(db: Database, request_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    """The request's answers so far, oldest first: ("succeeded" | "failed", the event's data)."""
    return [
        (envelope.type.rpartition(".")[2], envelope.data)
        for envelope in await recorded_events(db, messaging.outbox)
        if envelope.type in ("shop_fulfillment.succeeded", "shop_fulfillment.failed")
        and envelope.data["request_id"] == str(request_id)
    ]


async def answer(db: Database, request_id: uuid.UUID, count: int = 1) -> tuple[str, dict[str, Any]]:
    """The request's `count`-th answer, once there."""

    async def answered() -> bool:
        return len(await answers(db, request_id)) >= count

    await eventually(answered, within=20)
    return (await answers(db, request_id))[count - 1]
