"""The file stores themselves: SigV4 as AWS documents it, the S3 store against moto's S3 server (which
checks every signature), and the local store's all-or-nothing writes."""

import hashlib
import io
from pathlib import Path

import pytest

from mapping.config import Settings
from mapping.files.storage import (
    LocalFileStore,
    S3FileStore,
    StoredFileMissing,
    StoreUnavailable,
    sigv4_authorization,
)

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_signature_is_aws_documented_example_for_get_object():
    # "Signature Calculations for the Authorization Header", Amazon S3 API Reference: GET Object example.
    authorization = sigv4_authorization(
        method="GET",
        path="/test.txt",
        headers={
            "Host": "examplebucket.s3.amazonaws.com",
            "Range": "bytes=0-9",
            "x-amz-content-sha256": EMPTY,
            "x-amz-date": "20130524T000000Z",
        },
        payload_sha256=EMPTY,
        amz_date="20130524T000000Z",
        region="us-east-1",
        access_key_id="AKIAIOSFODNN7EXAMPLE",
        secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    assert authorization == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def s3_store(s3_server, **changes) -> S3FileStore:
    values = {
        "endpoint": s3_server.endpoint,
        "bucket": s3_server.bucket,
        "region": s3_server.region,
        "access_key_id": s3_server.access_key_id,
        "secret_access_key": s3_server.secret_access_key,
    } | changes
    return S3FileStore(**values)


async def put(store, key: str, content: bytes) -> None:
    sha256 = hashlib.sha256(content).hexdigest()
    await store.put(
        key, io.BytesIO(content), size=len(content), sha256=sha256, content_type="application/pdf"
    )


async def read(store, key: str) -> bytes:
    return b"".join([chunk async for chunk in await store.open(key)])


async def test_the_s3_store_puts_streams_and_deletes_objects(s3_server):
    store = s3_store(s3_server)
    content = b"%PDF-1.7 " + bytes(range(256)) * 12_000  # 3 MB: more than one chunk
    try:
        await put(store, "files/c/1 (copy)", content)
        assert await read(store, "files/c/1 (copy)") == content
        head = s3_server.client().head_object(Bucket=s3_server.bucket, Key="files/c/1 (copy)")
        assert (head["ContentLength"], head["ContentType"]) == (len(content), "application/pdf")

        await store.delete("files/c/1 (copy)")
        with pytest.raises(StoredFileMissing):
            await store.open("files/c/1 (copy)")
        await store.delete("files/c/1 (copy)")  # nothing there: no error
    finally:
        await store.aclose()


async def test_the_s3_store_is_refused_with_a_wrong_secret_and_says_so(s3_server):
    store = s3_store(s3_server, secret_access_key="not-the-secret")
    try:
        with pytest.raises(StoreUnavailable, match="403"):
            await put(store, "files/c/2", b"%PDF-1.7")
        with pytest.raises(StoreUnavailable, match="403"):
            await store.open("files/c/2")
    finally:
        await store.aclose()


async def test_an_unreachable_s3_store_is_unavailable_not_a_crash(s3_server):
    from printbridge_shared.testing import free_port

    store = s3_store(s3_server, endpoint=f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            await put(store, "files/c/3", b"%PDF-1.7")
    finally:
        await store.aclose()


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


async def test_the_local_store_leaves_nothing_behind_when_a_write_fails(tmp_path: Path):
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("disk gone")
            return super().read(4)

    store = LocalFileStore(tmp_path)
    with pytest.raises(OSError):
        await store.put("files/c/4", Broken(b"%PDF-1.7 and more"), size=17, sha256="x", content_type="x")
    assert files_under(tmp_path) == []
    with pytest.raises(StoredFileMissing):
        await store.open("files/c/4")


async def test_the_local_store_refuses_a_key_outside_its_directory(tmp_path: Path):
    with pytest.raises(ValueError, match="leaves"):
        await LocalFileStore(tmp_path / "files").open("../secret_keys")


def test_s3_storage_needs_its_settings_named():
    named = r"needs PRINTBRIDGE_FILES_S3_ENDPOINT, PRINTBRIDGE_FILES_S3_BUCKET set"
    with pytest.raises(ValueError, match=named):
        Settings(files_storage="s3", files_s3_access_key_id="a", files_s3_secret_access_key="b")
