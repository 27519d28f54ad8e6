import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.principal import PrincipalKind
from storefront_auth.models import CustomerUser, RefreshToken


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))

    def add(self, token: RefreshToken) -> None:
        self.session.add(token)

    async def mark_rotated(self, token_id: uuid.UUID, *, at: dt.datetime) -> bool:
        """Marks a usable token as exchanged. False when a concurrent request got there first: the
        conditional update lets exactly one of them win on both databases."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.id == token_id,
                RefreshToken.rotated_at.is_(None),
                RefreshToken.revoked_at.is_(None),
            )
            .values(rotated_at=at)
        )
        return cast(CursorResult[Any], result).rowcount == 1

    async def revoke_family(self, family_id: uuid.UUID, *, at: dt.datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_customer_users(self, customer_id: uuid.UUID, *, at: dt.datetime) -> None:
        """Ends every login of a customer's users (the producer switched its access off)."""
        users = select(CustomerUser.id).where(CustomerUser.customer_id == customer_id)
        await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.principal_kind == PrincipalKind.customer_user,
                RefreshToken.subject_id.in_(users),
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )

    async def revoke_subject(self, kind: PrincipalKind, subject_id: uuid.UUID, *, at: dt.datetime) -> None:
        """Ends every login of one principal (its password changed)."""
        await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.principal_kind == kind,
                RefreshToken.subject_id == subject_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
