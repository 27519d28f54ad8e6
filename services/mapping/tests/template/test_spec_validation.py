"""A template's spec must fit its catalog product: each wrong field is named in the 422 with the fix
(the allowed values, the areas the product has), and nothing is saved."""

import pytest

from .conftest import TEMPLATES, template, template_events

pytestmark = pytest.mark.usefixtures("catalog")


def errors(response):
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {".".join(error["loc"]): error["msg"] for error in response.json()["errors"]}


async def test_an_unknown_product_is_named(client, team):
    response = await client.post(
        TEMPLATES, json=template(product_uid="no_such"), headers=team.headers["admin"]
    )
    assert errors(response) == {"body.product_uid": "not in the catalog"}
    assert response.json()["type"].endswith("/product-not-in-catalog")


async def test_a_retired_product_cannot_be_used_for_a_new_template(client, team):
    response = await client.post(
        TEMPLATES, json=template(product_uid="poster_a1", attributes={}), headers=team.headers["admin"]
    )
    assert errors(response) == {"body.product_uid": "retired; pick an active product"}
    assert response.json()["type"].endswith("/product-retired")
    assert "retired" in response.json()["detail"]


async def test_every_attribute_and_area_that_does_not_fit_is_named_with_what_fits(client, team):
    body = template(
        attributes={"paper": "silk", "colour": "red"},
        files={"front": "https://files.example/f.pdf", "inside": "https://files.example/i.pdf"},
    )
    found = errors(await client.post(TEMPLATES, json=body, headers=team.headers["admin"]))
    assert found == {
        "body.attributes.paper": "'silk' is not allowed; choose one of 'matte', 'gloss'",
        "body.attributes.colour": "'flyer_a5' has no attribute 'colour' "
        "(its attributes are 'paper', 'size'); remove it",
        "body.files.inside": "'flyer_a5' has no print area 'inside' (its print areas are 'front')",
    }


async def test_an_attribute_with_several_values_is_required(client, team):
    found = errors(await client.post(TEMPLATES, json=template(attributes={}), headers=team.headers["admin"]))
    assert found == {"body.attributes.paper": "required; choose one of 'matte', 'gloss'"}


async def test_an_attribute_with_one_value_is_taken_when_left_out(client, team):
    response = await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])
    assert response.status_code == 201, response.text
    assert response.json()["attributes"] == {"paper": "matte", "size": "A5"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example/f.pdf", "is not an http(s) address with a host"),
        ("https://", "is not an http(s) address with a host"),
        ("https://user:secret@files.example/f.pdf", "carries a user name or password"),
    ],
)
async def test_a_file_address_that_cannot_be_fetched_is_named(client, team, url, message):
    found = errors(
        await client.post(TEMPLATES, json=template(files={"front": url}), headers=team.headers["admin"])
    )
    assert message in found["body.files.front"]
    assert found["body.files.front"].endswith("give the file's public https:// address")


async def test_a_file_address_with_spaces_or_a_bad_area_name_is_refused_by_the_schema(client, team):
    body = template(files={"front": "https://files.example/my file.pdf", "Front Side": "https://a.example/x"})
    found = errors(await client.post(TEMPLATES, json=body, headers=team.headers["admin"]))
    assert "percent-encode" in found["body.files.front"]
    assert "body.files.Front Side.[key]" in found


async def test_an_operator_must_name_the_customer(client, operator):
    response = await client.post(TEMPLATES, json=template(), headers=operator)
    assert errors(response) == {"body.customer_id": "required for operators"}


async def test_a_customer_user_cannot_name_another_customer(client, team):
    body = template(customer_id=str(team.other_customer_id))
    assert "body.customer_id" in errors(
        await client.post(TEMPLATES, json=body, headers=team.headers["admin"])
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "body.name"),
        ({"name": None}, "body.name"),
        ({"description": "x" * 2001}, "body.description"),
        ({"product_uid": "Flyer A5"}, "body.product_uid"),
        ({"attributes": {"paper": ""}}, "body.attributes.paper"),
        ({"files": {"front": "x" * 2001}}, "body.files.front"),
        ({"unknown": 1}, "body.unknown"),
    ],
)
async def test_malformed_fields_are_named(client, team, changes, field):
    assert field in errors(
        await client.post(TEMPLATES, json=template(**changes), headers=team.headers["admin"])
    )


async def test_a_refused_template_saves_nothing_and_records_nothing(client, app, team):
    await client.post(TEMPLATES, json=template(attributes={"paper": "silk"}), headers=team.headers["admin"])
    listed = await client.get(TEMPLATES, headers=team.headers["admin"])
    assert listed.json()["items"] == []
    assert await template_events(app) == []


async def test_a_patch_is_validated_again_and_changes_nothing_when_wrong(client, team):
    created = (await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])).json()
    path = f"{TEMPLATES}/{created['id']}"
    response = await client.patch(
        path, json={"name": "Other", "attributes": {"paper": "silk"}}, headers=team.headers["admin"]
    )
    assert errors(response) == {
        "body.attributes.paper": "'silk' is not allowed; choose one of 'matte', 'gloss'"
    }
    moved = await client.patch(
        path,
        json={"product_uid": "flyer_a5_duplex", "files": {"inside": "https://a.example/i.pdf"}},
        headers=team.headers["admin"],
    )
    assert errors(moved) == {
        "body.files.inside": "'flyer_a5_duplex' has no print area 'inside' "
        "(its print areas are 'back', 'front')"
    }
    assert (await client.get(path, headers=team.headers["admin"])).json()["name"] == "Summer flyer"
