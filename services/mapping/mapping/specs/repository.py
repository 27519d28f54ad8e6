import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import DesignFile
from mapping.specs.schemas import FileStatus


class DesignFileRepository:
    """Every query on design files. Their owners decide who may see them, so these take owner ids the
    caller has already scoped."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, file_id: uuid.UUID, *, fresh: bool = False) -> DesignFile | None:
        """`fresh`: read again from the database, not the session's copy."""
        return await self.session.get(DesignFile, file_id, populate_existing=fresh)

    async def of_owner(self, kind: str, owner_id: uuid.UUID) -> list[DesignFile]:
        return (await self.of_owners(kind, [owner_id])).get(owner_id, [])

    async def of_owners(self, kind: str, owner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[DesignFile]]:
        found: dict[uuid.UUID, list[DesignFile]] = {}
        for start in range(0, len(owner_ids), 500):  # below every database's parameter limit
            rows = await self.session.scalars(
                select(DesignFile)
                .where(DesignFile.owner_kind == kind, DesignFile.owner_id.in_(owner_ids[start : start + 500]))
                .order_by(DesignFile.area)
            )
            for row in rows:
                found.setdefault(row.owner_id, []).append(row)
        return found

    async def lock_owner(self, kind: str, owner_id: uuid.UUID) -> None:
        """Waits until no other transaction holds the owner's files, and holds them until this one ends
        (PostgreSQL; SQLite has one writer). Two checks of one owner's files that end at once would
        otherwise each judge the owner with the other's file still pending, and the later one would
        leave that stale status behind."""
        await self.session.execute(
            select(DesignFile.id)
            .where(DesignFile.owner_kind == kind, DesignFile.owner_id == owner_id)
            .order_by(DesignFile.id)
            .with_for_update()
        )

    async def failed(self) -> Sequence[DesignFile]:
        return (
            await self.session.scalars(select(DesignFile).where(DesignFile.status == FileStatus.failed))
        ).all()

    def add(self, row: DesignFile) -> None:
        self.session.add(row)

    async def remove(self, row: DesignFile) -> None:
        await self.session.delete(row)

    async def remove_owner(self, kind: str, owner_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(DesignFile).where(DesignFile.owner_kind == kind, DesignFile.owner_id == owner_id)
        )
