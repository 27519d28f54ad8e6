import uuid

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from mapping.deps import ProductsManager, ProductsReader, ReadSessionDep, SessionDep
from mapping.product_import import service
from mapping.product_import.exceptions import FileRequired, UnsupportedImportType
from mapping.product_import.schemas import ProductImportPage, ProductImportRead
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.openapi import file_upload, problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["shop products"])

CSV_TYPES = ("text/csv", "application/csv")
UPLOAD = file_upload(
    "The CSV file (UTF-8, `,` or `;`, up to 20 MiB): a row per variant, the columns of the export.",
    raw="text/csv",
)


@router.get(
    "/v1/stores/{store_id}/products/export.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "One row per variant."},
        **problems(404),
    },
)
async def export_store_products_csv(
    store_id: uuid.UUID, session: ReadSessionDep, principal: ProductsReader
) -> Response:
    """The store's variants as CSV, one row each with the shop's ids, title, SKU, options and mapping
    status, filled with its mapping (`product_uid`, `design_file_url`, `attr:<name>`, `file:<area>`):
    fill it in and import it again."""
    body = await service.export_csv(session, Scope.of(principal), store_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="products-{store_id}.csv"'},
    )


@router.post(
    "/v1/stores/{store_id}/products/import",
    status_code=202,
    response_model=ProductImportRead,
    openapi_extra={"requestBody": UPLOAD},
    responses={
        **problems(404, 415, 422),
        202: {
            "headers": {"Location": {"description": "The import's address.", "schema": {"type": "string"}}}
        },
    },
)
async def import_store_products(
    store_id: uuid.UUID, request: Request, response: Response, session: SessionDep, principal: ProductsManager
) -> ProductImportRead:
    """Maps the store's variants from a CSV file (the export's columns) in the background: 202 with the
    import, whose address (`Location`) shows its progress and the rows that failed. Good rows apply, bad
    rows are reported; the same file twice changes nothing."""
    store = await service.importable_store(session, Scope.of(principal), store_id)
    # Read only now, after the caller and the store were checked.
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise FileRequired()
            filename = upload.filename
            body = await upload.read()
    elif media_type in CSV_TYPES:
        filename, body = None, await request.body()
    else:
        raise UnsupportedImportType(media_type)
    record = await service.create_import(session, store, body, filename=filename)
    response.headers["Location"] = f"/v1/product-imports/{record.id}"
    return service.to_read(record, [])


@router.get(
    "/v1/stores/{store_id}/products/imports", response_model=ProductImportPage, responses=problems(404)
)
async def list_product_imports(
    store_id: uuid.UUID,
    session: ReadSessionDep,
    principal: ProductsReader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ProductImportPage:
    """A store's CSV mapping imports, newest first (without their errors)."""
    return await service.list_imports(session, Scope.of(principal), store_id, cursor=cursor, limit=limit)


@router.get("/v1/product-imports/{import_id}", response_model=ProductImportRead, responses=problems(404))
async def get_product_import(
    import_id: uuid.UUID, session: ReadSessionDep, principal: ProductsReader
) -> ProductImportRead:
    """An import's status, progress and its first 1,000 errors (row, column, message)."""
    return await service.get(session, Scope.of(principal), import_id)
