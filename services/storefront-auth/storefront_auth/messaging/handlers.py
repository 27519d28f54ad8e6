from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.consumer import Handler
from printbridge_shared.events.contracts import (
    CustomerArchived,
    CustomerCreated,
    CustomerUpdated,
    EventData,
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontInvitationRequested,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.outbox import Outbox
from storefront_auth.customer_projection import service as customer_projection
from storefront_auth.invitation import service as invitation
from storefront_auth.models import messaging

# Handlers record their own events through the same outbox as the endpoints.
OUTBOX = Outbox(messaging.outbox, "storefront-auth")


async def on_customer_changed(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    if not isinstance(data, CustomerCreated | CustomerUpdated | CustomerArchived):
        raise TypeError(f"expected a customer snapshot, got {type(data).__name__}")
    await customer_projection.apply_snapshot(session, data)


async def on_access_enabled(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontAccessEnabled)
    await invitation.enable_access(session, OUTBOX, data)


async def on_access_disabled(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontAccessDisabled)
    await invitation.disable_access(session, data)


async def on_invitation_requested(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontInvitationRequested)
    await invitation.resend_invitation(session, OUTBOX, data)


HANDLERS: dict[str, Handler] = {
    CustomerCreated.event_type: on_customer_changed,
    CustomerUpdated.event_type: on_customer_changed,
    CustomerArchived.event_type: on_customer_changed,
    StorefrontAccessEnabled.event_type: on_access_enabled,
    StorefrontAccessDisabled.event_type: on_access_disabled,
    StorefrontInvitationRequested.event_type: on_invitation_requested,
}
