"""Headers that protect browsers, through the embedded gateway: `nosniff` on every answer (each
operation of the merged OpenAPI document, the gateway's own answers and refusals), a Content-Security-
Policy that forbids framing on every HTML page, and `no-store` on every answer that carries a secret."""

import base64
import hashlib
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from printbridge.config import GatewaySettings

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def suite(
    tmp_path_factory: pytest.TempPathFactory, operator_suite
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """One suite for the module: its tests read, are refused, or create what they look at."""
    settings = GatewaySettings(
        data_dir=tmp_path_factory.mktemp("headers"),
        access_log=False,
        rate_limit_per_second=0,
        max_body_bytes=2000,
    )
    async with operator_suite(settings) as opened:
        yield opened


def operations(document: dict) -> list[tuple[str, str]]:
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


async def test_every_answer_says_nosniff(suite):
    client, operator = suite
    document = (await client.get("/openapi.json")).json()
    answers = [
        await client.request(method, path, json={}, headers=headers)
        for method, path in operations(document)
        for headers in ({}, operator)
    ]
    answers += [
        await client.get(path)
        for path in ["/openapi.json", "/docs", "/docs/assets/swagger-ui.css", "/healthz", "/nothing"]
    ]
    answers.append(await client.get("/internal/v1/revocations"))
    answers.append(await client.post("/v1/customers", content=b"x" * 3000, headers=operator))
    assert len(answers) > 40
    missing = [
        (a.request.method, a.request.url.path, a.status_code)
        for a in answers
        if a.headers.get("x-content-type-options") != "nosniff"
    ]
    assert not missing
    assert all(len(a.headers.get_list("x-content-type-options")) == 1 for a in answers)


@pytest.mark.parametrize("path", ["/docs", "/invitations/" + "x" * 30, "/password-reset/" + "x" * 30])
async def test_html_pages_cannot_be_framed_and_run_only_their_own_code(suite, path):
    client, _ = suite
    page = await client.get(path)
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    script_src = next((d for d in policy.split("; ") if d.startswith("script-src")), "")
    assert "'unsafe-inline'" not in script_src
    assert script_src or "default-src 'none'" in policy
    for inline in re.findall(r"<script>(.*?)</script>", page.text, flags=re.S):
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, "an inline script the policy would block"


async def test_a_new_api_key_is_never_cached(suite):
    client, operator = suite
    created = await client.post("/v1/api-keys", json={"name": "ERP"}, headers=operator)
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
