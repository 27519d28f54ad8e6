"""What the routing tests share: the default line, and creating lines and rules through the API."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

LINES = "/v1/production-lines"
RULES = "/v1/routing-rules"
PROBLEM = "application/problem+json"


@pytest.fixture
async def default_line(client: httpx.AsyncClient, operator: dict[str, str]) -> dict[str, Any]:
    """The default line, as the migration created it and the API shows it."""
    response = await client.get(LINES, params={"q": "default"}, headers=operator)
    [line] = [item for item in response.json()["items"] if item["is_default"]]
    return line


CreateLine = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def create_line(client: httpx.AsyncClient, operator: dict[str, str]) -> CreateLine:
    """POSTs a line `code` (name: the code in title case) with `fields` changed; returns the answer."""

    async def create(code: str = "berlin", **fields: Any) -> httpx.Response:
        body = {"code": code, "name": code.replace("-", " ").title(), **fields}
        return await client.post(LINES, json=body, headers=operator)

    return create


@pytest.fixture
def line(create_line: CreateLine) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Creates a line and returns it (the create must succeed)."""

    async def make(code: str = "berlin", **fields: Any) -> dict[str, Any]:
        response = await create_line(code, **fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return make


CreateRule = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def create_rule(client: httpx.AsyncClient, operator: dict[str, str]) -> CreateRule:
    """POSTs a rule to line `line_id` with `fields` (`name` "rule" unless given); returns the answer."""

    async def create(line_id: str, **fields: Any) -> httpx.Response:
        body = {"name": "rule", "production_line_id": line_id, **fields}
        return await client.post(RULES, json=body, headers=operator)

    return create


@pytest.fixture
def rule(create_rule: CreateRule) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Creates a rule and returns it (the create must succeed)."""

    async def make(line_id: str, **fields: Any) -> dict[str, Any]:
        response = await create_rule(line_id, **fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return make
