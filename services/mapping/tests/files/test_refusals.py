"""Uploads that are refused, each with a problem+json that names the field and the fix, and nothing
stored: no file part, an empty file, what is not a print file (named as what it is), a body over the
limit, a request that is not multipart, an operator without a customer."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from printbridge_shared.routes import FILE_UPLOAD_MAX_BYTES

from .conftest import FILES, HTML, PDF

PROBLEM = "application/problem+json"


def nothing_stored(app) -> bool:
    root = Path(app.state.settings.data_dir) / "files"
    return not root.exists() or not any(path.is_file() for path in root.rglob("*"))


async def listed(client, headers) -> list:
    return (await client.get(FILES, headers=headers)).json()["items"]


async def test_a_form_without_a_file_part_is_refused_naming_the_field(app, client, user):
    response = await client.post(FILES, data={"other": "x"}, files={"x": ("a", b"")}, headers=user())
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert response.json()["errors"][0]["loc"] == ["body", "file"]
    assert "field `file`" in response.json()["detail"]
    assert nothing_stored(app) and await listed(client, user()) == []


async def test_an_empty_file_is_refused(app, client, upload, user):
    response = await upload(user(), b"")
    assert (response.status_code, response.json()["type"].rsplit("/", 1)[1]) == (422, "file-empty")
    assert response.json()["errors"][0]["loc"] == ["body", "file"]
    assert nothing_stored(app) and await listed(client, user()) == []


@pytest.mark.parametrize(
    ("content", "named", "format"),
    [
        (HTML, "a web page (HTML)", "html"),
        (b"GIF89a" + b"\0" * 32, "a GIF file", "gif"),
        (b"PK\x03\x04" + b"\0" * 32, "a ZIP file", "zip"),
        (b"just some words\n", "plain text", "text"),
    ],
)
async def test_what_is_not_a_print_file_is_refused_naming_what_it_is(
    app, client, upload, user, content, named, format
):
    response = await upload(user(), content, filename="design.pdf")

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    body = response.json()
    assert body["type"].endswith("/file-format")
    assert body["format"] == format
    assert f"the file is {named}, not a print file" in body["detail"]
    assert "PDF, PNG, JPEG, TIFF or SVG" in body["detail"]
    assert body["errors"][0] | {"msg": None} == {"loc": ["body", "file"], "msg": None, "type": "file_format"}
    assert nothing_stored(app) and await listed(client, user()) == []


async def test_xml_that_is_not_an_svg_is_refused_naming_its_root(app, client, upload, user):
    response = await upload(user(), b'<?xml version="1.0"?><invoice><total>3</total></invoice>')
    assert response.status_code == 422
    assert "<invoice> root, not an SVG" in response.json()["detail"]
    assert nothing_stored(app)


async def test_an_svg_with_a_doctype_is_refused_unread(app, upload, user):
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg width="1mm" height="1mm">&a;</svg>'
    response = await upload(user(), bomb)
    assert (response.status_code, response.json()["type"].rsplit("/", 1)[1]) == (422, "file-format")
    assert nothing_stored(app)


async def test_a_body_over_200_mib_is_refused_with_413_before_it_is_read(client, user):
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        sent += 1
        yield b"x"

    headers = {
        **user(),
        "Content-Length": str(FILE_UPLOAD_MAX_BYTES + 1),
        "Content-Type": "multipart/form-data; boundary=x",
    }
    response = await client.post(FILES, content=body(), headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM)
    assert str(FILE_UPLOAD_MAX_BYTES) in response.json()["detail"]
    assert sent == 0


async def test_a_body_under_the_limit_of_the_route_passes_the_services_default_limit(
    app, client, upload, user
):
    # 2 MiB: over PRINTBRIDGE_MAX_BODY_BYTES (1 MiB), within the route's own limit.
    response = await upload(user(), b"%PDF-1.7\n" + b"\0" * (2 * 1024 * 1024))
    assert response.status_code == 201, response.text


async def test_a_request_that_is_not_multipart_is_refused_with_415(app, client, user):
    response = await client.post(
        FILES, content=b"%PDF-1.4", headers={**user(), "Content-Type": "application/pdf"}
    )
    assert (response.status_code, response.headers["content-type"]) == (415, PROBLEM)
    assert "multipart/form-data" in response.json()["detail"]
    assert nothing_stored(app)


async def test_an_operator_must_name_the_customer(app, upload, operator):
    response = await upload(operator)
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "customer_id"])
    assert nothing_stored(app)


async def test_a_customer_id_that_is_not_a_uuid_is_refused(app, upload, operator):
    response = await upload(operator, data={"customer_id": "acme"})
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "customer_id"])


async def test_a_customer_user_cannot_upload_for_another_customer(app, client, upload, user):
    import uuid

    response = await upload(user(), data={"customer_id": str(uuid.uuid4())})
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert nothing_stored(app)


async def test_a_control_character_in_the_file_name_is_removed(client, user):
    # Written by hand: httpx would percent-encode the control character itself.
    body = (
        b"--x\r\n"
        b'Content-Disposition: form-data; name="file"; filename="front\x07.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--x--\r\n"
    )
    headers = {**user(), "Content-Type": "multipart/form-data; boundary=x"}
    response = await client.post(FILES, content=body, headers=headers)
    assert (response.status_code, response.json()["filename"]) == (201, "front.pdf")


async def test_a_chunked_upload_without_content_length_is_taken_whole(client, user):
    boundary = b"pb-boundary"
    head = b'--pb-boundary\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
    content = b"%PDF-1.7\n" + bytes(range(256)) * 12_000  # 3 MB: past the read-ahead kept in memory

    async def body():
        yield head
        for start in range(0, len(content), 256 * 1024):
            yield content[start : start + 256 * 1024]
        yield b"\r\n--pb-boundary--\r\n"

    headers = {**user(), "Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}
    response = await client.post(FILES, content=body(), headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(content)
    download = await client.get(f"{FILES}/{response.json()['id']}/content", headers=user())
    assert download.content == content
