"""Login sessions: passwords in, a short-lived access JWT and a rotating refresh token out.

Every refresh token belongs to a family (one per login). Exchanging a token marks it rotated and issues
the next one of the family; presenting a rotated token again means two parties hold it, so the whole
family is revoked. Operators and customer users log in the same way; a customer user only while the
producer keeps the customer's Storefront access on."""

import secrets
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.permissions import permissions_of
from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.db import utcnow
from storefront_auth.api_key.repository import ApiKeyRepository
from storefront_auth.auth.exceptions import (
    AccessDisabledByProducer,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenExpired,
    RefreshTokenReused,
)
from storefront_auth.auth.issuer import TokenIssuer
from storefront_auth.auth.repository import RefreshTokenRepository
from storefront_auth.auth.schemas import Me, TokenPair
from storefront_auth.auth.throttle import LoginThrottle, throttle_keys
from storefront_auth.credentials.emails import normalize_email
from storefront_auth.credentials.exceptions import InvalidEmail
from storefront_auth.credentials.passwords import (
    hash_password,
    needs_rehash,
    verify_against_nothing,
    verify_password,
)
from storefront_auth.invitation.repository import CustomerAccessRepository
from storefront_auth.models import CustomerUser, RefreshToken
from storefront_auth.operator.repository import OperatorRepository
from storefront_auth.operator.service import operator_principal
from storefront_auth.user.repository import CustomerUserRepository

log = structlog.get_logger(__name__)


async def login(
    session: AsyncSession,
    issuer: TokenIssuer,
    throttle: LoginThrottle,
    *,
    email: str,
    password: str,
    client_address: str | None,
) -> TokenPair:
    account, address = throttle_keys(email, client_address)
    await throttle.check([account, address])
    try:
        principal = await _authenticate(session, email=email, password=password)
    except InvalidCredentials:
        await throttle.record_failure([account, address])
        raise
    await throttle.clear(account)
    log.info("login_succeeded", principal_kind=principal.kind.value, subject_id=str(principal.subject_id))
    return await start_session(session, issuer, principal)


async def start_session(session: AsyncSession, issuer: TokenIssuer, principal: Principal) -> TokenPair:
    """Tokens for a principal that just proved who it is (login, accepted invitation)."""
    return await _issue(session, issuer, principal, family_id=uuid.uuid4())


async def start_user_session(session: AsyncSession, issuer: TokenIssuer, user: CustomerUser) -> TokenPair:
    """Tokens for a customer user who just chose a password (accepted invitation, reset password)."""
    return await start_session(session, issuer, customer_user_principal(user))


async def refresh(session: AsyncSession, issuer: TokenIssuer, *, refresh_token: str) -> TokenPair:
    repository = RefreshTokenRepository(session)
    presented = await repository.get_by_hash(hash_secret(refresh_token))
    if presented is None or presented.revoked_at is not None:
        raise InvalidRefreshToken()
    now = utcnow()
    if presented.rotated_at is not None:
        await _revoke_family_after_reuse(repository, presented)
    if presented.expires_at <= now:
        raise RefreshTokenExpired()
    if not await repository.mark_rotated(presented.id, at=now):
        await _revoke_family_after_reuse(repository, presented)
    principal = await _current_principal(
        session, PrincipalKind(presented.principal_kind), presented.subject_id
    )
    if principal is None:
        raise InvalidRefreshToken()
    return await _issue(session, issuer, principal, family_id=presented.family_id)


async def logout(session: AsyncSession, *, refresh_token: str) -> None:
    """Ends the login the token belongs to: its whole family is revoked. Unknown tokens change nothing."""
    repository = RefreshTokenRepository(session)
    presented = await repository.get_by_hash(hash_secret(refresh_token))
    if presented is not None:
        await repository.revoke_family(presented.family_id, at=utcnow())


async def describe(session: AsyncSession, principal: Principal) -> Me:
    api_key_name = None
    if principal.api_key_id is not None:
        api_key = await ApiKeyRepository(session).get(principal.api_key_id)
        api_key_name = api_key.name if api_key is not None else None
    return Me(
        kind=principal.kind,
        id=principal.subject_id,
        email=principal.email,
        customer_id=principal.customer_id,
        role=principal.role,
        store_ids=principal.store_ids,
        permissions=sorted(permissions_of(principal)),
        api_key_id=principal.api_key_id,
        api_key_name=api_key_name,
    )


async def _authenticate(session: AsyncSession, *, email: str, password: str) -> Principal:
    try:
        normalized: str | None = normalize_email(email)
    except InvalidEmail:
        normalized = None
    operator = await OperatorRepository(session).get_by_email(normalized) if normalized else None
    if operator is not None:
        if not await verify_password(operator.password_hash, password) or not operator.active:
            raise InvalidCredentials()
        if needs_rehash(operator.password_hash):
            operator.password_hash = await hash_password(password)
        return operator_principal(operator)
    user = await CustomerUserRepository(session).get_login(normalized) if normalized else None
    if user is None or user.password_hash is None:
        await verify_against_nothing(password)
        raise InvalidCredentials()
    if not await verify_password(user.password_hash, password):
        raise InvalidCredentials()
    if not await CustomerAccessRepository(session).enabled(user.customer_id):
        raise AccessDisabledByProducer()
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
    return customer_user_principal(user)


async def _current_principal(
    session: AsyncSession, kind: PrincipalKind, subject_id: uuid.UUID
) -> Principal | None:
    """The principal as it is now (a disabled operator gets no new tokens)."""
    if kind is PrincipalKind.operator:
        operator = await OperatorRepository(session).get(subject_id)
        if operator is not None and operator.active:
            return operator_principal(operator)
    if kind is PrincipalKind.customer_user:
        user = await CustomerUserRepository(session).get(subject_id)
        if (
            user is not None
            and user.active
            and await CustomerAccessRepository(session).enabled(user.customer_id)
        ):
            return customer_user_principal(user)
    return None


async def _issue(
    session: AsyncSession, issuer: TokenIssuer, principal: Principal, *, family_id: uuid.UUID
) -> TokenPair:
    refresh_token = secrets.token_urlsafe(32)
    now = utcnow()
    RefreshTokenRepository(session).add(
        RefreshToken(
            id=uuid.uuid4(),
            token_hash=hash_secret(refresh_token),
            family_id=family_id,
            principal_kind=principal.kind,
            subject_id=principal.subject_id,
            created_at=now,
            expires_at=now + issuer.refresh_ttl,
            rotated_at=None,
            revoked_at=None,
        )
    )
    return TokenPair(
        access_token=await issuer.access_token(principal),
        refresh_token=refresh_token,
        expires_in=int(issuer.access_ttl.total_seconds()),
    )


async def _revoke_family_after_reuse(repository: RefreshTokenRepository, presented: RefreshToken) -> None:
    await repository.revoke_family(presented.family_id, at=utcnow())
    log.warning(
        "refresh_token_reuse_detected",
        family_id=str(presented.family_id),
        principal_kind=presented.principal_kind,
        subject_id=str(presented.subject_id),
    )
    raise RefreshTokenReused()


def customer_user_principal(user: CustomerUser) -> Principal:
    return Principal(
        kind=PrincipalKind.customer_user,
        subject_id=user.id,
        email=user.email,
        customer_id=user.customer_id,
        role=user.role,
        store_ids=user.stores,
    )
