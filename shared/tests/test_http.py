"""The body limit every service and the embedded gateway apply, and the one request-id rule."""

import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from printbridge_shared.http import (
    READ_AHEAD_IN_MEMORY_BYTES,
    REQUEST_ID_PATTERN,
    BodySizeLimitMiddleware,
    is_valid_request_id,
)
from printbridge_shared.routes import Route, RouteTable

LIMIT = 1000


def counting_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/catalog/{rest:path}")
    async def count(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


def client_for(routes: RouteTable) -> httpx.AsyncClient:
    app = BodySizeLimitMiddleware(counting_app(), max_bytes=LIMIT, routes=routes)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


ROUTES = RouteTable([Route("/v1/catalog", "mapping"), Route("/v1/catalog/import", "mapping", 5000)])


async def chunked(size: int) -> AsyncIterator[bytes]:
    """A body without Content-Length (Transfer-Encoding: chunked), in pieces of 100 bytes."""
    for _ in range(size // 100):
        yield b"x" * 100


@pytest.mark.parametrize("size", [LIMIT + 100, 10 * LIMIT])
async def test_a_chunked_body_over_the_limit_is_a_413_problem_not_a_parse_error(size: int) -> None:
    async with client_for(ROUTES) as client:
        response = await client.post("/v1/catalog/items", content=chunked(size))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"The request body is larger than {LIMIT} bytes; send less."


async def test_a_chunked_body_within_the_limit_reaches_the_app_whole() -> None:
    async with client_for(ROUTES) as client:
        response = await client.post("/v1/catalog/items", content=chunked(LIMIT))
    assert response.json() == {"received": LIMIT}


async def test_a_chunked_body_larger_than_the_memory_read_ahead_reaches_the_app_whole_and_in_order() -> None:
    size = 3 * READ_AHEAD_IN_MEMORY_BYTES + 7
    body = bytes(range(256)) * (size // 256) + b"end" + b"!" * (size % 256 - 3)

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 100_000):
            yield body[start : start + 100_000]

    app = FastAPI()

    @app.post("/v1/files")
    async def digest(request: Request) -> dict[str, str]:
        return {"sha256": hashlib.sha256(await request.body()).hexdigest()}

    routes = RouteTable([Route("/v1/files", "mapping", 10 * READ_AHEAD_IN_MEMORY_BYTES)])
    limited = BodySizeLimitMiddleware(app, max_bytes=LIMIT, routes=routes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited), base_url="http://s") as client:
        response = await client.post("/v1/files", content=pieces())
    assert response.json() == {"sha256": hashlib.sha256(body).hexdigest()}


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read() -> None:
    async with client_for(ROUTES) as client:
        response = await client.post("/v1/catalog/items", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413


async def test_a_route_with_its_own_limit_takes_larger_bodies_and_refuses_over_its_limit() -> None:
    async with client_for(ROUTES) as client:
        within = await client.post("/v1/catalog/import", content=chunked(4000))
        declared = await client.post("/v1/catalog/import/x", content=b"x" * 4000)
        over = await client.post("/v1/catalog/import", content=chunked(5100))
    assert within.json() == {"received": 4000}
    assert declared.json() == {"received": 4000}
    assert over.status_code == 413
    assert "larger than 5000 bytes" in over.json()["detail"]


@pytest.mark.parametrize("value", ["a", "order-sync:42.a_b-c", "0" * 128, "f3b1c1d2e4a54e1b9c0d7e6f5a4b3c2d"])
def test_request_ids_the_gateway_keeps(value: str) -> None:
    assert is_valid_request_id(value)


@pytest.mark.parametrize("value", ["", "has spaces", "x" * 129, "semi;colon", "ünïcode", "bad\n", "<script>"])
def test_request_ids_the_gateway_replaces(value: str) -> None:
    assert not is_valid_request_id(value)


def test_the_rule_is_the_pattern_nginx_is_given() -> None:
    assert REQUEST_ID_PATTERN == "^[A-Za-z0-9._:-]{1,128}$"
