"""A customer's team, as its admin manages it: invite users with a role (and, for store managers, their
stores), change role and stores, remove them. The customer's last active admin stays. A change of role
or stores, and a removal, makes every service refuse the user's older access tokens (TokenRevocation,
`storefront.user_updated` / `storefront.user_removed`)."""

import uuid

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.permissions import STORE_SCOPED_ROLES, Scope
from printbridge_shared.auth.principal import Principal, Role
from printbridge_shared.db import utcnow
from printbridge_shared.errors import NotFound
from printbridge_shared.events.contracts import (
    StorefrontUserAdded,
    StorefrontUserRemoved,
    StorefrontUserUpdated,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_position, encode_position
from storefront_auth.customer_projection.repository import CustomerProjectionRepository
from storefront_auth.invitation.service import queue_invitation
from storefront_auth.models import CustomerUser, Invitation
from storefront_auth.revocation.repository import TokenRevocationRepository
from storefront_auth.team import service as team
from storefront_auth.user.exceptions import (
    AlreadyActive,
    CustomerRequired,
    EmailInUse,
    LastAdmin,
    StoreScopeInvalid,
    UserNotFound,
)
from storefront_auth.user.repository import CustomerUserRepository
from storefront_auth.user.schemas import User, UserInvite, UserPage, UserStatus, UserUpdate

log = structlog.get_logger(__name__)


def to_read(user: CustomerUser, invitation: Invitation | None) -> User:
    return User(
        id=user.id,
        customer_id=user.customer_id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        role=user.role,
        store_ids=user.stores,
        status=_status(user, invitation),
        failure_reason=invitation.failure_reason if invitation and not user.active else None,
        invited_at=invitation.sent_at if invitation else None,
        activated_at=user.activated_at,
        created_at=user.created_at,
    )


def _status(user: CustomerUser, invitation: Invitation | None) -> UserStatus:
    if user.active:
        return UserStatus.active
    if invitation is None or invitation.revoked_at or invitation.used_at:
        return UserStatus.not_invited
    if invitation.failed_at:
        return UserStatus.failed
    if invitation.sent_at is None:
        return UserStatus.pending
    if invitation.expires_at is not None and invitation.expires_at <= utcnow():
        return UserStatus.expired
    return UserStatus.invited


async def _read(session: AsyncSession, user: CustomerUser) -> User:
    invitations = await CustomerUserRepository(session).latest_invitations([user.id])
    return to_read(user, invitations.get(user.id))


async def _visible(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> CustomerUser:
    user = await CustomerUserRepository(session).get(user_id)
    if user is None or not Scope.of(principal).sees_customer(user.customer_id):
        raise UserNotFound(user_id)
    return user


def _check_store_scope(role: Role, store_ids: list[uuid.UUID]) -> None:
    if len(set(store_ids)) != len(store_ids):
        raise StoreScopeInvalid("lists a store more than once")
    if role in STORE_SCOPED_ROLES and not store_ids:
        raise StoreScopeInvalid(f"a {role.value} needs at least one store to manage")
    if role not in STORE_SCOPED_ROLES and store_ids:
        raise StoreScopeInvalid(f"only a store_manager has stores; a {role.value} sees all of them")


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    customer_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> UserPage:
    scope = Scope.of(principal)
    if customer_id is None:
        if scope.customer_id is None:
            raise CustomerRequired()
        customer_id = scope.customer_id
    if not scope.sees_customer(customer_id):
        raise NotFound(f"No customer {customer_id}.")
    repository = CustomerUserRepository(session)
    rows = await repository.list(customer_id, after=decode_position(cursor), limit=limit + 1)
    items = list(rows[:limit])
    invitations = await repository.latest_invitations([u.id for u in items])
    next_cursor = encode_position(items[-1].email, items[-1].id) if len(rows) > limit else None
    return UserPage(items=[to_read(u, invitations.get(u.id)) for u in items], next_cursor=next_cursor)


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    return await _read(session, await _visible(session, principal, user_id))


async def invite(session: AsyncSession, outbox: Outbox, principal: Principal, payload: UserInvite) -> User:
    """Adds a user to the caller's customer and queues the invitation e-mail. Whether the address already
    logs in elsewhere (another customer's user, an operator) changes nothing here: the answer, and the
    work, are the same, so the admin cannot learn it. That person gets the invitation too, and learns on
    accepting it that the address already has its login (invitation.service.accept)."""
    assert principal.customer_id is not None  # only customer admins manage users
    _check_store_scope(payload.role, payload.store_ids)
    users = CustomerUserRepository(session)
    if await users.get_in_customer(principal.customer_id, payload.email):
        raise EmailInUse(payload.email)
    now = utcnow()
    user = CustomerUser(
        id=uuid.uuid4(),
        customer_id=principal.customer_id,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        role=payload.role,
        store_ids=[str(s) for s in payload.store_ids],
        password_hash=None,
        created_at=now,
        activated_at=None,
    )
    users.add(user)
    try:
        await session.flush()
    except IntegrityError:  # another request added the same address to the team a moment ago
        raise EmailInUse(payload.email) from None
    await queue_invitation(session, user, await _customer_name(session, user))
    added = StorefrontUserAdded(
        customer_id=user.customer_id,
        user_id=user.id,
        email=user.email,
        role=user.role,
        store_ids=user.stores,
        added_at=now,
    )
    await team.record_event(session, outbox, user.customer_id, added)
    log.info("user_added", customer_id=str(user.customer_id), user_id=str(user.id), role=user.role)
    return await _read(session, user)


async def update(
    session: AsyncSession, outbox: Outbox, principal: Principal, user_id: uuid.UUID, payload: UserUpdate
) -> User:
    user = await _visible(session, principal, user_id)
    role = Role(payload.role or user.role)
    if payload.store_ids is not None:
        store_ids = payload.store_ids
    else:
        store_ids = user.stores if role in STORE_SCOPED_ROLES else []
    _check_store_scope(role, store_ids)
    if user.role == Role.admin and role != Role.admin:
        await _keep_an_admin(session, user)
    if payload.first_name is not None:
        user.first_name = payload.first_name
    if payload.last_name is not None:
        user.last_name = payload.last_name
    if role != user.role or store_ids != user.stores:
        now = utcnow()
        user.role, user.store_ids = role, [str(s) for s in store_ids]
        await TokenRevocationRepository(session).revoke_before(user, now)
        updated = StorefrontUserUpdated(
            customer_id=user.customer_id, user_id=user.id, role=role, store_ids=store_ids, updated_at=now
        )
        await team.record_event(session, outbox, user.customer_id, updated)
        log.info("user_access_changed", user_id=str(user.id), role=role.value)
    return await _read(session, user)


async def remove(session: AsyncSession, outbox: Outbox, principal: Principal, user_id: uuid.UUID) -> None:
    user = await _visible(session, principal, user_id)
    if user.role == Role.admin:
        await _keep_an_admin(session, user)
    now = utcnow()
    await TokenRevocationRepository(session).revoke_before(user, now)
    removed = StorefrontUserRemoved(
        customer_id=user.customer_id, user_id=user.id, email=user.email, removed_at=now
    )
    await CustomerUserRepository(session).remove(user, at=now)
    await team.record_event(session, outbox, removed.customer_id, removed)
    log.info("user_removed", customer_id=str(removed.customer_id), user_id=str(removed.user_id))


async def resend_invitation(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await _visible(session, principal, user_id)
    if user.active:
        raise AlreadyActive(user.email)
    await queue_invitation(session, user, await _customer_name(session, user))
    return await _read(session, user)


async def _customer_name(session: AsyncSession, user: CustomerUser) -> str:
    """The name the invitation e-mail shows (kept from the customers service's events)."""
    customer = await CustomerProjectionRepository(session).get(user.customer_id)
    return customer.name if customer else "your company"


async def _keep_an_admin(session: AsyncSession, user: CustomerUser) -> None:
    """Refuses to take away the customer's last active admin."""
    if user.active and await CustomerUserRepository(session).active_admin_ids(user.customer_id) <= {user.id}:
        raise LastAdmin(user.email)
