import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import CustomerUser, PasswordReset


class PasswordResetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_user(self, user: CustomerUser) -> None:
        """Serialises reset requests of one user on PostgreSQL, so that two at once queue one e-mail
        (SQLite's writer transactions are serial anyway)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.refresh(user, with_for_update=True)

    async def latest_for(self, user_id: uuid.UUID) -> PasswordReset | None:
        statement = select(PasswordReset).where(PasswordReset.user_id == user_id)
        return await self.session.scalar(statement.order_by(PasswordReset.created_at.desc()).limit(1))

    async def revoke_open(self, user_id: uuid.UUID, *, at: dt.datetime) -> None:
        await self.session.execute(
            update(PasswordReset)
            .where(
                PasswordReset.user_id == user_id,
                PasswordReset.used_at.is_(None),
                PasswordReset.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )

    async def claim_due(self, *, now: dt.datetime) -> PasswordReset | None:
        """The next reset e-mail to send; locked on PostgreSQL so that replicas each take another."""
        statement = (
            select(PasswordReset)
            .where(
                PasswordReset.sent_at.is_(None),
                PasswordReset.failed_at.is_(None),
                PasswordReset.revoked_at.is_(None),
                PasswordReset.next_attempt_at <= now,
            )
            .order_by(PasswordReset.next_attempt_at)
            .limit(1)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        return await self.session.scalar(statement)

    async def get_by_token_hash(self, token_hash: str) -> PasswordReset | None:
        return await self.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash))

    async def mark_used(self, reset_id: uuid.UUID, *, at: dt.datetime) -> bool:
        """Spends an open reset. False when a concurrent request spent (or a newer one replaced) it first:
        the conditional update lets exactly one of them win on both databases."""
        result = await self.session.execute(
            update(PasswordReset)
            .where(
                PasswordReset.id == reset_id,
                PasswordReset.used_at.is_(None),
                PasswordReset.revoked_at.is_(None),
            )
            .values(used_at=at)
        )
        return cast(CursorResult[Any], result).rowcount == 1

    def add(self, reset: PasswordReset) -> None:
        self.session.add(reset)
