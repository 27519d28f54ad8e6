"""OWASP API8:2023 Security Misconfiguration: the suite as started has no debug mode, answers an
unexpected error with a plain problem+json (no traceback, no exception text, the request id to quote),
sends `nosniff` on every answer the gateway makes itself, allows cross-origin calls only from the
configured origins (never `*` with credentials), and keeps its internal routes off the public edge."""

import httpx
import pytest

from printbridge.embedded import build_embedded
from printbridge_shared.testing import bearer

from .conftest import suite_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

APP_ORIGIN = "https://app.printbridge.example"


async def test_no_service_runs_in_debug_mode(tmp_path):
    gateway = build_embedded(suite_settings(tmp_path))
    for name, app in gateway.apps.items():
        assert app.debug is False, name


async def test_an_unexpected_error_is_a_plain_problem_without_a_traceback(tmp_path, monkeypatch):
    from customers.customer import service

    async def crash(*args, **kwargs):
        raise RuntimeError("connection string postgresql://pb:hunter2@db/customers is wrong")

    monkeypatch.setattr(service, "list_customers", crash)
    gateway = build_embedded(suite_settings(tmp_path))
    async with gateway.lifespan(None):
        operator = await _operator(gateway)
        transport = httpx.ASGITransport(app=gateway, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            answer = await client.get("/v1/customers", headers=operator)

    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    problem = answer.json()
    assert set(problem) <= {"type", "title", "status", "detail", "request_id"}
    for leak in ("Traceback", "RuntimeError", "hunter2", "postgresql", 'File "', "line "):
        assert leak not in answer.text
    assert answer.headers["x-request-id"]


async def _operator(gateway) -> dict[str, str]:
    import uuid

    from printbridge_shared.auth.principal import Principal, PrincipalKind

    issuer = gateway.apps["storefront-auth"].state.token_issuer
    return bearer(await issuer.access_token(Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4())))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/route", 404),
        ("GET", "/internal/v1/api-keys/introspect", 404),
        ("POST", "/internal/v1/revocations", 404),
        ("TRACE", "/v1/customers", 405),
        ("DELETE", "/v1/auth/jwks.json", 405),
        ("GET", "/v1/customers", 401),
    ],
)
async def test_the_gateways_own_refusals_are_problems_with_nosniff(teams, method, path, status):
    answer = await teams.client.request(method, path)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "Traceback" not in answer.text


async def test_internal_routes_are_not_reachable_through_the_gateway_even_with_a_key(teams):
    for method, path in [
        ("POST", "/internal/v1/api-keys/introspect"),
        ("GET", "/internal/v1/revocations"),
        ("GET", "/internal/../internal/v1/revocations"),
        ("GET", "/%69nternal/v1/revocations"),
    ]:
        answer = await teams.call("api_key", method, path, json={"key": "pbk_x"})
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code} {answer.text[:200]}"


async def test_cors_is_off_unless_origins_are_configured(teams):
    preflight = await teams.client.options(
        "/v1/customers", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    simple = await teams.call("operator", "GET", "/v1/customers", headers={"Origin": APP_ORIGIN})

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_cors_allows_the_configured_origin_only_and_never_a_wildcard(tmp_path):
    gateway = build_embedded(suite_settings(tmp_path, cors_origins=[APP_ORIGIN]))
    async with gateway.lifespan(None):
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:

            async def preflight(origin: str) -> httpx.Response:
                headers = {
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type",
                }
                return await client.options("/v1/customers", headers=headers)

            allowed = await preflight(APP_ORIGIN)
            evil = await preflight("https://evil.example")
            null = await preflight("null")
            lookalike = await preflight(APP_ORIGIN + ".evil.example")
            simple = await client.get("/v1/auth/jwks.json", headers={"Origin": "https://evil.example"})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert allowed.headers.get("access-control-allow-credentials") != "true" or (
        allowed.headers["access-control-allow-origin"] != "*"
    )
    for refused in (evil, null, lookalike):
        assert refused.headers.get("access-control-allow-origin") in (None, APP_ORIGIN)
        assert refused.headers.get("access-control-allow-origin") != "*"
        assert refused.status_code == 400
    assert "access-control-allow-origin" not in simple.headers
