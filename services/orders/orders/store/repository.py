import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Store
from printbridge_shared.db import upsert_insert


class StoreRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, store_id: uuid.UUID) -> Store | None:
        return await self.session.get(Store, store_id)

    async def store_if_newer(self, values: dict[str, Any], *, version: int | None) -> bool:
        """Inserts the store, or updates it when the snapshot is newer than the one held, in one
        statement; False when the held one was as new or newer (nothing changed). Newer means a higher
        `version` (the envelope's `aggregate_version`) or, for a snapshot without one, a later
        `updated_at`."""
        table = Store.__table__
        insert = upsert_insert(self.session.get_bind().dialect.name, table).values(
            **values, version=version or 0
        )
        changed = [key for key in values if key != "store_id"]
        if version is None:
            newer = table.c.updated_at < insert.excluded.updated_at
        else:
            changed.append("version")
            newer = table.c.version < insert.excluded.version
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.store_id],
            set_={key: insert.excluded[key] for key in changed},
            where=newer,
        ).returning(table.c.store_id)
        return await self.session.scalar(statement) is not None
