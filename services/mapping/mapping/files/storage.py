"""Where the bytes of design files are kept, behind one small interface (`FileStore`): `LocalFileStore`
under the data directory (the default) and `S3FileStore` for any S3-compatible store (AWS S3, MinIO,
Ceph…), chosen by PRINTBRIDGE_FILES_STORAGE. The database row is the record of a file; a store only
holds bytes under a key, so both keep nothing else (docs/files.md)."""

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import quote

import httpx

from mapping.config import FilesStorage, Settings

CHUNK_BYTES = 1024 * 1024
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class StoredFileMissing(Exception):
    """The store has nothing under the key (deleted, or lost outside Printbridge)."""


class StoreUnavailable(Exception):
    """The store did not do what it was asked; the message says what it answered."""


class FileStore(Protocol):
    async def put(self, key: str, source: IO[bytes], *, size: int, sha256: str, content_type: str) -> None:
        """Keeps `size` bytes read from the start of `source` (whose SHA-256 is `sha256`) under `key`: all
        of them or, on any failure, none."""

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes under `key` in chunks; raises StoredFileMissing before the first chunk when there are
        none. The iterator must be read to its end or closed (`aclose`)."""

    async def delete(self, key: str) -> None:
        """Removes the bytes under `key`; a key with nothing under it is no error."""

    async def aclose(self) -> None: ...


def _read_chunks(source: IO[bytes]) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        # A spooled upload may be on disk: read it in a thread, never in the event loop.
        await asyncio.to_thread(source.seek, 0)
        while chunk := await asyncio.to_thread(source.read, CHUNK_BYTES):
            yield chunk

    return chunks()


class LocalFileStore:
    """Files under `root`, one per key. A file is written aside and renamed into place once complete and
    flushed to disk, so a reader never sees half a file and a crash leaves only a `.part` file behind."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key {key!r} leaves the store's directory")
        return path

    async def put(self, key: str, source: IO[bytes], *, size: int, sha256: str, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), source)

    @staticmethod
    def _write(path: Path, source: IO[bytes]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            source.seek(0)
            with open(draft, "wb") as target:
                while chunk := source.read(CHUNK_BYTES):
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            file = await asyncio.to_thread(open, self._path(key), "rb")
        except FileNotFoundError:
            raise StoredFileMissing(key) from None

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
                    yield chunk
            finally:
                file.close()

        return chunks()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def aclose(self) -> None:
        return None


class S3FileStore:
    """Objects in one bucket of an S3-compatible store, addressed path-style (`<endpoint>/<bucket>/<key>`,
    which AWS, MinIO and Ceph all take) and signed with AWS Signature Version 4. An upload is one PUT
    (S3 takes up to 5 GiB in one; our limit is 200 MiB) whose body's SHA-256 is signed, so the store
    refuses bytes that changed on the way. A download is streamed, never held whole."""

    def __init__(
        self,
        *,
        endpoint: str,
        bucket: str,
        region: str,
        access_key_id: str,
        secret_access_key: str,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.endpoint = httpx.URL(endpoint.rstrip("/"))
        self.bucket = bucket
        self.region = region
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.client = client or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))

    def _url(self, key: str) -> httpx.URL:
        path = self.endpoint.path.rstrip("/") + "/" + quote(self.bucket, safe="") + "/" + quote(key, safe="/")
        return self.endpoint.copy_with(path=path)

    def _signed(
        self,
        method: str,
        key: str,
        payload_sha256: str,
        headers: dict[str, str] | None = None,
        content: AsyncIterator[bytes] | None = None,
    ) -> httpx.Request:
        url = self._url(key)
        now = dt.datetime.now(dt.UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        all_headers = {
            **(headers or {}),
            "host": url.netloc.decode("ascii"),
            "x-amz-content-sha256": payload_sha256,
            "x-amz-date": amz_date,
        }
        authorization = sigv4_authorization(
            method=method,
            path=url.raw_path.decode("ascii").split("?")[0],
            headers=all_headers,
            payload_sha256=payload_sha256,
            amz_date=amz_date,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
        )
        # With a Content-Length given, httpx streams `content` as it is, not chunked.
        return self.client.build_request(
            method, url, headers={**all_headers, "authorization": authorization}, content=content
        )

    async def put(self, key: str, source: IO[bytes], *, size: int, sha256: str, content_type: str) -> None:
        headers = {"content-length": str(size), "content-type": content_type}
        request = self._signed("PUT", key, sha256, headers, content=_read_chunks(source))
        response = await self._send(request)
        await response.aclose()
        if response.status_code != 200:
            raise StoreUnavailable(f"the S3 store answered PUT with {response.status_code}")

    async def open(self, key: str) -> AsyncIterator[bytes]:
        response = await self._send(self._signed("GET", key, EMPTY_SHA256), stream=True)
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
            if response.status_code == 404:
                raise StoredFileMissing(key)
            raise StoreUnavailable(f"the S3 store answered GET with {response.status_code}")

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_raw(CHUNK_BYTES):
                    yield chunk
            finally:
                await response.aclose()

        return chunks()

    async def delete(self, key: str) -> None:
        response = await self._send(self._signed("DELETE", key, EMPTY_SHA256))
        # S3 answers 204 whether or not the object was there; some stores say 404 for a missing one.
        if response.status_code not in (200, 204, 404):
            raise StoreUnavailable(f"the S3 store answered DELETE with {response.status_code}")

    async def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        try:
            return await self.client.send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"the S3 store cannot be reached ({type(exc).__name__})") from exc

    async def aclose(self) -> None:
        await self.client.aclose()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def sigv4_authorization(
    *,
    method: str,
    path: str,
    headers: dict[str, str],
    payload_sha256: str,
    amz_date: str,
    region: str,
    access_key_id: str,
    secret_access_key: str,
) -> str:
    """The `Authorization` header of AWS Signature Version 4 for a request without a query string, every
    header in `headers` signed (names lower-case; `host`, `x-amz-date` and `x-amz-content-sha256` among
    them). `path` is already URI-encoded, as S3 expects it (each segment once)."""
    names = sorted(name.lower() for name in headers)
    values = {name.lower(): " ".join(value.strip().split()) for name, value in headers.items()}
    canonical_request = "\n".join(
        [
            method,
            path or "/",
            "",
            *(f"{name}:{values[name]}" for name in names),
            "",
            ";".join(names),
            payload_sha256,
        ]
    )
    date = amz_date[:8]
    scope = f"{date}/{region}/s3/aws4_request"
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret_access_key).encode(), date)
    for part in (region, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )


def file_store(settings: Settings) -> FileStore:
    """The store the settings choose."""
    if settings.files_storage is FilesStorage.s3:
        return S3FileStore(
            endpoint=settings.files_s3_endpoint,
            bucket=settings.files_s3_bucket,
            region=settings.files_s3_region,
            access_key_id=settings.files_s3_access_key_id,
            secret_access_key=settings.files_s3_secret_access_key.get_secret_value(),
        )
    return LocalFileStore(settings.data_dir / "files")
