"""Create & publish: a customer designs a shop product from a catalog product (or a template), then
publishes it; mapping asks connectors to create it (`shop_product.publish_requested`, the draft's
`request_id`), and when the shop has it (`shop_product.published`) each variant is mapped to its spec at
once. A failure (`shop_product.publish_failed`) is shown on the draft, which may be published again: the
same request id never makes a second product."""

import uuid
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import ProductDraft
from mapping.product_draft.exceptions import (
    AlreadyPublished,
    CannotPublishHere,
    DraftNotFound,
    TemplateUnknown,
)
from mapping.product_draft.schemas import Draft, DraftIn, DraftPage, DraftStatus, DraftVariant
from mapping.shop_product import service as shop_products
from mapping.shop_product.repository import ShopProductRepository, ShopVariantRepository
from mapping.specs.repository import DesignFileRepository
from mapping.specs.validation import validate
from mapping.template.repository import TemplateRepository
from mapping.variant_mapping import service as mappings
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.errors import AppError
from printbridge_shared.events.contracts import (
    Platform,
    ShopProductDraftVariant,
    ShopProductPublished,
    ShopProductPublishFailed,
    ShopProductPublishRequested,
    StoreStatus,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_time_position, encode_position

log = structlog.get_logger(__name__)

PUBLISHING_PLATFORMS = frozenset({Platform.shopify, Platform.woocommerce})


def to_read(draft: ProductDraft) -> Draft:
    return Draft(
        id=draft.id,
        store_id=draft.store_id,
        customer_id=draft.customer_id,
        title=draft.title,
        description=draft.description,
        product_type=draft.product_type,
        template_id=draft.template_id,
        product_uid=draft.product_uid,
        files=draft.files,
        options=draft.options,
        variants=[DraftVariant(**variant) for variant in draft.variants],
        image_urls=draft.image_urls,
        status=DraftStatus(draft.status),
        error=draft.error,
        external_product_id=draft.external_product_id,
        created_at=draft.created_at,
        updated_at=draft.updated_at,
    )


async def create(
    session: AsyncSession, scope: Scope, store_id: uuid.UUID, payload: DraftIn, *, allow_private: bool
) -> Draft:
    store = await shop_products.store_for(session, scope, store_id)
    if store.platform not in PUBLISHING_PLATFORMS or store.status != StoreStatus.connected:
        raise CannotPublishHere(store.platform, store.status)
    product_uid, attributes, files = payload.product_uid, dict(payload.attributes), dict(payload.files)
    if payload.template_id is not None:
        template = await TemplateRepository(session).get(
            Scope(customer_id=store.customer_id, store_ids=None), payload.template_id
        )
        if template is None:
            raise TemplateUnknown(payload.template_id)
        rows = await DesignFileRepository(session).of_owner("template", template.id)
        product_uid, attributes = template.product_uid, {**template.attributes, **attributes}
        files = {**{row.area: row.url for row in rows}, **files}
    assert product_uid is not None
    base = await validate(
        session, product_uid=product_uid, attributes=attributes, files=files, allow_private=allow_private
    )
    variants: list[dict[str, Any]] = []
    for index, variant in enumerate(payload.variants):
        spec = await validate(
            session,
            product_uid=product_uid,
            attributes={**base.attributes, **variant.attributes},
            files=files,
            allow_private=allow_private,
            at=("body", "variants", str(index)),
        )
        variants.append(
            {
                "sku": variant.sku,
                "price": str(variant.price),
                "options": dict(variant.options),
                "attributes": spec.attributes,
            }
        )
    now = utcnow()
    draft = ProductDraft(
        id=uuid.uuid4(),
        store_id=store.store_id,
        customer_id=store.customer_id,
        title=payload.title,
        description=payload.description,
        product_type=payload.product_type,
        product_uid=base.product.product_uid,
        attributes=base.attributes,
        files=base.files,
        options=list(payload.options),
        variants=variants,
        image_urls=list(payload.image_urls),
        template_id=payload.template_id,
        status=DraftStatus.draft,
        request_id=uuid.uuid4(),
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    return to_read(draft)


async def get(session: AsyncSession, scope: Scope, draft_id: uuid.UUID) -> ProductDraft:
    statement = select(ProductDraft).where(ProductDraft.id == draft_id)
    draft = await session.scalar(ShopProductRepository.scoped(statement, scope, ProductDraft))
    if draft is None:
        raise DraftNotFound(draft_id)
    return draft


async def list_drafts(
    session: AsyncSession,
    scope: Scope,
    store_id: uuid.UUID,
    *,
    status: DraftStatus | None,
    cursor: str | None,
    limit: int,
) -> DraftPage:
    """A store's drafts, newest first (ties by id); 404 for a store the caller does not see."""
    await shop_products.store_for(session, scope, store_id)
    statement = select(ProductDraft).where(ProductDraft.store_id == store_id)
    if status is not None:
        statement = statement.where(ProductDraft.status == status)
    before = decode_time_position(cursor)
    if before is not None:
        statement = statement.where(tuple_(ProductDraft.created_at, ProductDraft.id) < before)
    statement = statement.order_by(ProductDraft.created_at.desc(), ProductDraft.id.desc()).limit(limit + 1)
    rows = (await session.scalars(statement)).all()
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return DraftPage(items=[to_read(draft) for draft in items], next_cursor=next_cursor)


async def publish(session: AsyncSession, outbox: Outbox, scope: Scope, draft_id: uuid.UUID) -> Draft:
    """Asks connectors to create the product (again, after a failure: with the same request id)."""
    draft = await get(session, scope, draft_id)
    if draft.status == DraftStatus.published:
        raise AlreadyPublished()
    if draft.status == DraftStatus.publishing:
        return to_read(draft)
    draft.status, draft.error, draft.updated_at = DraftStatus.publishing, None, utcnow()
    request = ShopProductPublishRequested(
        request_id=draft.request_id,
        store_id=draft.store_id,
        customer_id=draft.customer_id,
        title=draft.title,
        description=draft.description,
        product_type=draft.product_type,
        options=tuple(draft.options),
        variants=tuple(
            ShopProductDraftVariant(sku=v["sku"], options=v["options"], price=Decimal(v["price"]))
            for v in draft.variants
        ),
        image_urls=tuple(draft.image_urls),
    )
    await outbox.record(session, request, customer_id=draft.customer_id)
    return to_read(draft)


async def _by_request(session: AsyncSession, request_id: uuid.UUID) -> ProductDraft | None:
    return await session.scalar(select(ProductDraft).where(ProductDraft.request_id == request_id))


async def published(session: AsyncSession, outbox: Outbox, data: ShopProductPublished) -> None:
    """The shop has the product: kept as a shop product, and each of its variants (found by SKU) mapped
    to the draft's spec for it. A spec the catalog no longer accepts leaves that variant unmapped and says
    so on the draft."""
    draft = await _by_request(session, data.request_id)
    if draft is None:
        log.warning("publish_answer_without_draft", request_id=str(data.request_id))
        return
    await shop_products.record_synced(session, outbox, data.product)
    product = await ShopProductRepository(session).by_external_id(draft.store_id, data.product.external_id)
    assert product is not None
    by_sku = {v.sku: v for v in await ShopVariantRepository(session).of_product(product.id) if v.sku}
    problems = []
    for variant in draft.variants:
        shop_variant = by_sku.get(variant["sku"])
        if shop_variant is None:
            problems.append(f"the shop has no variant with SKU {variant['sku']}")
            continue
        try:
            spec = await validate(
                session,
                product_uid=draft.product_uid,
                attributes=variant["attributes"],
                files=draft.files,
                allow_private=True,  # validated when the draft was made; only the catalog may have changed
            )
        except AppError as error:
            problems.append(f"{variant['sku']} is not mapped: {error}")
            continue
        await mappings.apply_spec(session, outbox, product, shop_variant, spec)
    await mappings.update_product_status(session, product)
    draft.status, draft.external_product_id = DraftStatus.published, data.product.external_id
    draft.error = "; ".join(problems) or None
    draft.updated_at = utcnow()


async def failed(session: AsyncSession, data: ShopProductPublishFailed) -> None:
    draft = await _by_request(session, data.request_id)
    if draft is None or draft.status == DraftStatus.published:
        return
    draft.status, draft.error, draft.updated_at = DraftStatus.failed, data.reason, utcnow()
