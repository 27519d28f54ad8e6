"""A customer's team is the aggregate of this service's events about its users: each such event carries
the team's next version, so a consumer can tell late news from new (see docs/events.md)."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.contracts import EventData
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from storefront_auth.team.repository import CustomerTeamRepository


async def record_event(
    session: AsyncSession, outbox: Outbox, customer_id: uuid.UUID, data: EventData
) -> Envelope:
    version = await CustomerTeamRepository(session).next_version(customer_id)
    return await outbox.record(
        session, data, customer_id=customer_id, aggregate_id=customer_id, aggregate_version=version
    )
