"""OWASP API4:2023 Unrestricted Resource Consumption: what one caller can make the suite hold or do is
bounded. Bodies over the gateway's limit (told or streamed without a length), uploads and CSV files over
their routes' limits, page sizes over 200, orders with too many lines, requests faster than the rate
limit, and password guesses at one account: each is refused with problem+json naming the limit."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from printbridge.embedded import build_embedded
from printbridge.openapi import merged_openapi_document
from printbridge_shared.pagination import MAX_LIMIT
from printbridge_shared.routes import (
    CATALOG_IMPORT_MAX_BYTES,
    FILE_UPLOAD_MAX_BYTES,
    PRODUCT_IMPORT_MAX_BYTES,
)
from printbridge_shared.testing import bearer

from .conftest import MANUAL_ORDER, suite_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Reads that answer everything at once, and why that is bounded.
UNPAGED = {
    "/v1/routing-rules": "the producer's own rules, evaluated in order as one list; operators only",
    "/v1/catalog/products/export.json": "the producer's catalog, streamed; what the import takes back",
    "/v1/catalog/products/export.csv": "the producer's catalog, streamed; what the import takes back",
    "/v1/stores/{store_id}/products/export.csv": "one store's products, streamed, for the bulk mapping",
}


def listings() -> list[str]:
    found = []
    for path, item in merged_openapi_document()["paths"].items():
        get = item.get("get")
        if get and get["responses"].get("200", {}).get("content", {}).get("application/json"):
            schema = get["responses"]["200"]["content"]["application/json"]["schema"]
            if "Page" in schema.get("$ref", "") or path in UNPAGED:
                found.append(path)
    return found


async def test_every_listing_takes_a_page_size_of_at_most_200_or_is_named_as_unpaged():
    document = merged_openapi_document()
    paged = [path for path in listings() if path not in UNPAGED]
    assert len(paged) >= 15
    for path in paged:
        limit = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "limit")
        assert limit["schema"]["maximum"] == MAX_LIMIT == 200, path


@pytest.mark.parametrize("limit", [MAX_LIMIT + 1, 10**12, 0, -1])
async def test_a_page_size_out_of_range_is_422_naming_limit(world, limit):
    for path in [p for p in listings() if p not in UNPAGED]:
        concrete = path.replace("{store_id}", world.a.woo_store).replace("{endpoint_id}", str(uuid.uuid4()))
        answer = await world.call("operator", "GET", concrete, params={"limit": limit})
        assert answer.status_code == 422, f"{concrete}: {answer.status_code}"
        assert answer.json()["errors"][0]["loc"] == ["query", "limit"], concrete


async def endless(chunk: bytes = b"x" * 65536) -> AsyncIterator[bytes]:
    while True:
        yield chunk


async def test_a_json_body_over_the_limit_is_413_whether_told_or_streamed(world):
    limit = 1_048_576
    told = await world.call(
        "operator", "POST", "/v1/customers", content=endless(), headers={"Content-Length": str(limit + 1)}
    )
    streamed = await world.client.post(
        "/v1/customers",
        content=endless(),
        headers={**world.headers["operator"], "Content-Type": "application/json"},
    )

    for answer in (told, streamed):
        assert answer.status_code == 413, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert str(limit) in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/v1/catalog/products/import", CATALOG_IMPORT_MAX_BYTES),
        ("/v1/stores/{store}/products/import", PRODUCT_IMPORT_MAX_BYTES),
        ("/v1/files", FILE_UPLOAD_MAX_BYTES),
    ],
)
async def test_an_upload_over_its_routes_limit_is_413_naming_it(world, path, limit):
    path = path.replace("{store}", world.a.woo_store)
    told = await world.call(
        "operator", "POST", path, content=endless(), headers={"Content-Length": str(limit + 1)}
    )
    assert told.status_code == 413, told.text
    assert str(limit) in told.json()["detail"]


async def test_a_streamed_csv_file_is_cut_off_at_the_limit(world):
    """No length told: the gateway counts what arrives and stops at the catalog import's 16 MiB."""
    answer = await world.client.post(
        "/v1/catalog/products/import",
        content=endless(b"product_uid;name\r\n" * 4096),
        headers={**world.headers["operator"], "Content-Type": "text/csv"},
    )

    assert answer.status_code == 413, answer.text
    assert str(CATALOG_IMPORT_MAX_BYTES) in answer.json()["detail"]


async def test_an_order_with_more_lines_than_allowed_is_422(world):
    order = {**MANUAL_ORDER, "line_items": MANUAL_ORDER["line_items"] * 501}

    answer = await world.call(
        "operator",
        "POST",
        f"/v1/stores/{world.a.manual_store}/orders",
        json=order,
        headers={"Idempotency-Key": "big"},
    )

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "line_items"]


async def test_a_client_faster_than_the_rate_limit_gets_429_and_others_do_not(tmp_path):
    gateway = build_embedded(suite_settings(tmp_path, rate_limit_per_second=1, rate_limit_burst=3))
    async with gateway.lifespan(None):

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=gateway, client=(address, 40000))
            return httpx.AsyncClient(transport=transport, base_url="http://gw")

        async with client("203.0.113.7") as greedy, client("203.0.113.8") as other:
            answers = [await greedy.get("/v1/auth/jwks.json") for _ in range(4)]
            rotated = await greedy.get("/v1/auth/jwks.json", headers={"X-Forwarded-For": "198.51.100.9"})
            others = await other.get("/v1/auth/jwks.json")

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert rotated.status_code == 429  # the header names nobody: the gateway is the edge
    assert others.status_code == 200


async def test_password_guesses_at_one_account_are_throttled_whatever_the_spelling(teams):
    email = teams.users["viewer"].email
    spellings = [email, email.upper(), f"  {email}", email.title()]
    answers = [
        await teams.client.post("/v1/auth/login", json={"email": spellings[i % 4], "password": f"guess {i}"})
        for i in range(12)
    ]

    statuses = [a.status_code for a in answers]
    assert 429 in statuses, statuses
    assert set(statuses) <= {401, 429}
    throttled = answers[statuses.index(429)]
    assert int(throttled.headers["retry-after"]) >= 1


async def test_an_api_key_flood_of_made_up_keys_leaves_the_real_one_working(teams):
    for _ in range(50):
        made_up = bearer("pbk_" + uuid.uuid4().hex * 2)
        assert (await teams.client.get("/v1/customers", headers=made_up)).status_code == 401
    assert (await teams.call("api_key", "GET", "/v1/customers")).status_code == 200
