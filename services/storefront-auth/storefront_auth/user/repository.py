import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.principal import PrincipalKind, Role
from storefront_auth.auth.repository import RefreshTokenRepository
from storefront_auth.models import CustomerUser, Invitation, PasswordReset


class CustomerUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> CustomerUser | None:
        return await self.session.get(CustomerUser, user_id)

    async def get_login(self, email: str) -> CustomerUser | None:
        """The active user whose login name the address is (at most one)."""
        statement = select(CustomerUser).where(
            CustomerUser.email == email, CustomerUser.activated_at.is_not(None)
        )
        return await self.session.scalar(statement)

    async def in_other_customer(self, customer_id: uuid.UUID, email: str) -> bool:
        statement = select(CustomerUser.id).where(
            CustomerUser.customer_id != customer_id, CustomerUser.email == email
        )
        return await self.session.scalar(statement.limit(1)) is not None

    async def get_in_customer(self, customer_id: uuid.UUID, email: str) -> CustomerUser | None:
        statement = select(CustomerUser).where(
            CustomerUser.customer_id == customer_id, CustomerUser.email == email
        )
        return await self.session.scalar(statement)

    async def pending_admins(self, customer_id: uuid.UUID) -> Sequence[CustomerUser]:
        """The customer's admins who have not accepted their invitation yet."""
        statement = select(CustomerUser).where(
            CustomerUser.customer_id == customer_id,
            CustomerUser.role == Role.admin,
            CustomerUser.activated_at.is_(None),
        )
        return (await self.session.scalars(statement)).all()

    async def active_admin_ids(self, customer_id: uuid.UUID) -> set[uuid.UUID]:
        """Locked on PostgreSQL, so that two admins removing each other at once cannot both succeed."""
        statement = select(CustomerUser.id).where(
            CustomerUser.customer_id == customer_id,
            CustomerUser.role == Role.admin,
            CustomerUser.activated_at.is_not(None),
        )
        if self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update()
        return set((await self.session.scalars(statement)).all())

    async def list(
        self, customer_id: uuid.UUID, *, after: tuple[str, uuid.UUID] | None, limit: int
    ) -> Sequence[CustomerUser]:
        statement = select(CustomerUser).where(CustomerUser.customer_id == customer_id)
        if after is not None:
            statement = statement.where(tuple_(CustomerUser.email, CustomerUser.id) > after)
        statement = statement.order_by(CustomerUser.email, CustomerUser.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def latest_invitations(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Invitation]:
        """Each user's most recent invitation, for the status shown beside it."""
        if not user_ids:
            return {}
        newest = (
            select(Invitation.user_id, func.max(Invitation.created_at).label("created_at"))
            .where(Invitation.user_id.in_(user_ids))
            .group_by(Invitation.user_id)
            .subquery()
        )
        statement = select(Invitation).join(
            newest,
            (Invitation.user_id == newest.c.user_id) & (Invitation.created_at == newest.c.created_at),
        )
        return {i.user_id: i for i in (await self.session.scalars(statement)).all()}

    def add(self, user: CustomerUser) -> None:
        self.session.add(user)

    async def remove(self, user: CustomerUser, *, at: dt.datetime) -> None:
        """Deletes the user with its invitations and resets; its logins end (refresh tokens revoked)."""
        await self.session.execute(delete(Invitation).where(Invitation.user_id == user.id))
        await self.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
        await RefreshTokenRepository(self.session).revoke_subject(PrincipalKind.customer_user, user.id, at=at)
        await self.session.delete(user)
