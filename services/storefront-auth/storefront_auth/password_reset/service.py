"""Password reset for Storefronts customer users. A request queues a reset e-mail (sender.py sends it with
a link that works for `password_reset_ttl_seconds`) only for an active user whose customer's access is on,
and answers the same whatever the address, so it tells nobody which accounts exist. The link sets a new
password once; with it every session of the user ends."""

import datetime as dt
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.principal import PrincipalKind
from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import StorefrontPasswordReset
from printbridge_shared.events.outbox import Outbox
from storefront_auth.auth.repository import RefreshTokenRepository
from storefront_auth.auth.throttle import LoginThrottle, throttle_keys
from storefront_auth.credentials.by_link import set_password_by_link
from storefront_auth.credentials.emails import normalize_email
from storefront_auth.credentials.exceptions import InvalidEmail
from storefront_auth.invitation.repository import CustomerAccessRepository
from storefront_auth.mail.sender import queue_link_mail
from storefront_auth.models import CustomerUser, PasswordReset
from storefront_auth.password_reset.exceptions import PasswordResetGone, PasswordResetNotFound
from storefront_auth.password_reset.repository import PasswordResetRepository
from storefront_auth.password_reset.schemas import PasswordResetView
from storefront_auth.password_reset.sender import PASSWORD_RESET_MAIL
from storefront_auth.revocation.repository import TokenRevocationRepository
from storefront_auth.team import service as team
from storefront_auth.user.repository import CustomerUserRepository

log = structlog.get_logger(__name__)

# A user gets at most one reset e-mail per interval, however often someone asks: nobody can flood an
# inbox through this endpoint.
REQUEST_INTERVAL = dt.timedelta(seconds=60)


async def request_reset(session: AsyncSession, *, email: str) -> None:
    """Queues a reset e-mail when the address belongs to a user who can log in; otherwise does nothing.
    Either way the caller answers the same. A new reset revokes the user's earlier links."""
    user = await _resettable_user(session, email)
    if user is None:
        return
    resets = PasswordResetRepository(session)
    await resets.lock_user(user)
    now = utcnow()
    latest = await resets.latest_for(user.id)
    if latest is not None and now - latest.created_at < REQUEST_INTERVAL:
        log.info("password_reset_not_queued", user_id=str(user.id), reason="asked again within a minute")
        return
    await resets.revoke_open(user.id, at=now)
    reset = PasswordReset(id=uuid.uuid4(), user_id=user.id, created_at=now, attempts=0)
    resets.add(reset)
    await session.flush()
    await queue_link_mail(session, PASSWORD_RESET_MAIL, reset.id)
    log.info("password_reset_queued", customer_id=str(user.customer_id), user_id=str(user.id))


async def _resettable_user(session: AsyncSession, email: str) -> CustomerUser | None:
    """An active customer user of a customer whose access is on. Operators reset no password here; an
    invited user who has not accepted yet has no password to reset (the invitation sets it)."""
    try:
        normalized = normalize_email(email)
    except InvalidEmail:
        return None
    user = await CustomerUserRepository(session).get_login(normalized)
    if user is None or not user.active:
        return None
    if not await CustomerAccessRepository(session).enabled(user.customer_id):
        return None
    return user


async def _open_reset(session: AsyncSession, token: str) -> tuple[PasswordReset, CustomerUser]:
    reset = await PasswordResetRepository(session).get_by_token_hash(hash_secret(token))
    if reset is None:
        raise PasswordResetNotFound()
    user = await CustomerUserRepository(session).get(reset.user_id)
    if user is None or not user.active or not reset.usable(utcnow()):
        raise PasswordResetGone()
    return reset, user


async def describe(session: AsyncSession, token: str) -> PasswordResetView:
    reset, user = await _open_reset(session, token)
    assert reset.expires_at is not None
    return PasswordResetView(email=user.email, expires_at=reset.expires_at)


async def reset_password(
    session: AsyncSession, outbox: Outbox, throttle: LoginThrottle, token: str, *, password: str
) -> CustomerUser:
    """Sets the new password (single use: the reset is spent) and ends every session of the user: its
    refresh tokens are revoked and every service refuses its older access tokens (TokenRevocation,
    `storefront.password_reset`). The account's failed logins are forgotten."""
    reset, user = await _open_reset(session, token)
    resets = PasswordResetRepository(session)
    now = await set_password_by_link(session, resets, reset, user, password, gone=PasswordResetGone)
    await resets.revoke_open(user.id, at=now)
    await RefreshTokenRepository(session).revoke_subject(PrincipalKind.customer_user, user.id, at=now)
    await TokenRevocationRepository(session).revoke_before(user, now)
    await throttle.clear(throttle_keys(user.email, None)[0])
    done = StorefrontPasswordReset(customer_id=user.customer_id, user_id=user.id, reset_at=now)
    await team.record_event(session, outbox, user.customer_id, done)
    log.info("password_reset", customer_id=str(user.customer_id), user_id=str(user.id))
    return user
