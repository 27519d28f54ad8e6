import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import upsert_insert
from storefront_auth.models import CustomerProjection


class CustomerProjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> CustomerProjection | None:
        return await self.session.get(CustomerProjection, customer_id)

    async def store_if_newer(self, values: dict[str, Any]) -> bool:
        """Inserts the projection, or updates it when `source_updated_at` is newer than the stored one,
        in one statement; False when the stored state was newer (nothing changed)."""
        table = CustomerProjection.__table__
        insert = upsert_insert(self.session.get_bind().dialect.name, table).values(**values)
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.customer_id],
            set_={key: insert.excluded[key] for key in values if key != "customer_id"},
            where=table.c.source_updated_at < insert.excluded.source_updated_at,
        ).returning(table.c.customer_id)
        return await self.session.scalar(statement) is not None
