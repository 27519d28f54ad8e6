"""The merged OpenAPI document tells the truth: schemathesis generates requests for every operation of
the embedded suite (in-process, through the gateway) with an operator API key, and every answer must be
one the document describes (status, content type, headers, body), never a server error."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from starlette.types import ASGIApp

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded
from printbridge.openapi import merged_openapi_document
from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.testing import bearer

# Bounded so the whole run stays well under a minute on two cores.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": 7,
        "generation": {"max-examples": 12},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
    allow_header_conformance,
]


def _settings(data_dir: Path) -> GatewaySettings:
    return GatewaySettings(data_dir=data_dir, access_log=False, rate_limit_per_second=0)


async def _operator_api_key(data_dir: Path) -> str:
    """Migrates the suite's databases and creates an operator API key through the API."""
    gateway = build_embedded(_settings(data_dir))
    async with gateway.lifespan(None):  # type: ignore[attr-defined]
        issuer = gateway.apps["storefront-auth"].state.token_issuer
        operator = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com")
        token = await issuer.access_token(operator)
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            created = await client.post("/v1/api-keys", json={"name": "schemathesis"}, headers=bearer(token))
            created.raise_for_status()
            return str(created.json()["key"])


@pytest.fixture(scope="module")
def operator_headers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return bearer(asyncio.run(_operator_api_key(tmp_path_factory.getbasetemp() / "api-schema")))


@pytest.fixture(scope="module")
def gateway(operator_headers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ASGIApp]:
    """The suite whose databases hold the key; schemathesis starts its lifespan on the first call."""
    yield build_embedded(_settings(tmp_path_factory.getbasetemp() / "api-schema"))
    shutdown_lifespans()


schema = schemathesis.openapi.from_dict(merged_openapi_document(), config=CONFIG)


@schema.parametrize()
def test_every_answer_is_one_the_document_describes(case, gateway, operator_headers):
    case.call_and_validate(app=gateway, headers=operator_headers, checks=CHECKS)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    gateway = build_embedded(_settings(tmp_path))
    async with gateway.lifespan(None):  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield client


async def test_a_method_a_path_does_not_take_is_405_allowing_every_method_it_takes(client):
    for path, item in merged_openapi_document()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        documented = {method.upper() for method in item}
        unsupported = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in documented)

        response = await client.request(unsupported, concrete)

        assert response.status_code == 405, f"{unsupported} {path}"
        assert response.headers["content-type"] == "application/problem+json"
        assert set(response.headers["allow"].split(", ")) == documented, path


def test_the_document_lists_the_refusals_operations_give():
    for path, item in merged_openapi_document()["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            assert "429" in documented, f"{method} {path}: every path is rate-limited at the gateway"
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= documented, f"{method} {path} takes a body"
            if operation.get("security"):
                assert "401" in documented, f"{method} {path} needs credentials"
    paths = merged_openapi_document()["paths"]
    assert {"401", "403", "429"} <= set(paths["/v1/auth/login"]["post"]["responses"])
    assert {"401", "403"} <= set(paths["/v1/auth/refresh"]["post"]["responses"])
    assert {"410", "429"} <= set(paths["/v1/auth/password-reset/{token}/complete"]["post"]["responses"])
