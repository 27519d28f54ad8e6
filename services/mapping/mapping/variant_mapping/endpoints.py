import uuid

from fastapi import APIRouter, Response, status

from mapping.deps import OutboxDep, ProductsManager, ProductsReader, ReadSessionDep, SessionDep, SettingsDep
from mapping.shop_product import service as shop_products
from mapping.shop_product.schemas import ShopVariantRead
from mapping.variant_mapping import service
from mapping.variant_mapping.schemas import BulkMappingIn, MappingIn
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.openapi import problems

router = APIRouter(prefix="/v1/shop-variants", tags=["shop products"])


@router.post("/mappings", response_model=list[ShopVariantRead], responses=problems(422))
async def map_shop_variants(
    payload: BulkMappingIn,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    principal: ProductsManager,
) -> list[ShopVariantRead]:
    """Connect several variants to the same production spec at once, all or none: an unknown variant
    or a spec that does not fit the catalog refuses the whole request."""
    scope = Scope.of(principal)
    mapped = await service.connect_many(
        session, outbox, scope, payload, allow_private=settings.allow_private_urls
    )
    return [await shop_products.get_variant(session, scope, variant_id) for variant_id in mapped]


@router.get("/{variant_id:uuid}", response_model=ShopVariantRead, responses=problems(404))
async def get_shop_variant(
    variant_id: uuid.UUID, session: ReadSessionDep, principal: ProductsReader
) -> ShopVariantRead:
    """One variant with its mapping status, mapping and design files' checks."""
    return await shop_products.get_variant(session, Scope.of(principal), variant_id)


@router.put("/{variant_id:uuid}/mapping", response_model=ShopVariantRead, responses=problems(404, 422))
async def map_shop_variant(
    variant_id: uuid.UUID,
    payload: MappingIn,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    principal: ProductsManager,
) -> ShopVariantRead:
    """Connect the variant to a catalog product: the attributes are checked against the product (422 names
    the attribute and its allowed values), the design files are checked in the background (`mapping.files`
    shows each result; the variant is `mapped` once all passed). Mapping it again replaces the mapping."""
    scope = Scope.of(principal)
    await service.connect(
        session, outbox, scope, variant_id, payload, allow_private=settings.allow_private_urls
    )
    return await shop_products.get_variant(session, scope, variant_id)


@router.delete(
    "/{variant_id:uuid}/mapping",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(404, 409),
)
async def unmap_shop_variant(
    variant_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: ProductsManager
) -> Response:
    """Remove the variant's mapping: its orders are held as `unmapped_item` until it is mapped again."""
    await service.unmap(session, outbox, Scope.of(principal), variant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{variant_id:uuid}/mapping/files/recheck",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ShopVariantRead,
    responses=problems(404, 409),
)
async def recheck_shop_variant_files(
    variant_id: uuid.UUID, session: SessionDep, principal: ProductsManager
) -> ShopVariantRead:
    """Check the mapping's design files again now (e.g. after fixing a file at its address)."""
    scope = Scope.of(principal)
    await service.recheck(session, scope, variant_id)
    return await shop_products.get_variant(session, scope, variant_id)
