"""Choosing a password with a link from an e-mail (invitation, password reset): the steps both share."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import utcnow
from printbridge_shared.errors import AppError
from storefront_auth.auth.exceptions import AccessDisabledByProducer
from storefront_auth.credentials.passwords import check_password_policy, hash_password
from storefront_auth.invitation.repository import CustomerAccessRepository
from storefront_auth.mail.repository import EmailedLinkRepository, Link
from storefront_auth.models import CustomerUser


async def set_password_by_link(
    session: AsyncSession,
    links: EmailedLinkRepository[Link],
    link: Link,
    user: CustomerUser,
    password: str,
    *,
    gone: type[AppError],
) -> dt.datetime:
    """Refuses while the producer keeps the customer's access off and a password the policy refuses
    (the link stays usable), then spends the link (of two requests at once, the other gets `gone`) and
    sets the password. Returns the moment, for what the caller records with it."""
    if not await CustomerAccessRepository(session).enabled(user.customer_id):
        raise AccessDisabledByProducer()
    check_password_policy(password, email=user.email)
    password_hash = await hash_password(password)
    now = utcnow()
    if not await links.mark_used(link.id, at=now):
        raise gone()
    user.password_hash = password_hash
    return now
