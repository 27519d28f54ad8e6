"""What orders keeps of mapping's aggregates — shop variants' mappings, catalog products, templates — from
their events, each kept only when newer than the one held (the envelope's aggregate version). A change
that is kept resolves again the orders it concerns: mapping a variant releases the orders held for it."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import CatalogProductView, TemplateView, VariantMappingView
from orders.resolution import service as resolution
from orders.resolution.repository import ResolutionRepository
from printbridge_shared.events.contracts import (
    CatalogProductChanged,
    MappingChanged,
    MappingRemoved,
    TemplateChanged,
    TemplateRemoved,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.projections import keep_if_newer


def _files(files: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {area: result.model_dump(mode="json") for area, result in files.items()}


async def mapping_changed(
    session: AsyncSession, outbox: Outbox, data: MappingChanged | MappingRemoved, *, version: int | None
) -> None:
    values: dict[str, Any] = {
        "shop_variant_id": data.shop_variant_id,
        "store_id": data.store_id,
        "customer_id": data.customer_id,
        "external_product_id": data.external_product_id,
        "external_variant_id": data.external_variant_id,
        "sku": data.sku,
    }
    if isinstance(data, MappingChanged):
        values.update(
            removed=False,
            product_uid=data.product_uid,
            attributes=data.attributes,
            files=_files(data.files),
            artwork_properties=data.artwork_properties,
            status=data.status,
            issues=list(data.issues),
            updated_at=data.updated_at,
        )
        cause = f"the mapping of shop variant {data.shop_variant_id} changed ({data.status})"
    else:
        values.update(
            removed=True,
            product_uid=None,
            attributes={},
            files={},
            artwork_properties={},
            status="removed",
            issues=[],
            updated_at=data.removed_at,
        )
        cause = f"shop variant {data.shop_variant_id} was unmapped"
    if not await keep_if_newer(
        session, VariantMappingView.__table__, "shop_variant_id", values, version=version
    ):
        return
    mapping = await session.get(VariantMappingView, data.shop_variant_id, populate_existing=True)
    assert mapping is not None
    orders = await ResolutionRepository(session).unresolved_orders_of_variant(mapping)
    await resolution.resolve_in_background(session, outbox, orders, cause=cause)


async def catalog_product_changed(
    session: AsyncSession, outbox: Outbox, data: CatalogProductChanged, *, version: int | None
) -> None:
    values = {
        "product_uid": data.product_uid,
        "name": data.name,
        "type": data.type,
        "attributes": data.attributes,
        "print_areas": [area.model_dump(mode="json") for area in data.print_areas],
        "status": data.status,
        "updated_at": data.updated_at,
    }
    if not await keep_if_newer(session, CatalogProductView.__table__, "product_uid", values, version=version):
        return
    orders = await ResolutionRepository(session).unresolved_orders_of_product(data.product_uid)
    cause = f"the catalog product '{data.product_uid}' changed ({data.status})"
    await resolution.resolve_in_background(session, outbox, orders, cause=cause)


async def template_changed(
    session: AsyncSession, outbox: Outbox, data: TemplateChanged | TemplateRemoved, *, version: int | None
) -> None:
    values: dict[str, Any] = {"template_id": data.template_id, "customer_id": data.customer_id}
    if isinstance(data, TemplateChanged):
        values.update(
            removed=False,
            name=data.name,
            product_uid=data.product_uid,
            attributes=data.attributes,
            files=_files(data.files),
            status=data.status,
            updated_at=data.updated_at,
        )
        cause = f"template {data.template_id} changed ({data.status})"
    else:
        values.update(
            removed=True,
            name="",
            product_uid=None,
            attributes={},
            files={},
            status="removed",
            updated_at=data.removed_at,
        )
        cause = f"template {data.template_id} was deleted"
    if not await keep_if_newer(session, TemplateView.__table__, "template_id", values, version=version):
        return
    orders = await ResolutionRepository(session).unresolved_orders_of_template(data.template_id)
    await resolution.resolve_in_background(session, outbox, orders, cause=cause)
