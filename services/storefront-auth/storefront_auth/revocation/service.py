"""What every service must refuse beyond a bad signature, as storefront-auth knows it now."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.revocations import Revocations, RevokedSubject
from printbridge_shared.db import utcnow
from storefront_auth.invitation.repository import CustomerAccessRepository
from storefront_auth.revocation.repository import TokenRevocationRepository


async def current(session: AsyncSession, *, access_token_ttl: dt.timedelta) -> Revocations:
    """Switched-off customers, and the user revocations that can still matter: older ones concern access
    tokens that have expired anyway."""
    subjects = await TokenRevocationRepository(session).since(utcnow() - access_token_ttl)
    return Revocations(
        disabled_customer_ids=await CustomerAccessRepository(session).disabled_ids(),
        subjects=[RevokedSubject(subject_id=s.subject_id, not_before=s.not_before) for s in subjects],
    )
