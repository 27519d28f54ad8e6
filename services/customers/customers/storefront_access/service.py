"""The Storefront-access switch of a customer. Turning it on names the customer's admin; storefront-auth
then invites that admin, and its events move `invitation_status` along (see messaging/handlers.py)."""

import datetime as dt
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from customers.customer import service as customer_service
from customers.customer.exceptions import CustomerArchived
from customers.models import Customer, InvitationStatus
from customers.storefront_access.exceptions import (
    AdminAlreadyActive,
    AdminOnlyWhenEnabling,
    AdminRequired,
    InvitationAlreadyAccepted,
    StorefrontAccessOff,
)
from customers.storefront_access.schemas import StorefrontAccess, StorefrontAccessUpdate
from customers.storefront_access.schemas import StorefrontAdmin as AdminRead
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import (
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontAdmin,
    StorefrontInvitationRequested,
)
from printbridge_shared.events.envelope import is_newer
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)


def to_read(customer: Customer) -> StorefrontAccess:
    return StorefrontAccess(
        enabled=customer.storefront_enabled,
        admin=AdminRead.model_construct(**_admin(customer).model_dump()) if customer.admin_email else None,
        invitation_status=customer.invitation_status,
        invited_at=customer.invited_at,
        activated_at=customer.activated_at,
        failure_reason=customer.invitation_failure_reason,
    )


def _admin(customer: Customer) -> StorefrontAdmin:
    return StorefrontAdmin(
        email=customer.admin_email or "",
        first_name=customer.admin_first_name or "",
        last_name=customer.admin_last_name or "",
    )


async def _changeable(session: AsyncSession, customer_id: uuid.UUID) -> Customer:
    customer = await customer_service.get(session, customer_id)
    if customer.archived:
        raise CustomerArchived(customer_id)
    return customer


async def update(
    session: AsyncSession, outbox: Outbox, customer_id: uuid.UUID, payload: StorefrontAccessUpdate
) -> Customer:
    customer = await _changeable(session, customer_id)
    if not payload.enabled:
        if payload.admin is not None:
            raise AdminOnlyWhenEnabling()
        if customer.storefront_enabled:
            customer.storefront_enabled = False
            customer.updated_at = utcnow()
            await customer_service.record_event(
                session, outbox, customer, StorefrontAccessDisabled(customer_id=customer.id)
            )
        return customer

    admin = payload.admin
    if admin is None and customer.admin_email is None:
        raise AdminRequired()
    new_admin = admin is not None and admin.email != customer.admin_email
    if new_admin and customer.invitation_status == InvitationStatus.active:
        raise AdminAlreadyActive(customer.admin_email or "")
    was_enabled = customer.storefront_enabled
    if admin is not None:
        customer.admin_email = admin.email
        customer.admin_first_name = admin.first_name
        customer.admin_last_name = admin.last_name
    if new_admin:
        _queue_invitation(customer)
    customer.storefront_enabled = True
    customer.updated_at = utcnow()
    if new_admin or not was_enabled:
        event = StorefrontAccessEnabled(
            customer_id=customer.id, customer_name=customer.name, admin=_admin(customer)
        )
        await customer_service.record_event(session, outbox, customer, event)
    return customer


async def resend_invitation(session: AsyncSession, outbox: Outbox, customer_id: uuid.UUID) -> Customer:
    customer = await _changeable(session, customer_id)
    if not customer.storefront_enabled or customer.admin_email is None:
        raise StorefrontAccessOff()
    if customer.invitation_status == InvitationStatus.active:
        raise InvitationAlreadyAccepted(customer.admin_email)
    _queue_invitation(customer)
    customer.updated_at = utcnow()
    event = StorefrontInvitationRequested(
        customer_id=customer.id, customer_name=customer.name, admin=_admin(customer)
    )
    await customer_service.record_event(session, outbox, customer, event)
    return customer


def _queue_invitation(customer: Customer) -> None:
    _restart_invitation(customer, InvitationStatus.pending)


def _restart_invitation(customer: Customer, status: InvitationStatus) -> None:
    """The admin's invitation starts over at `status`: nothing sent, accepted or failed yet."""
    customer.invitation_status = status
    customer.invited_at = None
    customer.activated_at = None
    customer.invitation_failure_reason = None


async def record_invited(
    session: AsyncSession, customer_id: uuid.UUID, email: str, at: dt.datetime, *, team_version: int | None
) -> None:
    customer = await _of_admin(session, customer_id, email, team_version)
    if customer is not None and customer.invitation_status != InvitationStatus.active:
        customer.invitation_status = InvitationStatus.invited
        customer.invited_at = at
        customer.invitation_failure_reason = None


async def record_failed(
    session: AsyncSession, customer_id: uuid.UUID, email: str, reason: str, *, team_version: int | None
) -> None:
    customer = await _of_admin(session, customer_id, email, team_version)
    if customer is not None and customer.invitation_status != InvitationStatus.active:
        customer.invitation_status = InvitationStatus.failed
        customer.invitation_failure_reason = reason


async def record_activated(
    session: AsyncSession, customer_id: uuid.UUID, email: str, at: dt.datetime, *, team_version: int | None
) -> None:
    customer = await _of_admin(session, customer_id, email, team_version)
    if customer is not None:
        customer.invitation_status = InvitationStatus.active
        customer.activated_at = at
        customer.invitation_failure_reason = None


async def record_removed(
    session: AsyncSession, customer_id: uuid.UUID, email: str, *, team_version: int | None
) -> None:
    """The customer's team removed the admin the producer named: no admin is named any more, so the
    producer can name another (an active one cannot be replaced otherwise)."""
    customer = await _of_admin(session, customer_id, email, team_version)
    if customer is not None:
        customer.admin_email = customer.admin_first_name = customer.admin_last_name = None
        _restart_invitation(customer, InvitationStatus.not_invited)


async def _of_admin(
    session: AsyncSession, customer_id: uuid.UUID, email: str, team_version: int | None
) -> Customer | None:
    """The customer, when `email` is still its admin and the news is newer than the team version it
    holds (news about an earlier admin, or older than what it knows, changes nothing). The row stays
    locked until the commit, so two concurrent events of one team cannot both pass the check."""
    customer = await session.get(Customer, customer_id, with_for_update=True)
    if customer is None or customer.admin_email != email:
        return None
    if not is_newer(team_version, customer.team_version):
        log.info("storefront_news_outdated", customer_id=str(customer_id), team_version=team_version)
        return None
    if team_version is not None:
        customer.team_version = team_version
    return customer
