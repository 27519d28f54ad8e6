"""Shop products: mapping's copy of what connectors publishes (`shop_product.synced` / `removed`, the
newest revision kept), read with each variant's mapping status; and the sync a user asks for, which
mapping passes to connectors as `store.product_sync_requested` (connectors owns every platform call)."""

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog.repository import CatalogRepository
from mapping.models import ShopProduct, ShopVariant, Store, VariantMapping
from mapping.shop_product.exceptions import (
    ProductsNotSynced,
    ShopProductNotFound,
    ShopVariantNotFound,
    StoreNotConnected,
    StoreNotFound,
)
from mapping.shop_product.repository import (
    ShopProductRepository,
    ShopVariantRepository,
    VariantMappingRepository,
)
from mapping.shop_product.schemas import (
    Issue,
    MappingStatus,
    ShopProductPage,
    ShopProductRead,
    ShopVariantRead,
    SyncAccepted,
    VariantMappingRead,
)
from mapping.specs import files as design_files
from mapping.specs.repository import DesignFileRepository
from mapping.specs.status import evaluate
from mapping.variant_mapping import service as mappings
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import (
    Platform,
    ShopProductRemoved,
    ShopProductSynced,
    StoreProductSyncRequested,
    StoreStatus,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_position, encode_position

# Platforms whose stores have no shop products: their orders name what to make directly.
NO_SHOP_PRODUCTS = frozenset({Platform.manual})
TITLE_KEY_LENGTH = 200


def _title_key(title: str) -> str:
    return title.lower()[:TITLE_KEY_LENGTH]


# -- the copy, from connectors' events ----------------------------------------------------------------


async def record_synced(session: AsyncSession, outbox: Outbox, data: ShopProductSynced) -> bool:
    """Keeps the product unless a revision as new is held; its variants follow the shop's (a variant
    gone from the shop loses its mapping), and a product that stops or starts selling moves its
    mappings' status. True when kept."""
    repository = ShopProductRepository(session)
    product = await repository.by_external_id(data.store_id, data.external_id)
    now = utcnow()
    if product is not None and product.revision >= data.revision:
        return False
    if product is None:
        product = ShopProduct(
            id=uuid.uuid4(),
            store_id=data.store_id,
            customer_id=data.customer_id,
            platform=data.platform,
            external_id=data.external_id,
            mapping_status=MappingStatus.unmapped,
        )
        repository.add(product)
    product.title, product.title_key = data.title, _title_key(data.title)
    product.handle, product.product_type = data.handle, data.product_type
    product.active, product.platform_status = data.active, data.platform_status
    product.source_updated_at, product.revision = data.source_updated_at, data.revision
    product.synced_at, product.removed_at = now, None

    variants = ShopVariantRepository(session)
    held = {variant.external_id: variant for variant in await variants.of_product(product.id)}
    # Loaded once: `refresh` finds them in the session, so an unmapped variant costs no query.
    mapped = await VariantMappingRepository(session).of_variants([variant.id for variant in held.values()])
    current = []
    for position, given in enumerate(data.variants, start=1):
        variant = held.pop(given.external_id, None)
        if variant is None:
            variant = ShopVariant(
                id=uuid.uuid4(),
                shop_product_id=product.id,
                store_id=product.store_id,
                customer_id=product.customer_id,
                external_id=given.external_id,
                mapping_status=MappingStatus.unmapped,
                mapping_version=0,
            )
            repository.add(variant)
        identity_changed = variant.sku != given.sku
        variant.sku, variant.title, variant.options = given.sku, given.title, dict(given.options)
        variant.price = None if given.price is None else str(given.price)
        variant.position = position
        if variant.id in mapped:
            await mappings.refresh(session, outbox, product, variant, changed=identity_changed)
        else:
            variant.mapping_status = mappings.variant_status(product, None)
        current.append(variant)
    for gone in held.values():
        await mappings.forget(session, outbox, product, gone)
        await variants.remove(gone)
    product.mapping_status = mappings.product_status(product, current)
    await session.flush()
    return True


async def record_removed(session: AsyncSession, outbox: Outbox, data: ShopProductRemoved) -> bool:
    """The shop no longer has the product: its variants and their mappings go; the row stays, hidden."""
    product = await ShopProductRepository(session).by_external_id(data.store_id, data.external_id)
    if product is None or product.revision >= data.revision:
        return False
    variants = ShopVariantRepository(session)
    for variant in await variants.of_product(product.id):
        await mappings.forget(session, outbox, product, variant)
        await variants.remove(variant)
    product.revision, product.removed_at = data.revision, data.removed_at
    product.mapping_status = MappingStatus.unmapped
    return True


# -- reading ------------------------------------------------------------------------------------------


INACTIVE_FIX = (
    "Publish (activate) the product in the shop if it should be sold; until then its orders cannot "
    "arrive, and orders already placed for it are held."
)


def _variant_issues(status: MappingStatus, spec_issues: list[Issue]) -> list[Issue]:
    if status == MappingStatus.unmapped:
        return [
            Issue(
                code="unmapped_item",
                message="The variant is not tied to a catalog product, so its orders cannot be produced.",
                fix="Map it: PUT /v1/shop-variants/{id}/mapping with a product_uid, attributes and files.",
            )
        ]
    if status == MappingStatus.needs_attention:
        return spec_issues
    return []


async def read_many(session: AsyncSession, products: Sequence[ShopProduct]) -> list[ShopProductRead]:
    """Products with their variants, mappings and files, loaded in a few queries for the whole page."""
    by_product = await ShopVariantRepository(session).of_products([product.id for product in products])
    variant_ids = [variant.id for variants in by_product.values() for variant in variants]
    found_mappings = await VariantMappingRepository(session).of_variants(variant_ids)
    rows = await DesignFileRepository(session).of_owners(mappings.OWNER_KIND, list(found_mappings))
    catalog = await CatalogRepository(session).get_many(
        sorted({mapping.product_uid for mapping in found_mappings.values()})
    )
    return [_to_read(product, by_product[product.id], found_mappings, rows, catalog) for product in products]


def _to_read(
    product: ShopProduct,
    variants: list[ShopVariant],
    found_mappings: dict[uuid.UUID, VariantMapping],
    rows: dict[uuid.UUID, list],
    catalog: dict,
) -> ShopProductRead:
    read_variants = []
    for variant in variants:
        mapping = found_mappings.get(variant.id)
        mapping_read = None
        spec_issues: list[Issue] = []
        if mapping is not None:
            files = rows.get(variant.id, [])
            status, issues = evaluate(
                catalog.get(mapping.product_uid), mapping.attributes, files, list(mapping.artwork_properties)
            )
            spec_issues = [
                Issue(code=issue.code, message=issue.message, fix=_spec_fix(issue.code), area=issue.area)
                for issue in issues
            ]
            mapping_read = VariantMappingRead(
                product_uid=mapping.product_uid,
                attributes=mapping.attributes,
                files={row.area: design_files.to_read(row) for row in files},
                artwork_properties=mapping.artwork_properties,
                status=status,
                issues=issues,
                created_at=mapping.created_at,
                updated_at=mapping.updated_at,
            )
        status = MappingStatus(variant.mapping_status)
        read_variants.append(
            ShopVariantRead(
                id=variant.id,
                shop_product_id=product.id,
                store_id=variant.store_id,
                external_id=variant.external_id,
                sku=variant.sku,
                title=variant.title,
                options=variant.options,
                price=variant.price,
                mapping_status=status,
                issues=_variant_issues(status, spec_issues),
                mapping=mapping_read,
            )
        )
    issues = []
    if not product.active:
        issues.append(
            Issue(
                code="inactive_product",
                message=f"The shop does not sell this product (it is {product.platform_status}).",
                fix=INACTIVE_FIX,
            )
        )
    return ShopProductRead(
        id=product.id,
        store_id=product.store_id,
        customer_id=product.customer_id,
        platform=product.platform,
        external_id=product.external_id,
        title=product.title,
        handle=product.handle,
        product_type=product.product_type,
        active=product.active,
        platform_status=product.platform_status,
        mapping_status=MappingStatus(product.mapping_status),
        issues=issues,
        variants=read_variants,
        source_updated_at=product.source_updated_at,
        synced_at=product.synced_at,
    )


SPEC_FIXES = {
    "product_retired": "The producer retired this catalog product: map the variant to another product.",
    "spec_invalid": "The catalog product changed: map the variant again with attributes and print areas "
    "it has now.",
    "file_failed": "Fix the file at its address (it is checked again hourly, or at once with "
    "POST /v1/shop-variants/{id}/mapping/files/recheck), or give another file.",
    "file_missing": "Give a design file for this print area.",
    "file_pending": "Wait a moment: the file is being checked.",
}


def _spec_fix(code: str) -> str:
    return SPEC_FIXES.get(code, "See the message.")


async def store_for(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    store = await session.get(Store, store_id)
    if store is None or not scope.sees_store(store.customer_id, store.store_id):
        raise StoreNotFound(store_id)
    return store


async def list_products(
    session: AsyncSession,
    scope: Scope,
    *,
    store_id: uuid.UUID | None,
    customer_id: uuid.UUID | None,
    query: str | None,
    status: MappingStatus | None,
    cursor: str | None,
    limit: int,
) -> ShopProductPage:
    rows = await ShopProductRepository(session).list(
        scope,
        store_id=store_id,
        customer_id=customer_id,
        query=query.strip().lower() if query else None,
        mapping_status=status,
        after=decode_position(cursor),
        limit=limit + 1,
    )
    items = list(rows[:limit])
    next_cursor = encode_position(items[-1].title_key, items[-1].id) if len(rows) > limit else None
    return ShopProductPage(items=await read_many(session, items), next_cursor=next_cursor)


async def get_product(session: AsyncSession, scope: Scope, product_id: uuid.UUID) -> ShopProductRead:
    product = await ShopProductRepository(session).get(scope, product_id)
    if product is None:
        raise ShopProductNotFound(product_id)
    return (await read_many(session, [product]))[0]


async def get_variant(session: AsyncSession, scope: Scope, variant_id: uuid.UUID) -> ShopVariantRead:
    variant = await ShopVariantRepository(session).get(scope, variant_id)
    product = await ShopProductRepository(session).get(scope, variant.shop_product_id) if variant else None
    if variant is None or product is None:
        raise ShopVariantNotFound(variant_id)
    read = await read_many(session, [product])
    return next(v for v in read[0].variants if v.id == variant_id)


async def request_sync(
    session: AsyncSession, outbox: Outbox, scope: Scope, store_id: uuid.UUID, *, full: bool
) -> SyncAccepted:
    store = await store_for(session, scope, store_id)
    if store.platform in NO_SHOP_PRODUCTS:
        raise ProductsNotSynced(store.platform)
    if store.status != StoreStatus.connected:
        raise StoreNotConnected(store.status)
    now = utcnow()
    await outbox.record(
        session,
        StoreProductSyncRequested(
            store_id=store.store_id, customer_id=store.customer_id, full=full, requested_at=now
        ),
        customer_id=store.customer_id,
    )
    return SyncAccepted(store_id=store.store_id, full=full, requested_at=now)
