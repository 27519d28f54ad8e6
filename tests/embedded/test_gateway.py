"""The embedded gateway: routing by the route table and the edge rules it shares with nginx."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded


def settings(tmp_path: Path, **overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "max_body_bytes": 2000,
        "cors_origins": ["https://app.example.com"],
        "access_log": False,
    }
    return GatewaySettings(**(values | overrides))


@contextlib.asynccontextmanager
async def serve(gateway_settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    gateway = build_embedded(gateway_settings)
    async with gateway.lifespan(None):  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(settings(tmp_path)) as client:
        yield client


async def test_requests_reach_the_service_the_route_table_names(gateway):
    customers = await gateway.get("/v1/customers")
    auth = await gateway.get("/v1/auth/jwks.json")
    assert customers.status_code == 401
    assert customers.headers["content-type"] == "application/problem+json"
    assert auth.status_code == 200
    assert auth.json()["keys"][0]["alg"] == "EdDSA"


@pytest.mark.parametrize("path", ["/v1/customersx", "/v2/customers", "/nothing", "/"])
async def test_unrouted_paths_are_404_problems(gateway, path):
    response = await gateway.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path", ["/internal", "/internal/v1/api-keys/introspect", "/internal/v1/revocations"]
)
async def test_internal_paths_are_refused(gateway, path):
    assert (await gateway.post(path, json={"key": "pbk_x"})).status_code == 404


async def test_request_id_is_generated_kept_or_replaced(gateway):
    generated = await gateway.get("/healthz")
    kept = await gateway.get("/v1/customers", headers={"X-Request-ID": "my-id.1"})
    replaced = await gateway.get("/v1/customers", headers={"X-Request-ID": "bad id <script>"})
    assert len(generated.headers["x-request-id"]) == 32
    assert kept.headers["x-request-id"] == "my-id.1"
    assert replaced.headers["x-request-id"] != "bad id <script>"
    assert len(replaced.headers.get_list("x-request-id")) == 1


async def test_oversized_bodies_are_413_at_the_gateway(gateway):
    response = await gateway.post(
        "/v1/customers", content=b"x" * 2001, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


async def test_cors_preflight_allows_the_configured_origin_only(gateway):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = await gateway.options(
        "/v1/customers", headers={"Origin": "https://app.example.com", **preflight}
    )
    refused = await gateway.options("/v1/customers", headers={"Origin": "https://evil.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in refused.headers


async def test_merged_openapi_has_every_service_with_unique_operation_ids(gateway):
    document = (await gateway.get("/openapi.json")).json()
    assert {"/v1/customers", "/v1/customers/{customer_id}", "/v1/auth/login", "/v1/api-keys"} <= set(
        document["paths"]
    )
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert "create_customer" in operation_ids
    assert all(op.get("tags") for item in document["paths"].values() for op in item.values())
    assert not any(path.startswith("/internal") for path in document["paths"])


async def test_the_openapi_document_describes_every_refusal_as_problem_json(gateway):
    document = (await gateway.get("/openapi.json")).json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            refusals = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
            assert all(list(r["content"]) == ["application/problem+json"] for r in refusals.values()), path
            if operation.get("security"):
                assert {"401", "403"} <= set(refusals), f"{method} {path}"
            if "{" in path:
                assert "404" in refusals, f"{method} {path}"
    users = document["paths"]["/v1/users"]["post"]["responses"]
    assert {"201", "401", "403", "409", "422"} <= set(users)


async def test_docs_page_and_its_assets_are_served_locally(gateway):
    page = await gateway.get("/docs")
    asset = await gateway.get("/docs/assets/swagger-ui-bundle.js")
    assert "/openapi.json" in page.text
    assert asset.status_code == 200
    assert (await gateway.get("/docs/assets/../../etc/passwd")).status_code == 404


async def test_rate_limit_answers_429_with_retry_advice(tmp_path):
    async with serve(settings(tmp_path, rate_limit_per_second=1, rate_limit_burst=3)) as client:
        statuses = [(await client.get("/healthz")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        limited = await client.get("/healthz")
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1
