"""The merged OpenAPI document tells the truth: schemathesis generates requests for every operation of
the embedded suite (in-process, through the gateway) with an operator API key and as a customer's admin,
and follows the document's links (create, then read, change, delete what was created) in a stateful run
for both; every answer must be one the document describes (status, content type, headers, body), never
a server error."""

import asyncio
import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import hypothesis
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
from printbridge_shared.db import utcnow
from printbridge_shared.testing import bearer
from storefront_auth.auth.service import customer_user_principal
from storefront_auth.models import CustomerAccess, CustomerUser

from .test_access_matrix import MATRIX

# Bounded so the whole run stays well under a minute on two cores.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": 7,
        "generation": {"max-examples": 10},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": True}},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)
STATEFUL_SCENARIOS = 15
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


async def _callers(data_dir: Path) -> dict[str, dict[str, str]]:
    """Migrates the suite's databases and makes its callers: an operator API key (created through the API)
    and the admin of a customer with Storefront access (a token of the suite's own issuer)."""
    gateway = build_embedded(_settings(data_dir))
    async with gateway.lifespan(None):  # type: ignore[attr-defined]
        auth_app = gateway.apps["storefront-auth"]
        issuer = auth_app.state.token_issuer
        operator = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com")
        token = await issuer.access_token(operator)
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            created = await client.post("/v1/api-keys", json={"name": "schemathesis"}, headers=bearer(token))
            created.raise_for_status()
            customer = await client.post("/v1/customers", json={"name": "Brand"}, headers=bearer(token))
            customer.raise_for_status()
        now = utcnow()
        admin = CustomerUser(
            id=uuid.uuid4(),
            customer_id=uuid.UUID(customer.json()["id"]),
            email="admin@brand.example",
            first_name="Anna",
            last_name="Berg",
            role="admin",
            store_ids=[],
            password_hash=None,
            created_at=now,
            activated_at=now,
        )
        async with auth_app.state.db.session() as session:
            session.add(CustomerAccess(customer_id=admin.customer_id, enabled=True, changed_at=now))
            session.add(admin)
        # Long-lived, so a slow run never sees it expire.
        long_lived = dataclasses.replace(issuer, access_ttl=dt.timedelta(hours=2))
        customer_token = await long_lived.access_token(customer_user_principal(admin))
        return {"operator": bearer(str(created.json()["key"])), "customer admin": bearer(customer_token)}


@pytest.fixture(scope="module")
def platforms_configured() -> Iterator[None]:
    """Shopify and Etsy apps configured, as in production: unconfigured, connecting answers 503."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRINTBRIDGE_SHOPIFY_CLIENT_ID", "schemathesis")
        patch.setenv("PRINTBRIDGE_SHOPIFY_CLIENT_SECRET", "shpss_schemathesis_" + "s" * 16)
        patch.setenv("PRINTBRIDGE_ETSY_KEYSTRING", "schemathesis")
        patch.setenv("PRINTBRIDGE_ETSY_SHARED_SECRET", "schemathesis-shared-secret")
        yield


@pytest.fixture(scope="module")
def callers(
    tmp_path_factory: pytest.TempPathFactory, platforms_configured: None
) -> dict[str, dict[str, str]]:
    return asyncio.run(_callers(tmp_path_factory.getbasetemp() / "api-schema"))


@pytest.fixture(scope="module")
def operator_headers(callers: dict[str, dict[str, str]]) -> dict[str, str]:
    return callers["operator"]


@pytest.fixture(scope="module")
def gateway(
    callers: dict[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ASGIApp]:
    """The suite whose databases hold the callers; schemathesis starts its lifespan on the first call."""
    yield build_embedded(_settings(tmp_path_factory.getbasetemp() / "api-schema"))
    shutdown_lifespans()


schema = schemathesis.openapi.from_dict(merged_openapi_document(), config=CONFIG)


@schema.parametrize()
def test_every_answer_is_one_the_document_describes(case, gateway, operator_headers):
    case.call_and_validate(app=gateway, headers=operator_headers, checks=CHECKS)


# What a customer's admin may call (the producer's own operations answer it 403: the access matrix).
admin_schema = schema.exclude(operation_id=[op for op, row in MATRIX.items() if row.split()[2] == "403"])


@admin_schema.parametrize()
@hypothesis.settings(max_examples=4)
def test_every_answer_to_a_customers_admin_is_one_the_document_describes(case, gateway, callers):
    case.call_and_validate(app=gateway, headers=callers["customer admin"], checks=CHECKS)


@pytest.mark.parametrize("caller", ["operator", "customer admin"])
def test_following_the_documents_links_every_answer_is_one_it_describes(caller, gateway, callers):
    """Stateful: resources are created, then read, changed, acted on and deleted by the links."""
    headers = callers[caller]

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"app": gateway, "headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


def test_created_resources_link_to_the_operations_on_them():
    paths = merged_openapi_document()["paths"]
    links = paths["/v1/templates"]["post"]["responses"]["201"]["links"]
    assert links["get_template"] == {
        "operationId": "get_template",
        "parameters": {"template_id": "$response.body#/id"},
    }
    stores = paths["/v1/stores"]["post"]["responses"]["201"]["links"]
    assert stores["get_store"]["parameters"] == {"store_id": "$response.body#/store/id"}
    orders = paths["/v1/stores/{store_id}/orders"]["post"]["responses"]["201"]["links"]
    assert {"get_order", "cancel_order", "hold_order"} <= set(orders)
    linked = {
        op
        for item in paths.values()
        for r in item.get("post", {}).get("responses", {}).values()
        for op in r.get("links", {})
    }
    assert len(linked) >= 50


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
