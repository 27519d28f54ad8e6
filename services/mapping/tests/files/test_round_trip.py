"""An upload is kept byte for byte, on either file store and either database: its metadata, its signed
`url` (fetched without a token), the bytes in the store itself, and a delete that removes both."""

import hashlib
import uuid
from pathlib import Path

import pytest

from .conftest import FILES, JPEG, PDF, PNG, PUBLIC_URL, SVG, TIFF


def stored_bytes(app, key: str, storage: str, request) -> bytes | None:
    """What the store itself holds under `key`, read past Printbridge (the file, or the S3 object)."""
    if storage == "local":
        path = Path(app.state.settings.data_dir) / "files" / key
        return path.read_bytes() if path.exists() else None
    s3 = request.getfixturevalue("s3_server")
    try:
        return s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    except s3.client().exceptions.NoSuchKey:
        return None


@pytest.mark.parametrize("storage", ["local", "s3"])
async def test_an_upload_is_stored_as_sent_and_downloads_by_its_url_without_a_token(
    app, client, upload, user, customer_id, storage, request
):
    content = PDF * 300  # about 3 MB: several chunks on the way in and out
    response = await upload(user(), content, filename="Flyer front.pdf")

    assert response.status_code == 201, response.text
    body = response.json()
    file_id = uuid.UUID(body["id"])
    assert response.headers["location"] == f"{FILES}/{file_id}"
    assert {k: body[k] for k in ("customer_id", "filename", "content_type", "size", "sha256", "format")} == {
        "customer_id": str(customer_id),
        "filename": "Flyer front.pdf",
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "format": "pdf",
    }
    assert body["url"].startswith(f"{PUBLIC_URL}/v1/files/{file_id}/content?sig=")
    key = f"files/{customer_id}/{file_id}"
    assert stored_bytes(app, key, storage, request) == content

    download = await client.get(body["url"].removeprefix(PUBLIC_URL))
    assert download.status_code == 200
    assert download.content == content
    assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-length"] == str(len(content))
    assert download.headers["etag"] == f'"{body["sha256"]}"'

    assert (await client.get(f"{FILES}/{file_id}", headers=user("viewer"))).json() == body


@pytest.mark.parametrize("storage", ["local", "s3"])
async def test_deleting_a_file_removes_its_record_its_bytes_and_its_url(
    app, client, upload, user, customer_id, storage, request
):
    body = (await upload(user())).json()
    key = f"files/{customer_id}/{body['id']}"

    response = await client.delete(f"{FILES}/{body['id']}", headers=user("store_manager"))

    assert response.status_code == 204, response.text
    assert stored_bytes(app, key, storage, request) is None
    assert (await client.get(f"{FILES}/{body['id']}", headers=user())).status_code == 404
    gone = await client.get(body["url"].removeprefix(PUBLIC_URL))
    assert (gone.status_code, gone.json()["type"].rsplit("/", 1)[1]) == (404, "file-not-found")
    assert (await client.delete(f"{FILES}/{body['id']}", headers=user())).status_code == 404


@pytest.mark.parametrize(
    ("content", "format", "content_type"),
    [
        (PDF, "pdf", "application/pdf"),
        (PNG, "png", "image/png"),
        (JPEG, "jpeg", "image/jpeg"),
        (TIFF, "tiff", "image/tiff"),
        (SVG, "svg", "image/svg+xml"),
        (b"\xef\xbb\xbf" + SVG, "svg", "image/svg+xml"),
    ],
)
async def test_each_print_format_is_told_by_its_bytes_whatever_the_name_and_declared_type(
    client, upload, user, content, format, content_type
):
    response = await upload(user(), content, filename="design.bin")

    assert response.status_code == 201, response.text
    assert (response.json()["format"], response.json()["content_type"]) == (format, content_type)
    download = await client.get(f"{FILES}/{response.json()['id']}/content", headers=user())
    assert (download.headers["content-type"].split(";")[0], download.content) == (content_type, content)


async def test_an_svg_download_cannot_run_scripts_on_our_origin(client, upload, user):
    body = (await upload(user(), SVG, filename="logo.svg")).json()

    download = await client.get(body["url"].removeprefix(PUBLIC_URL))

    assert "sandbox" in download.headers["content-security-policy"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_the_list_shows_the_callers_files_newest_first_page_by_page(client, upload, user, auth):
    ids = [(await upload(user(), PDF, filename=f"{n}.pdf")).json()["id"] for n in range(3)]
    other = (await upload(user(customer=uuid.uuid4()))).json()["id"]

    first = (await client.get(FILES, params={"limit": 2}, headers=user("viewer"))).json()
    second = (
        await client.get(FILES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=user("viewer"))
    ).json()

    assert [f["id"] for f in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert other not in [f["id"] for f in first["items"] + second["items"]]


async def test_operators_list_every_customers_files_or_one_customers(
    client, upload, user, operator, customer_id
):
    mine = (await upload(user())).json()["id"]
    theirs = (await upload(user(customer=uuid.uuid4()))).json()["id"]

    everyone = (await client.get(FILES, headers=operator)).json()["items"]
    one = (await client.get(FILES, params={"customer_id": str(customer_id)}, headers=operator)).json()[
        "items"
    ]

    assert {f["id"] for f in everyone} == {mine, theirs}
    assert [f["id"] for f in one] == [mine]


async def test_an_operator_uploads_for_the_customer_it_names(client, upload, operator):
    customer = uuid.uuid4()

    response = await upload(operator, data={"customer_id": str(customer)})

    assert response.status_code == 201, response.text
    assert response.json()["customer_id"] == str(customer)


async def test_a_bad_cursor_is_refused_with_422(client, user):
    response = await client.get(FILES, params={"cursor": "bm9wZQ"}, headers=user())
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["query", "cursor"])
