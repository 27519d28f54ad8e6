import uuid

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.db import utcnow
from storefront_auth.credentials.emails import normalize_email
from storefront_auth.credentials.passwords import check_password_policy, hash_password
from storefront_auth.models import Operator
from storefront_auth.operator.exceptions import EmailIsCustomerLogin, OperatorEmailTaken
from storefront_auth.operator.repository import OperatorRepository
from storefront_auth.user.repository import CustomerUserRepository

log = structlog.get_logger(__name__)


async def create_operator(session: AsyncSession, *, email: str, password: str) -> Operator:
    """A new operator (producer staff) who can log in with `email` and `password`.

    Raises InvalidEmail (422), PasswordTooShort / PasswordTooLong (422), OperatorEmailTaken or
    EmailIsCustomerLogin (409: one address logs in as one principal)."""
    normalized = normalize_email(email)
    check_password_policy(password)
    repository = OperatorRepository(session)
    if await repository.get_by_email(normalized) is not None:
        raise OperatorEmailTaken(normalized)
    if await CustomerUserRepository(session).get_login(normalized) is not None:
        raise EmailIsCustomerLogin(normalized)
    operator = Operator(
        id=uuid.uuid4(),
        email=normalized,
        password_hash=await hash_password(password),
        created_at=utcnow(),
        disabled_at=None,
    )
    try:
        # In a savepoint: losing the race rolls back this insert only, never the unit of work around it.
        async with session.begin_nested():
            repository.add(operator)
    except IntegrityError:
        # A concurrent create with the same address won the unique index.
        raise OperatorEmailTaken(normalized) from None
    log.info("operator_created", operator_id=str(operator.id))
    return operator


def operator_principal(operator: Operator) -> Principal:
    return Principal(kind=PrincipalKind.operator, subject_id=operator.id, email=operator.email)
