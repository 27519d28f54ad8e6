"""Every query on shop products and variants. What a caller may see is decided here, once: its customer's
stores (all of them for operators), and for a store manager only its own stores."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import ShopProduct, ShopVariant, VariantMapping
from printbridge_shared.auth.permissions import Scope


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ShopProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def scoped(statement: Select[Any], scope: Scope, model: Any = ShopProduct) -> Select[Any]:
        if scope.customer_id is not None:
            statement = statement.where(model.customer_id == scope.customer_id)
        if scope.store_ids is not None:
            statement = statement.where(model.store_id.in_(scope.store_ids))
        return statement

    async def by_external_id(self, store_id: uuid.UUID, external_id: str) -> ShopProduct | None:
        return await self.session.scalar(
            select(ShopProduct).where(
                ShopProduct.store_id == store_id, ShopProduct.external_id == external_id
            )
        )

    async def get(self, scope: Scope, product_id: uuid.UUID) -> ShopProduct | None:
        statement = select(ShopProduct).where(ShopProduct.id == product_id, ShopProduct.removed_at.is_(None))
        return await self.session.scalar(self.scoped(statement, scope))

    async def get_any(self, product_id: uuid.UUID) -> ShopProduct | None:
        return await self.session.get(ShopProduct, product_id)

    async def get_locked(self, product_id: uuid.UUID) -> ShopProduct | None:
        """The product as committed now, held until this transaction ends (PostgreSQL; SQLite has one
        writer): background work that judges the product by all its variants reads them after any other
        such work has committed, never beside it."""
        return await self.session.get(ShopProduct, product_id, with_for_update=True, populate_existing=True)

    async def list(
        self,
        scope: Scope,
        *,
        store_id: uuid.UUID | None,
        customer_id: uuid.UUID | None,
        query: str | None,
        mapping_status: str | None,
        after: tuple[str, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[ShopProduct]:
        statement = self.scoped(select(ShopProduct).where(ShopProduct.removed_at.is_(None)), scope)
        if store_id is not None:
            statement = statement.where(ShopProduct.store_id == store_id)
        if customer_id is not None:
            statement = statement.where(ShopProduct.customer_id == customer_id)
        if query:
            statement = statement.where(ShopProduct.title_key.like(_like_pattern(query), escape="\\"))
        if mapping_status is not None:
            statement = statement.where(ShopProduct.mapping_status == mapping_status)
        if after is not None:
            statement = statement.where(tuple_(ShopProduct.title_key, ShopProduct.id) > after)
        statement = statement.order_by(ShopProduct.title_key, ShopProduct.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def of_store(self, store_id: uuid.UUID) -> Sequence[ShopProduct]:
        """Every product the store has now, by title (the export's order). The caller checked the store."""
        statement = (
            select(ShopProduct)
            .where(ShopProduct.store_id == store_id, ShopProduct.removed_at.is_(None))
            .order_by(ShopProduct.title_key, ShopProduct.id)
        )
        return (await self.session.scalars(statement)).all()

    def add(self, row: Any) -> None:
        self.session.add(row)


class ShopVariantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_product(self, product_id: uuid.UUID) -> list[ShopVariant]:
        statement = (
            select(ShopVariant)
            .where(ShopVariant.shop_product_id == product_id)
            .order_by(ShopVariant.position, ShopVariant.id)
        )
        return list((await self.session.scalars(statement)).all())

    async def of_products(self, product_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ShopVariant]]:
        found: dict[uuid.UUID, list[ShopVariant]] = {product_id: [] for product_id in product_ids}
        for start in range(0, len(product_ids), 500):
            statement = (
                select(ShopVariant)
                .where(ShopVariant.shop_product_id.in_(product_ids[start : start + 500]))
                .order_by(ShopVariant.position, ShopVariant.id)
            )
            for variant in (await self.session.scalars(statement)).all():
                found[variant.shop_product_id].append(variant)
        return found

    async def get(self, scope: Scope, variant_id: uuid.UUID) -> ShopVariant | None:
        statement = select(ShopVariant).where(ShopVariant.id == variant_id)
        return await self.session.scalar(ShopProductRepository.scoped(statement, scope, ShopVariant))

    async def get_any(self, variant_id: uuid.UUID) -> ShopVariant | None:
        return await self.session.get(ShopVariant, variant_id)

    async def get_many(self, scope: Scope, variant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ShopVariant]:
        found: dict[uuid.UUID, ShopVariant] = {}
        for start in range(0, len(variant_ids), 500):
            statement = select(ShopVariant).where(ShopVariant.id.in_(variant_ids[start : start + 500]))
            rows = await self.session.scalars(ShopProductRepository.scoped(statement, scope, ShopVariant))
            found.update((row.id, row) for row in rows.all())
        return found

    async def in_store(
        self, store_id: uuid.UUID, variant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[ShopVariant, ShopProduct]]:
        """Those of the variants that belong to the store's current products, each with its product."""
        found: dict[uuid.UUID, tuple[ShopVariant, ShopProduct]] = {}
        for start in range(0, len(variant_ids), 500):
            statement = (
                select(ShopVariant, ShopProduct)
                .join(ShopProduct, ShopProduct.id == ShopVariant.shop_product_id)
                .where(
                    ShopVariant.store_id == store_id,
                    ShopProduct.removed_at.is_(None),
                    ShopVariant.id.in_(variant_ids[start : start + 500]),
                )
            )
            for variant, product in (await self.session.execute(statement)).all():
                found[variant.id] = (variant, product)
        return found

    async def by_external_ids(
        self, store_id: uuid.UUID, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[ShopVariant, ShopProduct]]:
        """The store's variants named by the shop's ids (product's, variant's), each with its product."""
        found: dict[tuple[str, str], tuple[ShopVariant, ShopProduct]] = {}
        wanted = set(pairs)
        product_ids = sorted({product_id for product_id, _ in wanted})
        for start in range(0, len(product_ids), 500):
            statement = (
                select(ShopVariant, ShopProduct)
                .join(ShopProduct, ShopProduct.id == ShopVariant.shop_product_id)
                .where(
                    ShopProduct.store_id == store_id,
                    ShopProduct.removed_at.is_(None),
                    ShopProduct.external_id.in_(product_ids[start : start + 500]),
                )
            )
            for variant, product in (await self.session.execute(statement)).all():
                key = (product.external_id, variant.external_id)
                if key in wanted:
                    found[key] = (variant, product)
        return found

    async def remove(self, variant: ShopVariant) -> None:
        await self.session.execute(delete(ShopVariant).where(ShopVariant.id == variant.id))


class VariantMappingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, variant_id: uuid.UUID) -> VariantMapping | None:
        return await self.session.get(VariantMapping, variant_id)

    async def of_variants(self, variant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, VariantMapping]:
        found: dict[uuid.UUID, VariantMapping] = {}
        for start in range(0, len(variant_ids), 500):
            statement = select(VariantMapping).where(
                VariantMapping.shop_variant_id.in_(variant_ids[start : start + 500])
            )
            found.update((row.shop_variant_id, row) for row in (await self.session.scalars(statement)).all())
        return found

    async def using_product(self, product_uid: str) -> Sequence[VariantMapping]:
        statement = select(VariantMapping).where(VariantMapping.product_uid == product_uid)
        return (await self.session.scalars(statement)).all()

    def add(self, mapping: VariantMapping) -> None:
        self.session.add(mapping)

    async def remove(self, mapping: VariantMapping) -> None:
        await self.session.execute(
            delete(VariantMapping).where(VariantMapping.shop_variant_id == mapping.shop_variant_id)
        )
