import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import CatalogProduct


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CatalogRepository:
    """Every query on the catalog. The catalog is the producer's: every signed-in caller reads all of it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, product_uid: str) -> CatalogProduct | None:
        return await self.session.scalar(
            select(CatalogProduct).where(CatalogProduct.product_uid == product_uid)
        )

    async def get_many(self, product_uids: Sequence[str]) -> dict[str, CatalogProduct]:
        found: dict[str, CatalogProduct] = {}
        for start in range(0, len(product_uids), 500):  # below every database's parameter limit
            chunk = product_uids[start : start + 500]
            rows = await self.session.scalars(
                select(CatalogProduct).where(CatalogProduct.product_uid.in_(chunk))
            )
            found.update((row.product_uid, row) for row in rows)
        return found

    async def list(
        self,
        *,
        query: str | None,
        type: str | None,
        status: str | None,
        after: tuple[str, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[CatalogProduct]:
        statement = select(CatalogProduct)
        if query:
            pattern = _like_pattern(query)
            statement = statement.where(
                or_(
                    CatalogProduct.name_key.like(pattern, escape="\\"),
                    CatalogProduct.product_uid.like(pattern, escape="\\"),
                )
            )
        if type is not None:
            statement = statement.where(CatalogProduct.type == type)
        if status is not None:
            statement = statement.where(CatalogProduct.status == status)
        if after is not None:
            statement = statement.where(tuple_(CatalogProduct.name_key, CatalogProduct.id) > after)
        statement = statement.order_by(CatalogProduct.name_key, CatalogProduct.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    def add(self, product: CatalogProduct) -> None:
        self.session.add(product)
