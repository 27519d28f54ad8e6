"""storefront-auth's news about the admin (invitation, activation, removal), kept on the customer for its
status."""

from sqlalchemy.ext.asyncio import AsyncSession

from customers.storefront_access import service as storefront_access
from printbridge_shared.events.consumer import Handler
from printbridge_shared.events.contracts import (
    EventData,
    StorefrontInvitationFailed,
    StorefrontUserActivated,
    StorefrontUserInvited,
    StorefrontUserRemoved,
)
from printbridge_shared.events.envelope import Envelope


async def on_user_invited(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontUserInvited)
    await storefront_access.record_invited(session, data.customer_id, data.email, data.invited_at)


async def on_invitation_failed(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontInvitationFailed)
    await storefront_access.record_failed(session, data.customer_id, data.email, data.reason)


async def on_user_activated(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontUserActivated)
    await storefront_access.record_activated(session, data.customer_id, data.email, data.activated_at)


async def on_user_removed(session: AsyncSession, data: EventData, _envelope: Envelope) -> None:
    assert isinstance(data, StorefrontUserRemoved)
    await storefront_access.record_removed(session, data.customer_id, data.email)


HANDLERS: dict[str, Handler] = {
    StorefrontUserInvited.event_type: on_user_invited,
    StorefrontInvitationFailed.event_type: on_invitation_failed,
    StorefrontUserActivated.event_type: on_user_activated,
    StorefrontUserRemoved.event_type: on_user_removed,
}
