"""The catalog's products: created, read, changed, retired and reactivated by operators; read by every
signed-in caller; each change one `catalog_product.changed` with the product's next version."""

import asyncio

import pytest

from .conftest import PRODUCTS, catalog_events, create, product


async def test_operator_creates_a_product_that_reads_back_as_sent(client, operator):
    response = await create(client, operator, name="  Flyer A5 135 g  ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{PRODUCTS}/flyer_a5_135gsm"
    assert {key: body[key] for key in ("product_uid", "name", "type", "attributes", "status", "version")} == {
        "product_uid": "flyer_a5_135gsm",
        "name": "Flyer A5 135 g",
        "type": "flyer",
        "attributes": {"paper": ["matte", "gloss"], "size": ["A5"]},
        "status": "active",
        "version": 1,
    }
    assert body["print_areas"] == [
        {
            "name": "front",
            "formats": ["pdf", "png"],
            "trim_width_mm": 148.0,
            "trim_height_mm": 210.0,
            "bleed_mm": 3.0,
            "min_dpi": 300,
        }
    ]
    fetched = await client.get(f"{PRODUCTS}/flyer_a5_135gsm", headers=operator)
    assert fetched.status_code == 200
    assert fetched.json() == body


async def test_a_product_needs_only_uid_name_and_type(client, operator):
    body = {"product_uid": "poster-a1", "name": "Poster A1", "type": "poster"}
    response = await client.post(PRODUCTS, json=body, headers=operator)
    assert response.status_code == 201, response.text
    assert (response.json()["attributes"], response.json()["print_areas"]) == ({}, [])


async def test_a_print_areas_bleed_and_dpi_have_defaults(client, operator):
    area = {"name": "front", "formats": ["pdf"], "trim_width_mm": 100, "trim_height_mm": 50}
    response = await create(client, operator, print_areas=[area])
    assert response.status_code == 201, response.text
    assert response.json()["print_areas"][0] | area == area | {"bleed_mm": 0.0, "min_dpi": 300}


async def test_a_patch_of_print_areas_gives_them_their_defaults_too(client, app, operator):
    await create(client, operator)
    area = {"name": "front", "formats": ["pdf"], "trim_width_mm": 100, "trim_height_mm": 50}
    response = await client.patch(
        f"{PRODUCTS}/flyer_a5_135gsm", json={"print_areas": [area]}, headers=operator
    )
    assert response.status_code == 200, response.text
    assert response.json()["print_areas"][0] == area | {"bleed_mm": 0.0, "min_dpi": 300}
    [*_, changed] = await catalog_events(app)
    assert changed.data["print_areas"][0]["min_dpi"] == 300


def area(**changes):
    return product()["print_areas"][0] | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product_uid": "Flyer"}, "product_uid"),
        ({"product_uid": "-flyer"}, "product_uid"),
        ({"product_uid": "flyer\n"}, "product_uid"),
        ({"product_uid": "x" * 201}, "product_uid"),
        ({"product_uid": "export.csv"}, "product_uid"),
        ({"product_uid": "import"}, "product_uid"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"type": "Flyer"}, "type"),
        ({"type": ""}, "type"),
        ({"attributes": {"Paper": ["matte"]}}, "Paper"),
        ({"attributes": {"paper": []}}, "paper"),
        ({"attributes": {"paper": ["matte", "matte"]}}, "attributes"),
        ({"attributes": {"paper": ["matte|gloss"]}}, "paper"),
        ({"attributes": {"paper": [" "]}}, "paper"),
        ({"attributes": {f"a{index}": ["x"] for index in range(31)}}, "attributes"),
        ({"print_areas": [area(name="Front")]}, "name"),
        ({"print_areas": [area(), area()]}, "print_areas"),
        ({"print_areas": [area(formats=["gif"])]}, "formats"),
        ({"print_areas": [area(formats=[])]}, "formats"),
        ({"print_areas": [area(formats=["pdf", "pdf"])]}, "formats"),
        ({"print_areas": [area(trim_width_mm=0)]}, "trim_width_mm"),
        ({"print_areas": [area(trim_height_mm=10_001)]}, "trim_height_mm"),
        ({"print_areas": [area(bleed_mm=-1)]}, "bleed_mm"),
        ({"print_areas": [area(min_dpi=0)]}, "min_dpi"),
        ({"print_areas": [area(colour="cmyk")]}, "colour"),
        ({"status": "retired"}, "status"),
    ],
)
async def test_invalid_product_is_422_naming_the_field(client, operator, changes, field):
    response = await client.post(PRODUCTS, json=product(**changes), headers=operator)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(field in error["loc"] for error in errors), errors


async def test_a_product_without_required_fields_is_422_naming_each(client, operator):
    response = await client.post(PRODUCTS, json={}, headers=operator)
    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["errors"]} == {"product_uid", "name", "type"}


async def test_a_duplicate_uid_is_409_and_changes_nothing(client, operator, app):
    await create(client, operator)
    response = await create(client, operator, name="Another")
    assert response.status_code == 409
    assert response.json()["product_uid"] == "flyer_a5_135gsm"
    assert (await client.get(f"{PRODUCTS}/flyer_a5_135gsm", headers=operator)).json()["name"] == (
        "Flyer A5 135 g"
    )
    assert len(await catalog_events(app)) == 1


