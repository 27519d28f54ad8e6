"""The embedded suite, run in this process behind its gateway, with an operator to call it."""

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded
from printbridge_shared.auth.principal import Principal, PrincipalKind

OperatorSuite = Callable[
    [GatewaySettings], AbstractAsyncContextManager[tuple[httpx.AsyncClient, dict[str, str]]]
]


@contextlib.asynccontextmanager
async def _operator_suite(
    settings: GatewaySettings,
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    gateway = build_embedded(settings)
    async with gateway.lifespan(None):
        issuer = gateway.apps["storefront-auth"].state.token_issuer
        token = await issuer.access_token(Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4()))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            yield client, {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def operator_suite() -> OperatorSuite:
    """`async with operator_suite(settings) as (client, operator)`: the embedded suite running with
    `settings`, a client of its gateway and an operator's headers (a token of the suite's own issuer)."""
    return _operator_suite
