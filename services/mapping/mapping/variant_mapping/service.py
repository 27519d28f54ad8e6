"""Mappings: a shop variant tied to a catalog product with its attributes and design files (checked in
the background by mapping.specs). A variant's mapping status follows from its shop product (inactive
when the shop does not sell it) and its spec (mapped when `ok`, else needs attention); every change of
what a mapping says, or of that status, is one `mapping.changed` with the variant's next version, and an
unmapping (or the variant leaving the shop) one `mapping.removed`."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from mapping.catalog.repository import CatalogRepository
from mapping.models import CatalogProduct, DesignFile, ShopProduct, ShopVariant, VariantMapping
from mapping.shop_product.exceptions import ShopVariantNotFound
from mapping.shop_product.repository import (
    ShopProductRepository,
    ShopVariantRepository,
    VariantMappingRepository,
)
from mapping.shop_product.schemas import MappingStatus
from mapping.specs import files as design_files
from mapping.specs import owners
from mapping.specs.repository import DesignFileRepository
from mapping.specs.schemas import SpecStatus
from mapping.specs.status import evaluate
from mapping.specs.validation import ValidSpec, validate
from mapping.variant_mapping.exceptions import DuplicateVariants, VariantNotMapped, VariantsNotFound
from mapping.variant_mapping.schemas import BulkMappingIn, MappingIn
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import EventData, MappingChanged, MappingRemoved
from printbridge_shared.events.outbox import Outbox

OWNER_KIND = "mapping"
# A product's status is its most pressing variant's (no variants: nothing is mapped yet).
PRODUCT_PRIORITY = [MappingStatus.needs_attention, MappingStatus.unmapped, MappingStatus.mapped]


async def _next_version(session: AsyncSession, variant: ShopVariant) -> int:
    """The variant's next `mapping.*` version, raised in the database (the row stays locked until the
    commit), so concurrent changes (a request, a file check's job) get consecutive versions."""
    await session.flush()
    statement = (
        update(ShopVariant)
        .where(ShopVariant.id == variant.id)
        .values(mapping_version=ShopVariant.mapping_version + 1)
        .returning(ShopVariant.mapping_version)
        .execution_options(synchronize_session=False)
    )
    version = int((await session.execute(statement)).scalar_one())
    set_committed_value(variant, "mapping_version", version)
    return version


def variant_status(product: ShopProduct, mapping: VariantMapping | None) -> MappingStatus:
    if not product.active:
        return MappingStatus.inactive
    if mapping is None:
        return MappingStatus.unmapped
    return MappingStatus.mapped if mapping.status == SpecStatus.ok else MappingStatus.needs_attention


def product_status(product: ShopProduct, variants: Sequence[ShopVariant]) -> MappingStatus:
    if not product.active:
        return MappingStatus.inactive
    statuses = {MappingStatus(variant.mapping_status) for variant in variants}
    return min(statuses, key=PRODUCT_PRIORITY.index, default=MappingStatus.unmapped)


def _variant_ref(product: ShopProduct, variant: ShopVariant) -> dict[str, Any]:
    """What both `mapping.*` events say of the variant: whose it is and how an order line names it."""
    return {
        "shop_variant_id": variant.id,
        "store_id": variant.store_id,
        "customer_id": variant.customer_id,
        "platform": product.platform,
        "external_product_id": product.external_id,
        "external_variant_id": variant.external_id,
        "sku": variant.sku,
    }


async def _record(session: AsyncSession, outbox: Outbox, variant: ShopVariant, data: EventData) -> None:
    await outbox.record(
        session,
        data,
        customer_id=variant.customer_id,
        aggregate_id=variant.id,
        aggregate_version=await _next_version(session, variant),
    )


async def _record_changed(
    session: AsyncSession,
    outbox: Outbox,
    product: ShopProduct,
    variant: ShopVariant,
    mapping: VariantMapping,
    rows: Sequence[DesignFile],
    issues: Sequence[str],
) -> None:
    data = MappingChanged(
        **_variant_ref(product, variant),
        product_uid=mapping.product_uid,
        attributes=mapping.attributes,
        files={row.area: design_files.to_result(row) for row in rows},
        artwork_properties=mapping.artwork_properties,
        status=variant.mapping_status,
        issues=tuple(issues),
        updated_at=mapping.updated_at,
    )
    await _record(session, outbox, variant, data)


async def _record_removed(
    session: AsyncSession, outbox: Outbox, product: ShopProduct, variant: ShopVariant
) -> None:
    await _record(
        session, outbox, variant, MappingRemoved(**_variant_ref(product, variant), removed_at=utcnow())
    )


async def refresh(
    session: AsyncSession,
    outbox: Outbox,
    product: ShopProduct,
    variant: ShopVariant,
    *,
    changed: bool = False,
    catalog_product: CatalogProduct | None = None,
    rows: Sequence[DesignFile] | None = None,
) -> None:
    """Recomputes the variant's mapping (its spec's status) and mapping status; records `mapping.changed`
    when the mapping says something new (`changed`: its spec or a file's result changed) or its status
    moved. The product's own status is the caller's to update (`update_product_status`). `rows`: the
    mapping's design files, when the caller has just written them."""
    mapping = await VariantMappingRepository(session).get(variant.id)
    if mapping is None:
        variant.mapping_status = variant_status(product, None)
        return
    if rows is None:
        rows = await DesignFileRepository(session).of_owner(OWNER_KIND, variant.id)
    found = catalog_product or await CatalogRepository(session).get(mapping.product_uid)
    spec_status, issues = evaluate(found, mapping.attributes, rows, list(mapping.artwork_properties))
    before = (mapping.status, variant.mapping_status)
    mapping.status = spec_status
    variant.mapping_status = variant_status(product, mapping)
    if changed or (mapping.status, variant.mapping_status) != before:
        mapping.updated_at = utcnow()
        await _record_changed(session, outbox, product, variant, mapping, rows, [i.code for i in issues])


async def update_product_status(session: AsyncSession, product: ShopProduct) -> None:
    variants = await ShopVariantRepository(session).of_product(product.id)
    product.mapping_status = product_status(product, variants)


async def forget(session: AsyncSession, outbox: Outbox, product: ShopProduct, variant: ShopVariant) -> None:
    """The variant is no longer mapped (or no longer in the shop): its mapping and files go, and
    `mapping.removed` says so."""
    repository = VariantMappingRepository(session)
    mapping = await repository.get(variant.id)
    if mapping is None:
        return
    await design_files.remove_files(session, owner_kind=OWNER_KIND, owner_id=variant.id)
    await repository.remove(mapping)
    variant.mapping_status = variant_status(product, None)
    await _record_removed(session, outbox, product, variant)


async def _variant_and_product(
    session: AsyncSession, scope: Scope, variant_id: uuid.UUID
) -> tuple[ShopVariant, ShopProduct]:
    variant = await ShopVariantRepository(session).get(scope, variant_id)
    product = await ShopProductRepository(session).get_any(variant.shop_product_id) if variant else None
    if variant is None or product is None or product.removed_at is not None:
        raise ShopVariantNotFound(variant_id)
    return variant, product


async def apply_spec(
    session: AsyncSession, outbox: Outbox, product: ShopProduct, variant: ShopVariant, spec: ValidSpec
) -> None:
    """Maps the variant to a validated spec (replacing its mapping); records `mapping.changed` only when
    the mapping or its status changed, so applying the same spec again records nothing. The product's
    status is the caller's to update (`update_product_status`), once for all its variants. A spec that
    does not say which areas an order's artwork covers (the CSV) keeps the mapping's, for the areas of
    its product that it gives no file."""
    repository = VariantMappingRepository(session)
    mapping = await repository.get(variant.id)
    now = utcnow()
    before = (
        None if mapping is None else (mapping.product_uid, mapping.attributes, mapping.artwork_properties)
    )
    artwork = spec.artwork_properties
    if artwork is None:
        areas = {area["name"] for area in spec.product.print_areas} - set(spec.files)
        held_artwork = {} if mapping is None else mapping.artwork_properties
        artwork = {area: name for area, name in held_artwork.items() if area in areas}
    if mapping is None:
        mapping = VariantMapping(
            shop_variant_id=variant.id,
            store_id=variant.store_id,
            customer_id=variant.customer_id,
            product_uid=spec.product.product_uid,
            attributes=spec.attributes,
            artwork_properties=artwork,
            status=SpecStatus.file_pending,
            created_at=now,
            updated_at=now,
        )
        repository.add(mapping)
    mapping.product_uid, mapping.attributes = spec.product.product_uid, spec.attributes
    mapping.artwork_properties = artwork
    held_rows = await DesignFileRepository(session).of_owner(OWNER_KIND, variant.id)
    held = {row.area: row.url for row in held_rows}
    rows = await design_files.set_files(
        session,
        owner_kind=OWNER_KIND,
        owner_id=variant.id,
        customer_id=variant.customer_id,
        product=spec.product,
        files=spec.files,
        held_rows=held_rows,
    )
    changed = before != (mapping.product_uid, mapping.attributes, artwork) or held != spec.files
    await refresh(session, outbox, product, variant, changed=changed, catalog_product=spec.product, rows=rows)


async def connect(
    session: AsyncSession,
    outbox: Outbox,
    scope: Scope,
    variant_id: uuid.UUID,
    payload: MappingIn,
    *,
    allow_private: bool,
) -> tuple[ShopVariant, ShopProduct]:
    """Maps (or maps again) one variant; a spec that does not fit the catalog is refused whole (422)."""
    variant, product = await _variant_and_product(session, scope, variant_id)
    spec = await validate(
        session,
        product_uid=payload.product_uid,
        attributes=payload.attributes,
        files=payload.files,
        allow_private=allow_private,
        artwork_properties=payload.artwork_properties,
    )
    await apply_spec(session, outbox, product, variant, spec)
    await update_product_status(session, product)
    return variant, product


async def connect_many(
    session: AsyncSession, outbox: Outbox, scope: Scope, payload: BulkMappingIn, *, allow_private: bool
) -> list[uuid.UUID]:
    """Maps every variant named to the same spec, all or none: an unknown variant or a spec that does not
    fit refuses the whole request."""
    seen: set[uuid.UUID] = set()
    for variant_id in payload.shop_variant_ids:
        if variant_id in seen:
            raise DuplicateVariants(variant_id)
        seen.add(variant_id)
    variants = await ShopVariantRepository(session).get_many(scope, payload.shop_variant_ids)
    products = ShopProductRepository(session)
    owners_of: dict[uuid.UUID, ShopProduct] = {}
    missing = []
    for index, variant_id in enumerate(payload.shop_variant_ids):
        variant = variants.get(variant_id)
        product = await products.get_any(variant.shop_product_id) if variant else None
        if variant is None or product is None or product.removed_at is not None:
            missing.append((index, variant_id))
        else:
            owners_of[variant_id] = product
    if missing:
        raise VariantsNotFound(missing)
    spec = await validate(
        session,
        product_uid=payload.product_uid,
        attributes=payload.attributes,
        files=payload.files,
        allow_private=allow_private,
        artwork_properties=payload.artwork_properties,
    )
    for variant_id in payload.shop_variant_ids:
        await apply_spec(session, outbox, owners_of[variant_id], variants[variant_id], spec)
    for product in {product.id: product for product in owners_of.values()}.values():
        await update_product_status(session, product)
    return list(payload.shop_variant_ids)


async def unmap(session: AsyncSession, outbox: Outbox, scope: Scope, variant_id: uuid.UUID) -> None:
    variant, product = await _variant_and_product(session, scope, variant_id)
    if await VariantMappingRepository(session).get(variant.id) is None:
        raise VariantNotMapped(variant_id)
    await forget(session, outbox, product, variant)
    await update_product_status(session, product)


async def recheck(
    session: AsyncSession, scope: Scope, variant_id: uuid.UUID
) -> tuple[ShopVariant, ShopProduct]:
    variant, product = await _variant_and_product(session, scope, variant_id)
    if await VariantMappingRepository(session).get(variant.id) is None:
        raise VariantNotMapped(variant_id)
    await design_files.recheck(session, owner_kind=OWNER_KIND, owner_id=variant.id)
    return variant, product


async def file_checked(session: AsyncSession, outbox: Outbox, variant_id: uuid.UUID) -> None:
    """A check of one of the mapping's files came to another result. The product is locked first: checks
    of two of its variants' files may end at once, and its status is judged by every variant's."""
    variant = await ShopVariantRepository(session).get_any(variant_id)
    product = await ShopProductRepository(session).get_locked(variant.shop_product_id) if variant else None
    if variant is None or product is None:
        return
    await refresh(session, outbox, product, variant, changed=True)
    await update_product_status(session, product)


async def product_changed(session: AsyncSession, outbox: Outbox, catalog_product: CatalogProduct) -> None:
    """A catalog product was changed, retired or reactivated: the mappings using it follow (retired:
    needs attention, never silently broken)."""
    variants = ShopVariantRepository(session)
    products = ShopProductRepository(session)
    touched: dict[uuid.UUID, ShopProduct] = {}
    for mapping in await VariantMappingRepository(session).using_product(catalog_product.product_uid):
        variant = await variants.get_any(mapping.shop_variant_id)
        product = await products.get_any(variant.shop_product_id) if variant else None
        if variant is None or product is None:
            continue
        changed = await design_files.follow_product(
            session, owner_kind=OWNER_KIND, owner_id=variant.id, product=catalog_product
        )
        await refresh(session, outbox, product, variant, changed=changed, catalog_product=catalog_product)
        touched[product.id] = product
    for product in touched.values():
        await update_product_status(session, product)


owners.register(OWNER_KIND, owners.OwnerHooks(checked=file_checked, product_changed=product_changed))
