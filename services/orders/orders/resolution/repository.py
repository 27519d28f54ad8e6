"""The queries of resolution: the orders to resolve (locked, with their lines), the projections their
lines resolve through (a few queries per batch, not per line), and the orders a projection's change
concerns."""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from orders.files import service as files
from orders.models import (
    CatalogProductView,
    Order,
    OrderLine,
    OrderStatus,
    TemplateView,
    VariantMappingView,
)
from orders.resolution.items import Lookup, variant_key

# Orders a projection's change may still release or hold: resolved and routed orders keep what they
# were resolved to (docs/orders-resolution.md).
UNRESOLVED = (OrderStatus.received, OrderStatus.on_hold)


class ResolutionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_orders(self, order_ids: Collection[uuid.UUID]) -> Sequence[Order]:
        """The orders with their lines, locked until the commit, in id order (two transactions locking
        overlapping sets never wait on each other in a cycle). Pending changes are flushed first: the
        rows are read afresh (lines replaced since are seen)."""
        await self.session.flush()
        statement = (
            select(Order)
            .where(Order.id.in_(order_ids))
            .order_by(Order.id)
            .options(selectinload(Order.lines))
            .with_for_update(of=Order)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).all()

    async def lookup(self, orders: Sequence[Order]) -> Lookup:
        variant_keys = {
            (order.store_id, key)
            for order in orders
            if order.platform != "manual"
            for line in order.lines
            if (key := variant_key(line)) is not None
        }
        manual_lines = [
            (order, line) for order in orders if order.platform == "manual" for line in order.lines
        ]
        skus = {
            (order.customer_id, line.sku)
            for order, line in manual_lines
            if line.sku and not line.product_uid and not line.template_id
        }
        template_ids = {line.template_id for _, line in manual_lines if line.template_id}

        mappings: list[VariantMappingView] = []
        for chunk in _chunks(list(variant_keys)):
            mappings += (
                await self.session.scalars(
                    select(VariantMappingView).where(
                        tuple_(VariantMappingView.store_id, VariantMappingView.external_variant_id).in_(
                            chunk
                        ),
                        VariantMappingView.removed.is_(False),
                    )
                )
            ).all()
        known = {(m.store_id, m.external_variant_id) for m in mappings}
        # A shop line the shop names no variant of, or one mapping does not know by id (Pressero's items
        # carry a part number, not a product id), is found by its SKU in its store.
        skus |= {
            (order.customer_id, line.sku)
            for order in orders
            if order.platform != "manual"
            for line in order.lines
            if line.sku and (order.store_id, variant_key(line)) not in known
        }
        by_sku: dict[tuple[uuid.UUID, str], list[VariantMappingView]] = defaultdict(list)
        for chunk in _chunks(list(skus)):
            for mapping in await self.session.scalars(
                select(VariantMappingView).where(
                    tuple_(VariantMappingView.customer_id, VariantMappingView.sku).in_(chunk),
                    VariantMappingView.removed.is_(False),
                )
            ):
                by_sku[(mapping.customer_id, mapping.sku or "")].append(mapping)
        templates = (
            (
                await self.session.scalars(
                    select(TemplateView).where(
                        TemplateView.template_id.in_(template_ids), TemplateView.removed.is_(False)
                    )
                )
            ).all()
            if template_ids
            else []
        )
        uids = {m.product_uid for m in mappings if m.product_uid}
        uids |= {m.product_uid for found in by_sku.values() for m in found if m.product_uid}
        uids |= {t.product_uid for t in templates if t.product_uid}
        uids |= {line.product_uid for _, line in manual_lines if line.product_uid}
        catalog = (
            (
                await self.session.scalars(
                    select(CatalogProductView).where(CatalogProductView.product_uid.in_(uids))
                )
            ).all()
            if uids
            else []
        )
        by_variant = {(m.store_id, m.external_variant_id): m for m in mappings}
        # Orders whose files come with them: manual ones (their lines' files, or an SKU's mapping) and
        # those with a line whose mapping takes an artwork from the line's properties.
        with_files = [
            order.id
            for order in orders
            if order.platform == "manual"
            or any(
                (line_mapping := by_variant.get((order.store_id, variant_key(line) or ""))) is not None
                and line_mapping.artwork_properties
                for line in order.lines
            )
        ]
        return Lookup(
            order_files=await files.results(self.session, with_files) if with_files else {},
            mappings_by_variant=by_variant,
            mappings_by_sku=dict(by_sku),
            catalog={product.product_uid: product for product in catalog},
            templates={template.template_id: template for template in templates},
        )

    async def waiting_since(self, before: dt.datetime, *, limit: int) -> list[uuid.UUID]:
        """Orders `received` since before `before` (oldest first): none of them should wait that long."""
        statement = (
            select(Order.id)
            .where(Order.status == OrderStatus.received, Order.status_changed_at < before)
            .order_by(Order.status_changed_at)
            .limit(limit)
        )
        return list((await self.session.scalars(statement)).all())

    async def unresolved_orders_of_variant(self, mapping: VariantMappingView) -> list[uuid.UUID]:
        """Orders not yet routed with a line of this shop variant (in its store by the variant or product
        id or the SKU; manual orders of the customer by the SKU)."""
        return await self._unresolved(_lines_of(mapping))

    async def unresolved_orders_of_product(self, product_uid: str) -> list[uuid.UUID]:
        """Orders not yet routed with a line of the catalog product: named directly (manual), or through
        a mapping or template of it. One query, however many mappings use the product."""
        mapping_of_product = exists().where(
            VariantMappingView.product_uid == product_uid,
            VariantMappingView.removed.is_(False),
            _lines_of(VariantMappingView),
        )
        templates_of_product = select(TemplateView.template_id).where(
            TemplateView.product_uid == product_uid, TemplateView.removed.is_(False)
        )
        return await self._unresolved(
            or_(
                OrderLine.product_uid == product_uid,
                OrderLine.template_id.in_(templates_of_product),
                mapping_of_product,
            )
        )

    async def unresolved_orders_of_template(self, template_id: uuid.UUID) -> list[uuid.UUID]:
        return await self._unresolved(OrderLine.template_id == template_id)

    async def _unresolved(self, condition: object) -> list[uuid.UUID]:
        statement = (
            select(Order.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.status.in_(UNRESOLVED), condition)  # type: ignore[arg-type]
            .distinct()
        )
        return list((await self.session.scalars(statement)).all())


def _lines_of(mapping: Any) -> ColumnElement[bool]:
    """The order lines of a shop variant's mapping: `mapping` is one (its values) or the projection's
    class (its columns, to join on). In its store by the variant id, the product id (a product without
    variants) or the SKU; in a manual order of its customer by the SKU alone. A mapping without SKU
    matches no line by SKU (NULL equals nothing)."""
    in_store = or_(
        OrderLine.external_variant_id == mapping.external_variant_id,
        and_(
            OrderLine.external_variant_id.is_(None),
            OrderLine.external_product_id == mapping.external_variant_id,
        ),
        and_(OrderLine.sku.is_not(None), OrderLine.sku == mapping.sku),
    )
    manual_by_sku = and_(
        Order.customer_id == mapping.customer_id,
        Order.platform == "manual",
        OrderLine.sku.is_not(None),
        OrderLine.sku == mapping.sku,
        OrderLine.product_uid.is_(None),
        OrderLine.template_id.is_(None),
    )
    return or_(and_(Order.store_id == mapping.store_id, in_store), manual_by_sku)


def _chunks(items: list[tuple[uuid.UUID, str]], size: int = 500) -> list[list[tuple[uuid.UUID, str]]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
