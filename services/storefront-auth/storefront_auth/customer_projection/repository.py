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

    async def store_if_newer(self, values: dict[str, Any], *, source_version: int | None) -> bool:
        """Inserts the projection, or updates it when `source_version` is newer than the stored one, in
        one statement; False when the stored state was as new or newer (nothing changed). An event from
        before versions existed (None) is compared by `source_updated_at` instead."""
        table = CustomerProjection.__table__
        insert = upsert_insert(self.session.get_bind().dialect.name, table).values(
            **values, source_version=source_version or 0
        )
        changed = [key for key in values if key != "customer_id"]
        if source_version is None:
            newer = table.c.source_updated_at < insert.excluded.source_updated_at
        else:
            changed.append("source_version")
            newer = table.c.source_version < insert.excluded.source_version
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.customer_id],
            set_={key: insert.excluded[key] for key in changed},
            where=newer,
        ).returning(table.c.customer_id)
        return await self.session.scalar(statement) is not None
