"""HTTP as a client library expects it: a 201 says where the new resource is, a 204 has no content."""

import pytest
import pytest_asyncio

from .test_access_matrix import suite

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(tmp_path_factory):
    """One suite for the module: each test creates what it answers about."""
    async with suite(tmp_path_factory.mktemp("conventions")) as (client, headers, parameter):
        yield client, headers, parameter


@pytest.mark.parametrize(
    ("caller", "path", "body", "read_back"),
    [
        ("operator", "/v1/customers", {"name": "Acme"}, True),
        (
            "admin",
            "/v1/users",
            {"email": "new@brand.example", "first_name": "N", "last_name": "U", "role": "viewer"},
            True,
        ),
        ("operator", "/v1/api-keys", {"name": "ERP"}, False),
    ],
)
async def test_a_created_resource_is_answered_with_its_location(api, caller, path, body, read_back):
    client, headers, _ = api

    response = await client.post(path, json=body, headers=headers[caller])

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{path}/{response.json()['id']}"
    if read_back:  # API keys have no GET of their own: their location is what DELETE revokes
        assert (
            await client.get(response.headers["location"], headers=headers[caller])
        ).json() == response.json()


@pytest.mark.parametrize(
    ("caller", "method", "path"),
    [
        ("operator", "DELETE", "/v1/customers/{customer_id}"),
        ("admin", "DELETE", "/v1/users/{user_id}"),
        ("operator", "DELETE", "/v1/api-keys/{api_key_id}"),
        ("nobody", "POST", "/v1/auth/logout"),
    ],
)
async def test_no_content_answers_carry_no_content_type(api, caller, method, path):
    client, headers, parameter = api
    if "{api_key_id}" in path:
        created = await client.post("/v1/api-keys", json={"name": "old"}, headers=headers["operator"])
        path = path.replace("{api_key_id}", created.json()["id"])
    for name in ("customer_id", "user_id"):
        path = path.replace(f"{{{name}}}", await parameter(name))
    body = {"refresh_token": "not-one-we-issued"} if path.endswith("logout") else None

    response = await client.request(method, path, json=body, headers=headers[caller])

    assert response.status_code == 204, response.text
    assert "content-type" not in response.headers
    assert response.content == b""
