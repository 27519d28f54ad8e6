import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from mapping.deps import OutboxDep, ProductsManager, ProductsReader, ReadSessionDep, SessionDep
from mapping.shop_product import service
from mapping.shop_product.schemas import (
    MappingStatus,
    ShopProductPage,
    ShopProductRead,
    SyncAccepted,
    SyncRequest,
)
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.fields import Text
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["shop products"])

Search = Annotated[Text | None, Query(max_length=200, description="Case-insensitive part of the title.")]
StatusFilter = Annotated[
    MappingStatus | None,
    Query(description="Only products with this mapping status (`inactive`: the shop does not sell them)."),
]


@router.get("/v1/stores/{store_id}/products", response_model=ShopProductPage, responses=problems(404))
async def list_store_products(
    store_id: uuid.UUID,
    session: ReadSessionDep,
    principal: ProductsReader,
    q: Search = None,
    status: StatusFilter = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ShopProductPage:
    """One store's products as last synced, by title, each with its variants and their mapping status."""
    scope = Scope.of(principal)
    await service.store_for(session, scope, store_id)
    return await service.list_products(
        session,
        scope,
        store_id=store_id,
        customer_id=None,
        query=q,
        status=status,
        cursor=cursor,
        limit=limit,
    )


@router.post(
    "/v1/stores/{store_id}/products/sync",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SyncAccepted,
    responses=problems(404, 409),
)
async def sync_store_products(
    store_id: uuid.UUID,
    session: SessionDep,
    outbox: OutboxDep,
    principal: ProductsManager,
    body: Annotated[SyncRequest | None, Body()] = None,
) -> SyncAccepted:
    """Have the store's products read from the shop again, in the background: the changes since the last
    sync, or with `full` every product (products the shop no longer has are then removed)."""
    full = body.full if body is not None else False
    return await service.request_sync(session, outbox, Scope.of(principal), store_id, full=full)


@router.get("/v1/shop-products", response_model=ShopProductPage)
async def list_shop_products(
    session: ReadSessionDep,
    principal: ProductsReader,
    store_id: Annotated[uuid.UUID | None, Query(description="Only this store's products.")] = None,
    customer_id: Annotated[
        uuid.UUID | None,
        Query(description="Operators: one customer's products. Customer users see their own."),
    ] = None,
    q: Search = None,
    status: StatusFilter = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ShopProductPage:
    """The products of every store the caller may see, by title (e.g. `?status=unmapped` for what still
    needs mapping, `?status=inactive` for the "missing products" case)."""
    return await service.list_products(
        session,
        Scope.of(principal),
        store_id=store_id,
        customer_id=customer_id,
        query=q,
        status=status,
        cursor=cursor,
        limit=limit,
    )


@router.get("/v1/shop-products/{product_id}", response_model=ShopProductRead, responses=problems(404))
async def get_shop_product(
    product_id: uuid.UUID, session: ReadSessionDep, principal: ProductsReader
) -> ShopProductRead:
    """One shop product with its variants, their mappings and design files' checks."""
    return await service.get_product(session, Scope.of(principal), product_id)
