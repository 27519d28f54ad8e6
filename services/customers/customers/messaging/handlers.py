"""storefront-auth's news about the admin (invitation, activation, removal), kept on the customer for its
status. Each event carries the version of the customer's team in storefront-auth; older news than the
customer holds changes nothing."""

from customers.storefront_access import service as storefront_access
from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import (
    StorefrontInvitationFailed,
    StorefrontUserActivated,
    StorefrontUserInvited,
    StorefrontUserRemoved,
)


async def on_user_invited(context: EventContext, data: StorefrontUserInvited) -> None:
    await storefront_access.record_invited(
        context.session,
        data.customer_id,
        data.email,
        data.invited_at,
        team_version=context.envelope.aggregate_version,
    )


async def on_invitation_failed(context: EventContext, data: StorefrontInvitationFailed) -> None:
    await storefront_access.record_failed(
        context.session,
        data.customer_id,
        data.email,
        data.reason,
        team_version=context.envelope.aggregate_version,
    )


async def on_user_activated(context: EventContext, data: StorefrontUserActivated) -> None:
    await storefront_access.record_activated(
        context.session,
        data.customer_id,
        data.email,
        data.activated_at,
        team_version=context.envelope.aggregate_version,
    )


async def on_user_removed(context: EventContext, data: StorefrontUserRemoved) -> None:
    await storefront_access.record_removed(
        context.session, data.customer_id, data.email, team_version=context.envelope.aggregate_version
    )


SUBSCRIPTIONS: list[Subscription] = [
    on(StorefrontUserInvited, on_user_invited),
    on(StorefrontInvitationFailed, on_invitation_failed),
    on(StorefrontUserActivated, on_user_activated),
    on(StorefrontUserRemoved, on_user_removed),
]
