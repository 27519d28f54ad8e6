import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from orders.deps import OrdersManager, OrdersReader, ReadSessionDep, SessionDep
from orders.imports import service
from orders.imports.columns import template_csv
from orders.imports.csvfile import UTF8_BOM
from orders.imports.schemas import OrderImport, OrderImportPage
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.errors import InvalidInput, field_errors
from printbridge_shared.openapi import file_upload
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["order imports"])

UPLOAD = file_upload(
    "The CSV file (UTF-8, `,` or `;`, up to 50 MB): a row per line item, the columns of the import template."
)


@router.get(
    "/v1/stores/{store_id}/orders/import-template.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The columns and one example row."}},
)
async def get_order_import_template(
    store_id: uuid.UUID, session: ReadSessionDep, principal: OrdersManager
) -> Response:
    """The CSV file to start an order import from: every column and one example row."""
    await service.visible_store(session, Scope.of(principal), store_id)
    return Response(
        UTF8_BOM + template_csv().encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="order-import-template.csv"'},
    )


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(service.CHUNK_BYTES):
        yield chunk


@router.post(
    "/v1/stores/{store_id}/orders/imports",
    status_code=202,
    response_model=OrderImport,
    openapi_extra={"requestBody": UPLOAD},
    responses={
        202: {"headers": {"Location": {"description": "The import's address.", "schema": {"type": "string"}}}}
    },
)
async def create_order_import(
    store_id: uuid.UUID,
    request: Request,
    response: Response,
    read_session: ReadSessionDep,
    session: SessionDep,
    principal: OrdersManager,
) -> OrderImport:
    """Accepts a CSV file of orders for a manual store and imports it in the background: 202 with the
    import, whose address (`Location`) shows its progress and the rows that failed."""
    store = await service.importable_store(read_session, Scope.of(principal), store_id)
    # Read only now, after the caller and the store were checked; the parser spools the file to disk.
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "send the CSV file as multipart/form-data in the field `file`",
                errors=field_errors("body", "file", msg="required: the CSV file", type="missing"),
            )
        record = await service.create_import(session, store, _chunks(upload), filename=upload.filename)
    response.headers["Location"] = f"/v1/order-imports/{record.id}"
    return service.to_read(record, [])


@router.get("/v1/stores/{store_id}/orders/imports", response_model=OrderImportPage)
async def list_order_imports(
    store_id: uuid.UUID,
    session: ReadSessionDep,
    principal: OrdersReader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> OrderImportPage:
    """A store's order imports, newest first (without their errors)."""
    return await service.list_imports(session, Scope.of(principal), store_id, cursor=cursor, limit=limit)


@router.get("/v1/order-imports/{import_id}", response_model=OrderImport)
async def get_order_import(
    import_id: uuid.UUID, session: ReadSessionDep, principal: OrdersReader
) -> OrderImport:
    """An import's status, progress and the first 1,000 errors (row, column, message)."""
    return await service.get(session, Scope.of(principal), import_id)
