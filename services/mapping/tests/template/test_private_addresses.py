"""With `allow_private_urls` off (as in production) a design file at a plain http:// address is refused
when the template is saved, and one at a private address fails its check as `url_not_allowed`: the
guarded client does not fetch it. One app only here, so no other app's job runner (which may fetch
private addresses) takes the check."""

from collections.abc import AsyncIterator

import httpx
import pytest

from mapping.config import Settings
from mapping.main import create_app
from printbridge_shared.app import Runtime
from printbridge_shared.testing import running

from .conftest import PRODUCTS, TEMPLATES, product, settled, template


@pytest.fixture
async def public_only(database_url, auth, bus, operator) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=database_url, log_json=False, allow_private_urls=False)
    app = create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))
    async with running(app) as client:
        assert (await client.post(PRODUCTS, json=product(), headers=operator)).status_code == 201
        yield client


async def test_plain_http_is_refused_when_the_template_is_saved(public_only, team):
    body = template(files={"front": "http://files.example/f.pdf"})
    response = await public_only.post(TEMPLATES, json=body, headers=team.headers["admin"])
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "files", "front"]
    assert "plain http" in error["msg"]


async def test_a_private_address_fails_its_check_as_not_allowed(public_only, team, files_url):
    private = files_url.replace("http://", "https://") + "/front.pdf"
    response = await public_only.post(
        TEMPLATES, json=template(files={"front": private}), headers=team.headers["admin"]
    )
    assert response.status_code == 201, response.text
    front = (await settled(public_only, team.headers["admin"], response.json()["id"]))["files"]["front"]
    assert (front["status"], front["problem"]) == ("failed", "url_not_allowed")
    assert "private or local address" in front["message"]
    assert front["fix"]
