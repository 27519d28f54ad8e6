"""The point of a file's `url`: the shared print-file checker fetches it over real HTTP, through the
guarded outbound client and without a token, and judges the uploaded design like any other."""

import httpx
from fastapi import FastAPI

from mapping.config import Settings
from mapping.main import create_app
from printbridge_sandbox.serving import running
from printbridge_shared.app import Runtime
from printbridge_shared.outbound import guarded_client
from printbridge_shared.printfiles import PrintRequirements, check_file
from printbridge_shared.testing import bearer, free_port

from .conftest import FILES, SVG

A4 = PrintRequirements(trim_width_mm=210, trim_height_mm=297)


async def test_the_print_file_checker_fetches_an_upload_by_its_url_and_judges_it(
    database_url, auth, bus, tmp_path
):
    port = free_port()
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, log_json=False, public_url=f"http://127.0.0.1:{port}"
    )
    app: FastAPI = create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))
    with running(app, port=port) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            uploaded = await client.post(
                FILES, files={"file": ("a4.svg", SVG)}, headers=bearer(auth.customer_user_token())
            )
        assert uploaded.status_code == 201, uploaded.text
        url = uploaded.json()["url"]
        async with guarded_client(allow_private=True) as http:
            checked = await check_file(http, url, A4)
            tampered = await check_file(http, url[:-2], A4)

    assert url.startswith(f"http://127.0.0.1:{port}/v1/files/")
    assert (checked.ok, checked.format, checked.bytes) == (True, "svg", len(SVG))
    assert (tampered.ok, tampered.reason) == (False, "file_unreachable")
