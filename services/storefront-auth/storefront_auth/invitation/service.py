"""Storefront access as storefront-auth lives it: the producer's switch (kept per customer), the
customer's admin as a user, and the invitation that is queued for the sender (sender.py)."""

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import (
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontAdmin,
    StorefrontInvitationFailed,
    StorefrontInvitationRequested,
)
from printbridge_shared.events.outbox import Outbox
from storefront_auth.credentials.emails import normalize_email
from storefront_auth.invitation.exceptions import EmailTakenByAnotherCustomer
from storefront_auth.invitation.repository import (
    CustomerAccessRepository,
    CustomerUserRepository,
    InvitationRepository,
)
from storefront_auth.models import CustomerRole, CustomerUser, Invitation

log = structlog.get_logger(__name__)


async def enable_access(session: AsyncSession, outbox: Outbox, data: StorefrontAccessEnabled) -> None:
    """Restores the customer's users and makes sure the admin has an account or an open invitation."""
    await CustomerAccessRepository(session).set(data.customer_id, enabled=True, at=utcnow())
    await _invite_admin(session, outbox, data.customer_id, data.customer_name, data.admin, fresh=False)


async def disable_access(session: AsyncSession, data: StorefrontAccessDisabled) -> None:
    await CustomerAccessRepository(session).set(data.customer_id, enabled=False, at=utcnow())


async def resend_invitation(
    session: AsyncSession, outbox: Outbox, data: StorefrontInvitationRequested
) -> None:
    await _invite_admin(session, outbox, data.customer_id, data.customer_name, data.admin, fresh=True)


async def _invite_admin(
    session: AsyncSession,
    outbox: Outbox,
    customer_id: uuid.UUID,
    customer_name: str,
    admin: StorefrontAdmin,
    *,
    fresh: bool,
) -> None:
    now = utcnow()
    email = normalize_email(admin.email)
    users, invitations = CustomerUserRepository(session), InvitationRepository(session)
    for former in await users.pending_admins(customer_id):
        if former.email != email:  # the producer named another admin while this one's invitation was open
            await invitations.revoke_open(former.id, at=now)
    user = await users.get_by_email(email)
    if user is not None and user.customer_id != customer_id:
        reason = str(EmailTakenByAnotherCustomer(email))
        failed = StorefrontInvitationFailed(
            customer_id=customer_id, email=email, reason=reason, failed_at=now
        )
        await outbox.record(session, failed, customer_id=customer_id)
        return
    if user is None:
        user = CustomerUser(
            id=uuid.uuid4(),
            customer_id=customer_id,
            email=email,
            first_name=admin.first_name,
            last_name=admin.last_name,
            role=CustomerRole.admin,
            password_hash=None,
            created_at=now,
            activated_at=None,
        )
        users.add(user)
    if user.active:
        return
    if not fresh and await invitations.open_for(user.id) is not None:
        return
    await invitations.revoke_open(user.id, at=now)
    invitations.add(
        Invitation(
            id=uuid.uuid4(),
            user_id=user.id,
            customer_id=customer_id,
            customer_name=customer_name,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
    )
    log.info("invitation_queued", customer_id=str(customer_id), user_id=str(user.id))
