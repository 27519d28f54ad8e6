"""Who may call what: every operation of the merged API times every kind of caller → the expected answer.
This is the one place that shows it; an operation without a row fails the first test."""

import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded
from printbridge_shared.auth.principal import Principal, PrincipalKind

PUBLIC = "public"  # no credentials needed
SIGNED_IN = "signed in"  # any valid principal
OPERATOR = "operator"  # producer staff only

MATRIX = {
    "login": PUBLIC,
    "refresh_tokens": PUBLIC,
    "logout": PUBLIC,
    "get_jwks": PUBLIC,
    "get_me": SIGNED_IN,
    "get_invitation": PUBLIC,
    "accept_invitation": PUBLIC,
    "create_api_key": OPERATOR,
    "list_api_keys": OPERATOR,
    "revoke_api_key": OPERATOR,
    "create_customer": OPERATOR,
    "list_customers": OPERATOR,
    "get_customer": OPERATOR,
    "update_customer": OPERATOR,
    "archive_customer": OPERATOR,
    "get_storefront_access": OPERATOR,
    "update_storefront_access": OPERATOR,
    "resend_invitation": OPERATOR,
}
CALLERS = ["nobody", "operator", "customer admin"]


def expected(rule: str, caller: str) -> set[int]:
    """The statuses allowed for the caller: refusals exactly; for the allowed anything but a refusal."""
    allowed = set(range(200, 600)) - {401, 403, 500}
    if rule == PUBLIC or (rule == SIGNED_IN and caller != "nobody"):
        return allowed
    if caller == "nobody":
        return {401}
    if rule == OPERATOR and caller != "operator":
        return {403}
    return allowed


@contextlib.asynccontextmanager
async def suite(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, dict[str, str]]]]:
    gateway = build_embedded(GatewaySettings(data_dir=tmp_path, access_log=False, rate_limit_per_second=0))
    async with gateway.lifespan(None):
        issuer = gateway.apps["storefront-auth"].state.token_issuer
        operator = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com")
        admin = Principal(
            kind=PrincipalKind.customer_user,
            subject_id=uuid.uuid4(),
            email="admin@brand.example",
            customer_id=uuid.uuid4(),
            role="admin",
        )
        headers = {
            "nobody": {},
            "operator": {"Authorization": f"Bearer {await issuer.access_token(operator)}"},
            "customer admin": {"Authorization": f"Bearer {await issuer.access_token(admin)}"},
        }
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            yield client, headers


@pytest.fixture(scope="module")
def operations() -> list[tuple[str, str, str]]:
    from printbridge.openapi import merged_openapi_document

    document = merged_openapi_document()
    return [
        (operation["operationId"], method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_row_in_the_matrix(operations):
    assert sorted(op for op, _, _ in operations) == sorted(MATRIX)


async def test_each_caller_gets_the_answer_the_matrix_says(operations, tmp_path):
    async with suite(tmp_path) as (client, headers):
        for operation_id, method, path in operations:
            concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
            for caller in CALLERS:
                body = {} if method in ("POST", "PUT", "PATCH") else None
                response = await client.request(method, concrete, json=body, headers=headers[caller])
                if response.status_code in (401, 403):
                    assert response.headers["content-type"] == "application/problem+json"
                if response.status_code == 401:
                    assert response.headers["www-authenticate"] == "Bearer"
                assert response.status_code in expected(MATRIX[operation_id], caller), (
                    f"{caller}: {method} {path} ({operation_id}) {response.status_code} {response.text[:200]}"
                )
