import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import TemplateView, TestRun, VariantMappingView
from printbridge_shared.auth.permissions import Scope


class TestRunRepository:
    __test__ = False

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, scope: Scope, run_id: uuid.UUID) -> TestRun | None:
        run = await self.session.get(TestRun, run_id)
        if run is None or not scope.sees_store(run.customer_id, run.store_id):
            return None
        return run

    async def of_order(self, order_id: uuid.UUID) -> TestRun | None:
        return await self.session.scalar(select(TestRun).where(TestRun.order_id == order_id))

    async def list(
        self,
        scope: Scope,
        store_id: uuid.UUID | None,
        *,
        before: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[TestRun]:
        """Newest first."""
        query = select(TestRun)
        if scope.customer_id is not None:
            query = query.where(TestRun.customer_id == scope.customer_id)
        if scope.store_ids is not None:
            query = query.where(TestRun.store_id.in_(scope.store_ids))
        if store_id is not None:
            query = query.where(TestRun.store_id == store_id)
        if before is not None:
            at, run_id = before
            query = query.where(
                or_(TestRun.created_at < at, and_(TestRun.created_at == at, TestRun.id < run_id))
            )
        query = query.order_by(TestRun.created_at.desc(), TestRun.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()

    async def mapping(
        self, store_id: uuid.UUID, external_variant_id: str | None
    ) -> VariantMappingView | None:
        """The variant's mapping; without a variant id, the store's first mapped variant (by its id)."""
        query = select(VariantMappingView).where(
            VariantMappingView.store_id == store_id, VariantMappingView.removed.is_(False)
        )
        if external_variant_id is not None:
            query = query.where(VariantMappingView.external_variant_id == external_variant_id)
        else:
            query = query.where(VariantMappingView.status == "mapped").order_by(
                VariantMappingView.external_variant_id
            )
        return await self.session.scalar(query.limit(1))

    async def first_template(self, customer_id: uuid.UUID) -> TemplateView | None:
        return await self.session.scalar(
            select(TemplateView)
            .where(TemplateView.customer_id == customer_id, TemplateView.removed.is_(False))
            .order_by(TemplateView.name, TemplateView.template_id)
            .limit(1)
        )
