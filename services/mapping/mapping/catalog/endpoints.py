import json
import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from starlette.convertors import Convertor, register_url_convertor

from mapping.catalog import csv_format, service, transfer
from mapping.catalog.exceptions import UnsupportedImportType
from mapping.catalog.schemas import (
    RESERVED_UIDS,
    Product,
    ProductCreate,
    ProductImport,
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


class _ProductUidSegment(Convertor[str]):
    """A product's path segment, never the export's or import's: `/export.json` is then only the export,
    for every method (a PATCH there is 405, not a product that cannot exist)."""

    regex = rf"(?!(?:{'|'.join(re.escape(uid) for uid in sorted(RESERVED_UIDS))})(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("product_uid", _ProductUidSegment())
ProductUidPath = Annotated[ProductUid, Path(description="The product's `product_uid`.")]
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ProductImport"}}
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/export.json", response_model=list[ProductImport])
async def export_catalog_json(session: ReadSessionDep, _principal: CurrentPrincipal) -> Response:
    """The whole catalog as a JSON array by uid, in the format the import takes."""
    products = await transfer.export_products(session)
    return Response(
        json.dumps(products, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="catalog.json"'},
    )


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def export_catalog_csv(session: ReadSessionDep, _principal: CurrentPrincipal) -> Response:
    """The whole catalog as CSV (UTF-8), one row a product, in the format the import takes."""
    return Response(
        csv_format.write(await transfer.export_products(session)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalog.csv"'},
    )


@router.post(
    "/import", response_model=transfer.ImportResult, responses=problems(415), openapi_extra=IMPORT_BODY
)
async def import_catalog(
    request: Request, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> transfer.ImportResult:
    """Create or change products by `product_uid` from a CSV file (up to 10,000) or a JSON array (within
    the API's limit of 10,000 JSON members). A row with an error changes nothing and is listed in
    `errors`; the other rows are applied."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json":
        rows = transfer.read_json(await request.body())
    elif media_type in ("text/csv", "application/csv"):
        rows = csv_format.read(await request.body())
    else:
        raise UnsupportedImportType(
            f"send the products as application/json (an array) or text/csv, not '{media_type or 'nothing'}'"
        )
    return await transfer.import_rows(session, outbox, rows)


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


@router.get("/{product_uid:product_uid}", response_model=Product)
async def get_catalog_product(
    product_uid: ProductUidPath, session: ReadSessionDep, _principal: CurrentPrincipal
) -> Product:
    """One product, active or retired."""
    return service.to_read(await service.get(session, product_uid))


@router.patch("/{product_uid:product_uid}", response_model=Product)
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


@router.post("/{product_uid:product_uid}/retire", response_model=Product)
async def retire_catalog_product(
    product_uid: ProductUidPath, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> Product:
    """Retire the product: it is no longer offered; mappings that use it need attention. Products are
    never deleted (orders and mappings name them)."""
    return service.to_read(await service.set_status(session, outbox, product_uid, ProductStatus.retired))


@router.post("/{product_uid:product_uid}/reactivate", response_model=Product)
async def reactivate_catalog_product(
    product_uid: ProductUidPath, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> Product:
    """Offer a retired product again."""
    return service.to_read(await service.set_status(session, outbox, product_uid, ProductStatus.active))
