import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.projections import keep_if_newer
from storefront_auth.models import CustomerProjection


class CustomerProjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> CustomerProjection | None:
        return await self.session.get(CustomerProjection, customer_id)

    async def store_if_newer(self, values: dict[str, Any], *, source_version: int | None) -> bool:
        """Keeps the snapshot unless the stored one is as new or newer (by `source_version`; an event from
        before versions existed by `source_updated_at`); False when nothing changed."""
        return await keep_if_newer(
            self.session,
            CustomerProjection.__table__,
            "customer_id",
            values,
            version=source_version,
            version_column="source_version",
            time_column="source_updated_at",
        )
