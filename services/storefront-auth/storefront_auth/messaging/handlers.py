from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.consumer import Handler
from printbridge_shared.events.contracts import CustomerArchived, CustomerCreated, CustomerUpdated, EventData
from printbridge_shared.events.envelope import Envelope
from storefront_auth.customer_projection import service as customer_projection


async def on_customer_changed(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    if not isinstance(data, CustomerCreated | CustomerUpdated | CustomerArchived):
        raise TypeError(f"expected a customer snapshot, got {type(data).__name__}")
    await customer_projection.apply_snapshot(session, data)


HANDLERS: dict[str, Handler] = {
    CustomerCreated.event_type: on_customer_changed,
    CustomerUpdated.event_type: on_customer_changed,
    CustomerArchived.event_type: on_customer_changed,
}
