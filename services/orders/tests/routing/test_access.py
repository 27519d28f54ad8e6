"""Who may call the routing endpoints: operators and API keys; nobody without credentials (401) and no
customer user, whatever its role (403)."""

import uuid

import pytest

from printbridge_shared.testing import bearer

from .conftest import LINES, PROBLEM, RULES

pytestmark = pytest.mark.usefixtures("default_line")
SOME_ID = uuid.UUID("6f1c2a3e-0000-4000-8000-00000000c0de")  # fixed: xdist workers must collect the same ids
ENDPOINTS = [
    ("GET", LINES, None),
    ("POST", LINES, {"code": "berlin", "name": "Berlin"}),
    ("GET", f"{LINES}/{SOME_ID}", None),
    ("PATCH", f"{LINES}/{SOME_ID}", {"name": "Berlin"}),
    ("DELETE", f"{LINES}/{SOME_ID}", None),
    ("GET", RULES, None),
    ("POST", RULES, {"name": "All", "production_line_id": str(SOME_ID)}),
    ("POST", f"{RULES}/test", {}),
    ("GET", f"{RULES}/{SOME_ID}", None),
    ("PATCH", f"{RULES}/{SOME_ID}", {"name": "All"}),
    ("DELETE", f"{RULES}/{SOME_ID}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_without_credentials_the_answer_is_401(client, method, path, body):
    response = await client.request(method, path, json=body)

    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_no_customer_user_may_call_them_whatever_its_role(client, user_headers, method, path, body):
    for role in ("admin", "store_manager", "order_manager", "viewer"):
        response = await client.request(method, path, json=body, headers=user_headers(role))

        assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM), role
        assert response.json()["detail"] == "Only the producer's staff (operators) may do this."


async def test_an_api_key_may_do_everything_an_operator_may(client, auth, default_line):
    key, _ = auth.new_api_key()
    headers = bearer(key)

    created = await client.post(LINES, json={"code": "berlin", "name": "Berlin"}, headers=headers)
    rule = await client.post(
        RULES, json={"name": "All", "production_line_id": created.json()["id"]}, headers=headers
    )
    listed = await client.get(RULES, headers=headers)

    assert (created.status_code, rule.status_code, listed.status_code) == (201, 201, 200)
