import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.envelope import is_newer
from storefront_auth.mail.repository import EmailedLinkRepository
from storefront_auth.models import CustomerAccess, Invitation


class CustomerAccessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enabled(self, customer_id: uuid.UUID) -> bool:
        access = await self.session.get(CustomerAccess, customer_id)
        return access is not None and access.enabled

    async def disabled_ids(self) -> list[uuid.UUID]:
        statement = select(CustomerAccess.customer_id).where(CustomerAccess.enabled.is_(False))
        return list((await self.session.scalars(statement)).all())

    async def set(
        self,
        customer_id: uuid.UUID,
        *,
        enabled: bool,
        at: dt.datetime,
        customer_version: int | None = None,
    ) -> bool:
        """Sets the switch as of `customer_version` of the customer; False (and nothing changes) when
        the access news held is as new or newer. The row stays locked until the commit, so two
        concurrent events of one customer cannot both pass the check."""
        access = await self.session.get(CustomerAccess, customer_id, with_for_update=True)
        if access is None:
            self.session.add(
                CustomerAccess(
                    customer_id=customer_id,
                    enabled=enabled,
                    changed_at=at,
                    customer_version=customer_version or 0,
                )
            )
            return True
        if not is_newer(customer_version, access.customer_version):
            return False
        if access.enabled != enabled:
            access.enabled, access.changed_at = enabled, at
        if customer_version is not None:
            access.customer_version = customer_version
        return True


class InvitationRepository(EmailedLinkRepository[Invitation]):
    model = Invitation

    async def open_for(self, user_id: uuid.UUID) -> Invitation | None:
        """The user's invitation that is queued or sent, not yet used, revoked or given up."""
        statement = select(Invitation).where(
            Invitation.user_id == user_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.failed_at.is_(None),
        )
        return await self.session.scalar(statement.order_by(Invitation.created_at.desc()).limit(1))
