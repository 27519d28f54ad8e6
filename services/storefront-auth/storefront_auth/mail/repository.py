import datetime as dt
import uuid
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.models import Invitation, PasswordReset

Link = TypeVar("Link", Invitation, PasswordReset)


class EmailedLinkRepository(Generic[Link]):
    """The queries every kind of emailed link shares (models.EmailedLink); `model` names the table."""

    model: type[Link]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, link: Link) -> None:
        self.session.add(link)

    async def get_by_token_hash(self, token_hash: str) -> Link | None:
        """Looked up by the token's hash: no comparison of secrets that could leak through timing."""
        return await self.session.scalar(select(self.model).where(self.model.token_hash == token_hash))

    async def latest_for(self, user_id: uuid.UUID) -> Link | None:
        statement = select(self.model).where(self.model.user_id == user_id)
        return await self.session.scalar(statement.order_by(self.model.created_at.desc()).limit(1))

    async def revoke_open(self, user_id: uuid.UUID, *, at: dt.datetime) -> None:
        """The user's links not used yet stop working (a newer one replaces them)."""
        await self.session.execute(
            update(self.model)
            .where(
                self.model.user_id == user_id, self.model.used_at.is_(None), self.model.revoked_at.is_(None)
            )
            .values(revoked_at=at)
        )

    async def mark_used(self, link_id: uuid.UUID, *, at: dt.datetime) -> bool:
        """Spends an open link. False when a concurrent request spent (or a newer link replaced) it first:
        the conditional update lets exactly one of them win on both databases."""
        result = await self.session.execute(
            update(self.model)
            .where(self.model.id == link_id, self.model.used_at.is_(None), self.model.revoked_at.is_(None))
            .values(used_at=at)
        )
        return cast(CursorResult[Any], result).rowcount == 1
