import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.datastructures import UploadFile

from mapping.deps import (
    FileLinksDep,
    FileStoreDep,
    ProductsManager,
    ProductsReader,
    ReadSessionDep,
    SessionDep,
)
from mapping.files import service
from mapping.files.exceptions import FileNotFound, FileRequired, NotMultipart
from mapping.files.schemas import CONTENT_TYPES, DesignFile, DesignFilePage
from printbridge_shared.auth.dependencies import Requires, bearer, get_principal
from printbridge_shared.auth.permissions import Permission, Scope
from printbridge_shared.fields import Text
from printbridge_shared.openapi import file_upload, problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(prefix="/v1/files", tags=["files"])

UPLOAD = file_upload(
    "The design: PDF, PNG, JPEG, TIFF or SVG (told by its bytes), up to 200 MiB.",
    fields={
        "customer_id": {
            "type": "string",
            "format": "uuid",
            "description": "Whose file it is: required for operators; a customer user's files are always "
            "its own customer's.",
        }
    },
)


@router.post(
    "",
    status_code=201,
    response_model=DesignFile,
    openapi_extra={"requestBody": UPLOAD},
    responses={
        **problems(404, 413, 415, 503),
        201: {"headers": {"Location": {"description": "The file's address.", "schema": {"type": "string"}}}},
    },
)
async def upload_file(
    request: Request,
    response: Response,
    session: SessionDep,
    store: FileStoreDep,
    links: FileLinksDep,
    principal: ProductsManager,
) -> DesignFile:
    """Uploads a design file (multipart field `file`); it is kept as sent and answered with its `url`,
    which production and the print-file checker fetch without a token."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        raise NotMultipart(media_type)
    # Read only now, after the caller was checked; the parser spools the file to disk, never whole in memory.
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise FileRequired()
        customer_field = form.get("customer_id")
        customer_id = service.owner(principal, customer_field if isinstance(customer_field, str) else None)
        file = await service.upload(
            session, store, principal, upload.file, customer_id=customer_id, filename=upload.filename
        )
    response.headers["Location"] = f"{router.prefix}/{file.id}"
    return service.to_read(file, links)


@router.get("", response_model=DesignFilePage)
async def list_files(
    session: ReadSessionDep,
    links: FileLinksDep,
    principal: ProductsReader,
    customer_id: Annotated[
        uuid.UUID | None, Query(description="Only this customer's files (operators; others see their own).")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DesignFilePage:
    """Design files, newest first: a customer user's own customer's, every customer's for operators."""
    return await service.list_files(
        session, Scope.of(principal), links, customer_id=customer_id, cursor=cursor, limit=limit
    )


@router.get("/{file_id}", response_model=DesignFile)
async def get_file(
    file_id: uuid.UUID, session: ReadSessionDep, links: FileLinksDep, principal: ProductsReader
) -> DesignFile:
    """One design file's metadata and download `url`."""
    return service.to_read(await service.get(session, Scope.of(principal), file_id), links)


@router.delete("/{file_id}", status_code=204, response_class=Response, responses=problems(503))
async def delete_file(
    file_id: uuid.UUID, session: SessionDep, store: FileStoreDep, principal: ProductsManager
) -> Response:
    """Deletes the file and its content; its `url` stops working."""
    await service.delete(session, store, Scope.of(principal), file_id)
    return Response(status_code=204)


def _disposition(filename: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _download_scope(
    file_id: uuid.UUID,
    request: Request,
    links: FileLinksDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    sig: Annotated[
        Text | None,
        Query(max_length=100, description="The signature of the file's `url`: with it no token is needed."),
    ] = None,
) -> Scope | None:
    """None when the request carries the file's own signature, which alone grants the download (a wrong
    one is 404, token or not); else the scope of a caller with products:read (401/403 otherwise)."""
    if sig is not None:
        if not links.verify(file_id, sig):
            raise FileNotFound(file_id)
        return None
    return Scope.of(await Requires(Permission.products_read)(await get_principal(request, credentials)))


@router.get(
    "/{file_id}/content",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file's bytes, as uploaded.",
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in CONTENT_TYPES.values()
            },
        },
        **problems(503),
    },
)
async def download_file(
    file_id: uuid.UUID,
    session: ReadSessionDep,
    store: FileStoreDep,
    scope: Annotated[Scope | None, Depends(_download_scope)],
) -> StreamingResponse:
    """The file's bytes. With the `sig` of its `url` anyone may fetch it (an altered or another file's
    signature answers 404); without one, a token with products:read of the file's customer is needed."""
    content = await service.open_content(session, store, scope, file_id)
    file = content.file
    return StreamingResponse(
        content.chunks,
        media_type=file.content_type,
        headers={
            "Content-Length": str(file.size),
            "Content-Disposition": _disposition(file.filename),
            "ETag": f'"{file.sha256}"',
            # An SVG opened from this address must not run scripts on Printbridge's origin.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )
