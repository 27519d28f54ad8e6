"""The customers service's news: customer snapshots for the projection, and the Storefront-access switch
with its invitations. Each event carries the customer's version; news older than what is held changes
nothing. Events this service records in reply go through its own outbox, in the same transaction."""

from printbridge_shared.events.consumer import EventContext, Subscription, on
from printbridge_shared.events.contracts import (
    CustomerArchived,
    CustomerCreated,
    CustomerUpdated,
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontInvitationRequested,
)
from storefront_auth.customer_projection import service as customer_projection
from storefront_auth.customer_projection.service import CustomerSnapshot
from storefront_auth.invitation import service as invitation


async def on_customer_changed(context: EventContext, data: CustomerSnapshot) -> None:
    await customer_projection.apply_snapshot(
        context.session, data, customer_version=context.envelope.aggregate_version
    )


async def on_access_enabled(context: EventContext, data: StorefrontAccessEnabled) -> None:
    await invitation.enable_access(
        context.session, context.outbox, data, customer_version=context.envelope.aggregate_version
    )


async def on_access_disabled(context: EventContext, data: StorefrontAccessDisabled) -> None:
    await invitation.disable_access(
        context.session, data, customer_version=context.envelope.aggregate_version
    )


async def on_invitation_requested(context: EventContext, data: StorefrontInvitationRequested) -> None:
    await invitation.resend_invitation(
        context.session, context.outbox, data, customer_version=context.envelope.aggregate_version
    )


SUBSCRIPTIONS: list[Subscription] = [
    on(CustomerCreated, on_customer_changed),
    on(CustomerUpdated, on_customer_changed),
    on(CustomerArchived, on_customer_changed),
    on(StorefrontAccessEnabled, on_access_enabled),
    on(StorefrontAccessDisabled, on_access_disabled),
    on(StorefrontInvitationRequested, on_invitation_requested),
]
