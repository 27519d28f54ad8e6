"""What one unauthenticated request can cost: absurd JSON is refused before validation, and however many
fields a body gets wrong, the answer lists a bounded number of them."""

import json

import pytest

from printbridge_shared.errors import MAX_FIELD_ERRORS
from printbridge_shared.http import MAX_JSON_DEPTH, MAX_JSON_MEMBERS

from .test_gateway import serve, settings

ONE_MEGABYTE = 1_048_576
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def gateway(tmp_path):
    async with serve(settings(tmp_path, max_body_bytes=ONE_MEGABYTE)) as client:
        yield client


def unknown_keys(count: int) -> bytes:
    extra = {f"k{i:05}": i for i in range(count)}
    return json.dumps({"email": "a@b.example", "password": "x", **extra}).encode()


async def test_a_megabyte_of_unknown_keys_is_refused_before_validation_with_a_short_answer(gateway):
    body = unknown_keys(60_000)
    assert 900_000 < len(body) <= ONE_MEGABYTE

    response = await gateway.post("/v1/auth/login", content=body, headers=JSON)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/body-too-complex")
    assert str(MAX_JSON_MEMBERS) in problem["detail"]
    assert problem["errors"] == [{"loc": ["body"], "msg": problem["detail"], "type": "json_too_complex"}]
    assert len(response.content) < 1_000


async def test_deep_nesting_is_refused_naming_the_limit(gateway):
    deep = {"email": "a@b.example", "password": "x"}
    for _ in range(MAX_JSON_DEPTH):
        deep = {"nested": deep}

    response = await gateway.post("/v1/auth/login", json=deep)

    assert response.status_code == 422
    assert f"deeper than {MAX_JSON_DEPTH} levels" in response.json()["detail"]


async def test_nesting_up_to_the_limit_reaches_validation(gateway):
    deep: object = 1
    for _ in range(MAX_JSON_DEPTH - 1):
        deep = [deep]

    response = await gateway.post("/v1/auth/login", json={"email": "a@b.example", "password": deep})

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "password"]


async def test_a_body_with_many_wrong_fields_lists_a_bounded_number_and_counts_the_rest(gateway):
    response = await gateway.post("/v1/auth/login", content=unknown_keys(5_000), headers=JSON)

    assert response.status_code == 422
    problem = response.json()
    assert len(problem["errors"]) == MAX_FIELD_ERRORS
    assert problem["errors"][0] == {
        "loc": ["body", "k00000"],
        "msg": problem["errors"][0]["msg"],
        "type": "extra_forbidden",
    }
    assert problem["errors_truncated"] == 5_000 - MAX_FIELD_ERRORS
    assert f"and {5_000 - MAX_FIELD_ERRORS} more" in problem["detail"]
    assert len(response.content) < 10_000


async def test_a_body_without_a_content_type_is_checked_like_json(gateway):
    response = await gateway.post("/v1/auth/login", content=unknown_keys(60_000))

    assert response.status_code == 422
    assert response.json()["type"].endswith("/body-too-complex")


async def test_a_body_that_is_not_json_still_gets_the_position_of_the_syntax_error(gateway):
    response = await gateway.post("/v1/auth/login", content=b'{"email": ', headers=JSON)

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_a_body_that_is_not_utf8_is_400_saying_so(gateway):
    response = await gateway.post("/v1/auth/login", content=b'{"email": "\xff"}', headers=JSON)

    assert response.status_code == 400
    problem = response.json()
    assert "not UTF-8" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body"]
