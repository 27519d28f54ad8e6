"""Storefront access as storefront-auth lives it: the producer's switch (kept per customer), the
customer's admin as a user, and the invitation whose e-mail is queued as a job (sender.py)."""

import datetime as dt
import uuid

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.principal import Role
from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import (
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontAdmin,
    StorefrontInvitationFailed,
    StorefrontInvitationRequested,
    StorefrontUserActivated,
    StorefrontUserUpdated,
)
from printbridge_shared.events.outbox import Outbox
from storefront_auth.auth.repository import RefreshTokenRepository
from storefront_auth.credentials.by_link import set_password_by_link
from storefront_auth.credentials.emails import normalize_email
from storefront_auth.invitation.exceptions import (
    AddressHasLogin,
    EmailTakenByAnotherCustomer,
    InvitationGone,
    InvitationNotFound,
)
from storefront_auth.invitation.repository import CustomerAccessRepository, InvitationRepository
from storefront_auth.invitation.schemas import InvitationView
from storefront_auth.invitation.sender import INVITATION_MAIL
from storefront_auth.mail.sender import queue_link_mail
from storefront_auth.models import CustomerUser, Invitation
from storefront_auth.operator.repository import OperatorRepository
from storefront_auth.revocation.repository import TokenRevocationRepository
from storefront_auth.team import service as team
from storefront_auth.user.repository import CustomerUserRepository

log = structlog.get_logger(__name__)


async def enable_access(
    session: AsyncSession, outbox: Outbox, data: StorefrontAccessEnabled, *, customer_version: int | None
) -> None:
    """Restores the customer's users and makes sure the admin has an account or an open invitation.
    News older than the access news held changes nothing (`customer_version`, as for every access event)."""
    if await _switch(session, data.customer_id, enabled=True, customer_version=customer_version):
        await _invite_admin(session, outbox, data.customer_id, data.customer_name, data.admin, fresh=False)


async def disable_access(
    session: AsyncSession, data: StorefrontAccessDisabled, *, customer_version: int | None
) -> None:
    """The customer's users can no longer log in, and every session they had ends: their access tokens
    are refused by every service through the same event, and stay refused when access is switched on
    again (a service that starts later learns it from the revocations)."""
    now = utcnow()
    if await _switch(session, data.customer_id, enabled=False, customer_version=customer_version):
        await RefreshTokenRepository(session).revoke_customer_users(data.customer_id, at=now)
        await TokenRevocationRepository(session).revoke_customer_before(data.customer_id, now)


async def resend_invitation(
    session: AsyncSession,
    outbox: Outbox,
    data: StorefrontInvitationRequested,
    *,
    customer_version: int | None,
) -> None:
    """A resend is asked for while access is on, so it is access news too (on, as of its version)."""
    if await _switch(session, data.customer_id, enabled=True, customer_version=customer_version):
        await _invite_admin(session, outbox, data.customer_id, data.customer_name, data.admin, fresh=True)


async def _switch(
    session: AsyncSession, customer_id: uuid.UUID, *, enabled: bool, customer_version: int | None
) -> bool:
    access = CustomerAccessRepository(session)
    applied = await access.set(customer_id, enabled=enabled, at=utcnow(), customer_version=customer_version)
    if not applied:
        log.info("access_news_outdated", customer_id=str(customer_id), customer_version=customer_version)
    return applied


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
    user = await users.get_in_customer(customer_id, email)
    # The producer's staff may know: an address another customer already has (invited or active) fails.
    taken = await users.in_other_customer(customer_id, email)
    if taken or await OperatorRepository(session).get_by_email(email) is not None:
        reason = str(EmailTakenByAnotherCustomer(email))
        failed = StorefrontInvitationFailed(
            customer_id=customer_id, email=email, reason=reason, failed_at=now
        )
        await team.record_event(session, outbox, customer_id, failed)
        return
    if user is None:
        user = CustomerUser(
            id=uuid.uuid4(),
            customer_id=customer_id,
            email=email,
            first_name=admin.first_name,
            last_name=admin.last_name,
            role=Role.admin,
            store_ids=[],
            password_hash=None,
            created_at=now,
            activated_at=None,
        )
        users.add(user)
    if user.role != Role.admin:  # the producer names a member of the team as its admin
        await _promote_to_admin(session, outbox, user, at=now)
    if user.active:
        activated = StorefrontUserActivated(
            customer_id=customer_id, user_id=user.id, email=user.email, activated_at=user.activated_at
        )
        await team.record_event(session, outbox, customer_id, activated)  # the admin has an account
        return
    if not fresh and await invitations.open_for(user.id) is not None:
        return
    await queue_invitation(session, user, customer_name)


async def _promote_to_admin(
    session: AsyncSession, outbox: Outbox, user: CustomerUser, *, at: dt.datetime
) -> None:
    user.role, user.store_ids = Role.admin, []
    await TokenRevocationRepository(session).revoke_before(user, at)
    updated = StorefrontUserUpdated(
        customer_id=user.customer_id, user_id=user.id, role=Role.admin, store_ids=[], updated_at=at
    )
    await team.record_event(session, outbox, user.customer_id, updated)


async def queue_invitation(session: AsyncSession, user: CustomerUser, customer_name: str) -> None:
    """A fresh invitation for the sender; any link sent before stops working."""
    now = utcnow()
    invitations = InvitationRepository(session)
    await invitations.revoke_open(user.id, at=now)
    invitation = Invitation(
        id=uuid.uuid4(),
        user_id=user.id,
        customer_id=user.customer_id,
        customer_name=customer_name,
        created_at=now,
        attempts=0,
    )
    invitations.add(invitation)
    await session.flush()
    await queue_link_mail(session, INVITATION_MAIL, invitation.id)
    log.info("invitation_queued", customer_id=str(user.customer_id), user_id=str(user.id))


async def _open_invitation(session: AsyncSession, token: str) -> tuple[Invitation, CustomerUser]:
    invitation = await InvitationRepository(session).get_by_token_hash(hash_secret(token))
    if invitation is None:
        raise InvitationNotFound()
    user = await CustomerUserRepository(session).get(invitation.user_id)
    if user is None or user.active or not invitation.usable(utcnow()):
        raise InvitationGone()
    return invitation, user


async def describe(session: AsyncSession, token: str) -> InvitationView:
    invitation, user = await _open_invitation(session, token)
    assert invitation.expires_at is not None
    return InvitationView(
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        role=user.role,
        customer_name=invitation.customer_name,
        expires_at=invitation.expires_at,
    )


async def accept(session: AsyncSession, outbox: Outbox, token: str, *, password: str) -> CustomerUser:
    """Sets the password and activates the account; single use: of two concurrent accepts one wins. An
    address that already logs in (a user of another customer who accepted first, or an operator) keeps
    its one login: the person learns it here, the inviting admin never does."""
    invitation, user = await _open_invitation(session, token)
    if await CustomerUserRepository(session).get_login(user.email) or await OperatorRepository(
        session
    ).get_by_email(user.email):
        raise AddressHasLogin(user.email)
    links = InvitationRepository(session)
    now = await set_password_by_link(session, links, invitation, user, password, gone=InvitationGone)
    user.activated_at = now
    try:
        await session.flush()
    except IntegrityError:  # another customer's invitation to the address was accepted a moment ago
        raise AddressHasLogin(user.email) from None
    activated = StorefrontUserActivated(
        customer_id=user.customer_id, user_id=user.id, email=user.email, activated_at=now
    )
    await team.record_event(session, outbox, user.customer_id, activated)
    log.info("invitation_accepted", user_id=str(user.id))
    return user
