from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from mapping.catalog import service
from mapping.catalog.schemas import (
    Product,
    ProductCreate,
    ProductPage,
    ProductStatus,
    ProductType,
    ProductUpdate,
)
from mapping.deps import CurrentPrincipal, OperatorPrincipal, OutboxDep, ReadSessionDep, SessionDep
from printbridge_shared.fields import ProductUid, Text
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(prefix="/v1/catalog/products", tags=["catalog"])

ProductUidPath = Annotated[ProductUid, Path(description="The product's `product_uid`.")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Product, responses=problems(409))
async def create_catalog_product(
    payload: ProductCreate,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    _principal: OperatorPrincipal,
) -> Product:
    """Add a product the producer can make; its `product_uid` stays its own for good."""
    product = service.to_read(await service.create(session, outbox, payload))
    response.headers["Location"] = f"{router.prefix}/{product.product_uid}"
    return product


@router.get("", response_model=ProductPage)
async def list_catalog_products(
    session: ReadSessionDep,
    _principal: CurrentPrincipal,
    q: Annotated[
        Text | None, Query(max_length=200, description="Case-insensitive part of the name or product_uid.")
    ] = None,
    type: Annotated[ProductType | None, Query(description="Only products of this type.")] = None,
    status: Annotated[ProductStatus | None, Query(description="Only active or only retired ones.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ProductPage:
    """The catalog by name, active and retired unless `status` says which."""
    return await service.list_products(session, query=q, type=type, status=status, cursor=cursor, limit=limit)


@router.get("/{product_uid}", response_model=Product)
async def get_catalog_product(
    product_uid: ProductUidPath, session: ReadSessionDep, _principal: CurrentPrincipal
) -> Product:
    """One product, active or retired."""
    return service.to_read(await service.get(session, product_uid))


@router.patch("/{product_uid}", response_model=Product)
async def update_catalog_product(
    product_uid: ProductUidPath,
    payload: ProductUpdate,
    session: SessionDep,
    outbox: OutboxDep,
    _principal: OperatorPrincipal,
) -> Product:
    """Change name, type, attributes or print areas; only the fields sent change (a list is replaced
    whole). A retired product may be changed too."""
    return service.to_read(await service.update(session, outbox, product_uid, payload))


@router.post("/{product_uid}/retire", response_model=Product)
async def retire_catalog_product(
    product_uid: ProductUidPath, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> Product:
    """Retire the product: it is no longer offered; mappings that use it need attention. Products are
    never deleted (orders and mappings name them)."""
    return service.to_read(await service.set_status(session, outbox, product_uid, ProductStatus.retired))


@router.post("/{product_uid}/reactivate", response_model=Product)
async def reactivate_catalog_product(
    product_uid: ProductUidPath, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> Product:
    """Offer a retired product again."""
    return service.to_read(await service.set_status(session, outbox, product_uid, ProductStatus.active))
