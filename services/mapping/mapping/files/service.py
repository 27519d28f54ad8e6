"""Design files: an upload is checked by its bytes (a print format, not empty, within the limit), kept in
the file store, then recorded; reads and deletes stay in the caller's scope. The store is written before
the row, so a recorded file always has its bytes; a failure between the two removes the bytes again."""

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from mapping.files.exceptions import (
    CustomerRequired,
    FileContentMissing,
    FileEmpty,
    FileFormatRefused,
    FileNotFound,
    FileStoreUnavailable,
    FileTooLarge,
    InvalidCustomerId,
)
from mapping.files.links import FileLinks
from mapping.files.repository import FileRepository
from mapping.files.schemas import CONTENT_TYPES, DesignFile, DesignFilePage
from mapping.files.storage import CHUNK_BYTES, FileStore, StoredFileMissing, StoreUnavailable
from mapping.models import UploadedFile
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import utcnow
from printbridge_shared.errors import NotFound
from printbridge_shared.fields import UNSTORABLE
from printbridge_shared.pagination import (
    decode_time_position,
    encode_position,
)
from printbridge_shared.printfiles.checker import format_name
from printbridge_shared.printfiles.formats import HEAD_BYTES, SUPPORTED, UnreadableFile, measure, sniff
from printbridge_shared.routes import FILE_UPLOAD_MAX_BYTES

MAX_FILENAME = 255


@dataclass(frozen=True)
class Content:
    """A file's bytes on their way out: `chunks` must be read to the end or closed."""

    file: UploadedFile
    chunks: AsyncIterator[bytes]


def to_read(file: UploadedFile, links: FileLinks) -> DesignFile:
    return DesignFile(
        id=file.id,
        customer_id=file.customer_id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        format=file.format,
        created_at=file.created_at,
        created_by=file.created_by,
        url=links.content_url(file.id),
    )


def owner(principal: Principal, customer_id: str | None) -> uuid.UUID:
    """Whose the upload is: the named customer for an operator (who must name one), the caller's own
    customer for a customer user (naming another customer is naming something it cannot see: 404)."""
    wanted = None
    if customer_id is not None and customer_id.strip():
        try:
            wanted = uuid.UUID(customer_id.strip())
        except ValueError:
            raise InvalidCustomerId(customer_id) from None
    if principal.is_operator:
        if wanted is None:
            raise CustomerRequired()
        return wanted
    own = principal.customer_id
    if own is None:
        raise NotFound("No customer.")
    if wanted is not None and wanted != own:
        raise NotFound(f"No customer with id {wanted}.")
    return own


def _digest(source: IO[bytes]) -> tuple[int, str, bytes]:
    """Size, hex SHA-256 and the head of the file, in one pass over it (run in a thread)."""
    source.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := source.read(CHUNK_BYTES):
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
        if size > FILE_UPLOAD_MAX_BYTES:
            break
    return size, digest.hexdigest(), head


def _print_format(source: IO[bytes], head: bytes) -> str:
    """The file's print format by its bytes; an XML file is an SVG only when its root element is one (read
    with the checker's safe parser, which also wants the SVG's size in absolute units)."""
    format = sniff(head)
    if format == "xml":
        try:
            return measure(source, "xml").format
        except UnreadableFile as exc:
            raise FileFormatRefused(str(exc), exc.fix, format="xml") from None
    if format not in SUPPORTED:
        raise FileFormatRefused(
            f"the file is {format_name(format)}, not a print file",
            "upload the design as PDF, PNG, JPEG, TIFF or SVG",
            format=format,
        )
    return format


def _storable_name(filename: str | None, format: str) -> str:
    name = UNSTORABLE.sub("", filename or "").strip()
    return name[-MAX_FILENAME:] or f"design.{format}"


async def upload(
    session: AsyncSession,
    store: FileStore,
    principal: Principal,
    source: IO[bytes],
    *,
    customer_id: uuid.UUID,
    filename: str | None,
) -> UploadedFile:
    size, sha256, head = await asyncio.to_thread(_digest, source)
    if size == 0:
        raise FileEmpty()
    if size > FILE_UPLOAD_MAX_BYTES:
        raise FileTooLarge(FILE_UPLOAD_MAX_BYTES)
    format = await asyncio.to_thread(_print_format, source, head)
    file_id = uuid.uuid4()
    file = UploadedFile(
        id=file_id,
        customer_id=customer_id,
        filename=_storable_name(filename, format),
        content_type=CONTENT_TYPES[format],
        size=size,
        sha256=sha256,
        format=format,
        storage_key=f"files/{customer_id}/{file_id}",
        created_at=utcnow(),
        created_by=principal.subject_id,
    )
    try:
        await store.put(file.storage_key, source, size=size, sha256=sha256, content_type=file.content_type)
    except StoreUnavailable as exc:
        raise FileStoreUnavailable(str(exc)) from exc
    try:
        FileRepository(session).add(file)
        await session.flush()
    except BaseException:
        with contextlib.suppress(StoreUnavailable):
            await store.delete(file.storage_key)
        raise
    return file


async def get(session: AsyncSession, scope: Scope, file_id: uuid.UUID) -> UploadedFile:
    file = await FileRepository(session).get(scope, file_id)
    if file is None:
        raise FileNotFound(file_id)
    return file


async def list_files(
    session: AsyncSession,
    scope: Scope,
    links: FileLinks,
    *,
    customer_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> DesignFilePage:
    rows = await FileRepository(session).list(
        scope, customer_id=customer_id, before=decode_time_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return DesignFilePage(items=[to_read(file, links) for file in items], next_cursor=next_cursor)


async def delete(session: AsyncSession, store: FileStore, scope: Scope, file_id: uuid.UUID) -> None:
    """Removes the record, then the bytes: when the store fails, the whole delete is undone (the caller
    may try again) rather than leaving a record without bytes or bytes nobody can reach."""
    file = await get(session, scope, file_id)
    if not await FileRepository(session).remove(file.id):
        raise FileNotFound(file_id)
    try:
        await store.delete(file.storage_key)
    except StoreUnavailable as exc:
        raise FileStoreUnavailable(str(exc)) from exc


async def open_content(
    session: AsyncSession, store: FileStore, scope: Scope | None, file_id: uuid.UUID
) -> Content:
    """The file's bytes; `scope` None for a download whose signed address was checked already."""
    repository = FileRepository(session)
    file = await (repository.get_any(file_id) if scope is None else repository.get(scope, file_id))
    if file is None:
        raise FileNotFound(file_id)
    try:
        chunks = await store.open(file.storage_key)
    except StoredFileMissing:
        raise FileContentMissing(file_id) from None
    except StoreUnavailable as exc:
        raise FileStoreUnavailable(str(exc)) from exc
    return Content(file=file, chunks=chunks)
