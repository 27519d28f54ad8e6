"""Who may reach templates: products:read reads, products:manage writes; order managers neither (403);
another customer's template does not exist for you (404); no token is 401."""

import pytest

from .conftest import TEMPLATES, template

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
async def saved(client, team):
    response = await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])
    assert response.status_code == 201, response.text
    return response.json()["id"]


def calls(template_id):
    path = f"{TEMPLATES}/{template_id}"
    return {
        "list": ("GET", TEMPLATES, None),
        "get": ("GET", path, None),
        "create": ("POST", TEMPLATES, template(name="Another")),
        "update": ("PATCH", path, {"description": "changed"}),
        "recheck": ("POST", f"{path}/files/recheck", None),
        "delete": ("DELETE", path, None),
    }


EXPECTED = {
    "nobody": {"list": 401, "get": 401, "create": 401, "update": 401, "recheck": 401, "delete": 401},
    "viewer": {"list": 200, "get": 200, "create": 403, "update": 403, "recheck": 403, "delete": 403},
    "order_manager": {"list": 403, "get": 403, "create": 403, "update": 403, "recheck": 403, "delete": 403},
    "store_manager": {"list": 200, "get": 200, "create": 201, "update": 200, "recheck": 202, "delete": 204},
    "admin": {"list": 200, "get": 200, "create": 201, "update": 200, "recheck": 202, "delete": 204},
    "other": {"list": 200, "get": 404, "create": 201, "update": 404, "recheck": 404, "delete": 404},
}


@pytest.mark.parametrize("caller", list(EXPECTED))
async def test_each_caller_gets_what_its_role_allows(client, team, saved, caller):
    headers = {} if caller == "nobody" else team.headers[caller]
    for name, (method, path, body) in calls(saved).items():
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == EXPECTED[caller][name], f"{caller} {name}: {response.text}"
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == "Bearer"


async def test_another_customers_list_does_not_show_the_template(client, team, saved):
    listed = await client.get(TEMPLATES, headers=team.headers["other"])
    assert listed.json()["items"] == []
    asked = await client.get(
        TEMPLATES, params={"customer_id": str(team.customer_id)}, headers=team.headers["other"]
    )
    assert asked.json()["items"] == []


async def test_an_operator_sees_every_customers_templates_and_may_narrow_to_one(
    client, operator, team, saved
):
    other = template(customer_id=str(team.other_customer_id))
    assert (await client.post(TEMPLATES, json=other, headers=operator)).status_code == 201
    everything = (await client.get(TEMPLATES, headers=operator)).json()["items"]
    assert len(everything) == 2
    one = (
        await client.get(TEMPLATES, params={"customer_id": str(team.customer_id)}, headers=operator)
    ).json()
    assert [t["id"] for t in one["items"]] == [saved]
    for method in ("GET", "PATCH", "DELETE"):
        body = {"description": "by staff"} if method == "PATCH" else None
        response = await client.request(method, f"{TEMPLATES}/{saved}", json=body, headers=operator)
        assert response.status_code in (200, 204), response.text


async def test_an_unknown_or_malformed_id_is_404_or_422(client, team):
    unknown = await client.get(
        f"{TEMPLATES}/00000000-0000-4000-8000-000000000000", headers=team.headers["admin"]
    )
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/template-not-found")
    malformed = await client.get(f"{TEMPLATES}/not-an-id", headers=team.headers["admin"])
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["loc"] == ["path", "template_id"]
