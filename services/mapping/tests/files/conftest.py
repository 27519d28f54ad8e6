"""What the design-file tests share: the mapping app on either file store (`storage`: local by default; a
test parametrizes it to run on both), an S3 store that is a real, independent S3 implementation (moto in
server mode, in its own process, verifying every request's SigV4 signature against IAM credentials it
issued), small files of each print format, and an upload helper."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mapping.config import Settings
from mapping.main import create_app
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, bearer, free_port

FILES = "/v1/files"
PUBLIC_URL = "https://print.example.com"
# Four requests without credentials let the fixture create a user, its policy, its key and the bucket;
# every later request must carry a valid signature of that user's key.
SETUP_REQUESTS = 4
ALLOW_S3 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02\x00\x00\x00"
    + b"\0" * 64
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\0" * 64
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\0" * 64
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm"></svg>\n'
HTML = b"<!DOCTYPE html><html><head><title>My design</title></head><body>hi</body></html>"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    region: str
    access_key_id: str
    secret_access_key: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server on a free port, with IAM authentication on, a user allowed s3:* and a bucket."""
    import boto3

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_REQUESTS)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto's server did not start (see {log.name})") from None
                time.sleep(0.1)
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName="printbridge")
        iam.put_user_policy(UserName="printbridge", PolicyName="s3", PolicyDocument=ALLOW_S3)
        key = iam.create_access_key(UserName="printbridge")["AccessKey"]
        server = S3Server(endpoint, "designs", "eu-central-1", key["AccessKeyId"], key["SecretAccessKey"])
        server.client().create_bucket(
            Bucket=server.bucket, CreateBucketConfiguration={"LocationConstraint": server.region}
        )
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def storage() -> str:
    """The file store the app uses; `@pytest.mark.parametrize("storage", ["local", "s3"])` runs a test on
    both."""
    return "local"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, storage: str, request: pytest.FixtureRequest) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": tmp_path,
        "log_json": False,
        "public_url": PUBLIC_URL,
        "files_storage": storage,
    }
    if storage == "s3":
        s3: S3Server = request.getfixturevalue("s3_server")
        values |= {
            "files_s3_endpoint": s3.endpoint,
            "files_s3_bucket": s3.bucket,
            "files_s3_region": s3.region,
            "files_s3_access_key_id": s3.access_key_id,
            "files_s3_secret_access_key": s3.secret_access_key,
        }
    return Settings(**values)


@pytest.fixture
def app(settings: Settings, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
def customer_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def user(auth: AuthKeys, customer_id: uuid.UUID) -> Any:
    """Headers of a user of `customer_id` with a role (admin by default)."""

    def headers(role: str = "admin", customer: uuid.UUID | None = None) -> dict[str, str]:
        stores = [uuid.uuid4()] if role == "store_manager" else None
        return bearer(
            auth.customer_user_token(customer_id=customer or customer_id, role=role, store_ids=stores)
        )

    return headers


@pytest.fixture
def upload(client: httpx.AsyncClient) -> Any:
    async def post(
        headers: dict[str, str],
        content: bytes = PDF,
        filename: str = "design.pdf",
        data: dict[str, str] | None = None,
    ) -> httpx.Response:
        files = {"file": (filename, content, "application/octet-stream")}
        return await client.post(FILES, files=files, data=data or {}, headers=headers)

    return post