async def test_concurrent_creates_of_one_uid_exactly_one_wins(client, operator):
    responses = await asyncio.gather(*(create(client, operator, uid="race") for _ in range(6)))
    assert sorted(response.status_code for response in responses) == [201] + [409] * 5


async def test_an_unknown_product_is_404_problem(client, operator):
    response = await client.get(f"{PRODUCTS}/nothing-here", headers=operator)
    assert response.status_code == 404
    assert response.json()["type"].endswith("catalog-product-not-found")


async def test_a_malformed_uid_in_the_path_is_422_naming_it(client, operator):
    response = await client.get(f"{PRODUCTS}/Not%20A%20Uid", headers=operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "product_uid"]


async def test_patch_changes_only_the_fields_sent(client, operator):
    created = (await create(client, operator)).json()
    response = await client.patch(
        f"{PRODUCTS}/flyer_a5_135gsm",
        json={"name": "Flyer A5", "attributes": {"paper": ["recycled"]}},
        headers=operator,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["type"], body["attributes"], body["version"]) == (
        "Flyer A5",
        "flyer",
        {"paper": ["recycled"]},
        2,
    )
    assert body["print_areas"] == created["print_areas"]
    assert body["updated_at"] > body["created_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"type": "Not Valid"}, "type"),
        ({"print_areas": None}, "print_areas"),
        ({"product_uid": "renamed"}, "product_uid"),
        ({"status": "retired"}, "status"),
    ],
)
async def test_invalid_patch_is_422_naming_the_field(client, operator, body, field):
    await create(client, operator)
    response = await client.patch(f"{PRODUCTS}/flyer_a5_135gsm", json=body, headers=operator)
    assert response.status_code == 422, response.text
    assert any(error["loc"][-1] == field for error in response.json()["errors"])


async def test_patch_of_an_unknown_product_is_404(client, operator):
    response = await client.patch(f"{PRODUCTS}/nothing-here", json={"name": "X"}, headers=operator)
    assert response.status_code == 404


async def test_retire_and_reactivate_change_the_status_once_each(client, operator):
    await create(client, operator)
    retired = await client.post(f"{PRODUCTS}/flyer_a5_135gsm/retire", headers=operator)
    again = await client.post(f"{PRODUCTS}/flyer_a5_135gsm/retire", headers=operator)
    assert (retired.status_code, retired.json()["status"], retired.json()["version"]) == (200, "retired", 2)
    assert (again.json()["status"], again.json()["version"]) == ("retired", 2)
    reactivated = await client.post(f"{PRODUCTS}/flyer_a5_135gsm/reactivate", headers=operator)
    assert (reactivated.json()["status"], reactivated.json()["version"]) == ("active", 3)


async def test_a_retired_product_keeps_its_uid(client, operator):
    await create(client, operator)
    await client.post(f"{PRODUCTS}/flyer_a5_135gsm/retire", headers=operator)
    assert (await create(client, operator)).status_code == 409


async def test_retiring_an_unknown_product_is_404(client, operator):
    response = await client.post(f"{PRODUCTS}/nothing-here/retire", headers=operator)
    assert response.status_code == 404


async def test_each_change_records_one_event_with_the_next_version(client, operator, app):
    await create(client, operator)
    uid = f"{PRODUCTS}/flyer_a5_135gsm"
    await client.patch(uid, json={"name": "Flyer A5"}, headers=operator)
    await client.patch(uid, json={"name": "Flyer A5"}, headers=operator)  # no change: no event
    await client.post(f"{uid}/retire", headers=operator)
    await client.post(f"{uid}/retire", headers=operator)
    await client.post(f"{uid}/reactivate", headers=operator)
    events = await catalog_events(app)
    assert [(event.aggregate_version, event.data["name"], event.data["status"]) for event in events] == [
        (1, "Flyer A5 135 g", "active"),
        (2, "Flyer A5", "active"),
        (3, "Flyer A5", "retired"),
        (4, "Flyer A5", "active"),
    ]
    assert len({event.aggregate_id for event in events}) == 1
    assert all(event.customer_id is None for event in events)
    first = events[0].data
    assert (first["product_uid"], first["type"], first["attributes"]) == (
        "flyer_a5_135gsm",
        "flyer",
        {"paper": ["matte", "gloss"], "size": ["A5"]},
    )
    assert first["print_areas"][0]["formats"] == ["pdf", "png"]
    assert first["print_areas"][0]["bleed_mm"] == 3.0


async def test_customer_users_read_the_catalog_but_may_not_write_it(client, operator, customer_user):
    await create(client, operator)
    uid = f"{PRODUCTS}/flyer_a5_135gsm"
    assert (await client.get(PRODUCTS, headers=customer_user)).status_code == 200
    assert (await client.get(uid, headers=customer_user)).status_code == 200
    refused = [
        await client.post(PRODUCTS, json=product(uid="other"), headers=customer_user),
        await client.patch(uid, json={"name": "Mine"}, headers=customer_user),
        await client.post(f"{uid}/retire", headers=customer_user),
        await client.post(f"{uid}/reactivate", headers=customer_user),
    ]
    assert [response.status_code for response in refused] == [403] * 4
    assert (await client.get(uid, headers=operator)).json()["version"] == 1


async def test_nobody_signed_in_may_read_or_write(client):
    assert (await client.get(PRODUCTS)).status_code == 401
    assert (await client.get(f"{PRODUCTS}/flyer")).status_code == 401
    assert (await client.post(PRODUCTS, json=product())).status_code == 401
