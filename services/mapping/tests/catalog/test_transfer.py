"""Import and export: an upsert by uid, row by row, with every bad row reported and nothing of it
applied; the same file twice, or the catalog's own export, changes nothing."""

import json

import pytest

from printbridge_shared.routes import CATALOG_IMPORT_MAX_BYTES

from .conftest import PRODUCTS, catalog_events, create, product

IMPORT = f"{PRODUCTS}/import"


async def import_json(client, headers, products):
    return await client.post(
        IMPORT, content=json.dumps(products), headers={**headers, "content-type": "application/json"}
    )


async def import_csv(client, headers, text, *, encoding="utf-8"):
    return await client.post(
        IMPORT, content=text.encode(encoding), headers={**headers, "content-type": "text/csv; charset=utf-8"}
    )


async def test_a_json_import_creates_new_products_and_changes_held_ones(client, operator):
    await create(client, operator, uid="flyer_a5")
    response = await import_json(
        client,
        operator,
        [product(uid="flyer_a5", name="Flyer A5 (new paper)"), product(uid="poster_a1", type="poster")],
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0, "failed": 0, "errors": []}
    assert (await client.get(f"{PRODUCTS}/flyer_a5", headers=operator)).json()[
        "name"
    ] == "Flyer A5 (new paper)"
    assert (await client.get(f"{PRODUCTS}/poster_a1", headers=operator)).json()["type"] == "poster"


async def test_bad_rows_are_reported_and_only_they_are_left_out(client, operator):
    response = await import_json(
        client,
        operator,
        [
            product(uid="good"),
            product(uid="Bad Uid"),
            product(
                uid="bad-area",
                print_areas=[{"name": "front", "formats": ["gif"], "trim_width_mm": 1, "trim_height_mm": 1}],
            ),
            product(uid="good", name="Twice"),
            "not a product",
        ],
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"], result["unchanged"], result["failed"]) == (1, 0, 0, 4)
    assert [(error["row"], error["column"]) for error in result["errors"]] == [
        (2, "product_uid"),
        (3, "print_areas.0.formats.0"),
        (4, "product_uid"),
        (5, "(product)"),
    ]
    assert "also in row 1" in result["errors"][2]["message"]
    listed = (await client.get(PRODUCTS, headers=operator)).json()["items"]
    assert [(item["product_uid"], item["name"]) for item in listed] == [("good", "Flyer A5 135 g")]


async def test_the_same_file_twice_changes_nothing_and_records_no_event(client, operator, app):
    products = [product(uid=f"p{index}", name=f"Product {index}") for index in range(5)]
    first = await import_json(client, operator, products)
    second = await import_json(client, operator, products)
    assert first.json()["created"] == 5
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 5, "failed": 0, "errors": []}
    assert len(await catalog_events(app)) == 5


async def test_an_import_without_status_keeps_a_retired_product_retired(client, operator):
    await create(client, operator, uid="old")
    await client.post(f"{PRODUCTS}/old/retire", headers=operator)
    await import_json(client, operator, [product(uid="old", name="Renamed")])
    held = (await client.get(f"{PRODUCTS}/old", headers=operator)).json()
    assert (held["name"], held["status"]) == ("Renamed", "retired")
    await import_json(client, operator, [product(uid="old", name="Renamed", status="active")])
    assert (await client.get(f"{PRODUCTS}/old", headers=operator)).json()["status"] == "active"


async def test_json_export_imported_again_changes_nothing(client, operator, app):
    await create(client, operator, uid="flyer_a5")
    await create(client, operator, uid="poster", type="poster", attributes={}, print_areas=[])
    await client.post(f"{PRODUCTS}/poster/retire", headers=operator)
    exported = await client.get(f"{PRODUCTS}/export.json", headers=operator)
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="catalog.json"'
    assert [item["product_uid"] for item in exported.json()] == ["flyer_a5", "poster"]
    events = len(await catalog_events(app))
    again = await import_json(client, operator, exported.json())
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0, "errors": []}
    assert len(await catalog_events(app)) == events


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"{not json", "not valid JSON"), (b'{"product_uid": "x"}', "JSON array")],
)
async def test_a_body_that_is_no_json_array_is_422(client, operator, body, message):
    response = await client.post(
        IMPORT, content=body, headers={**operator, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]


async def test_a_json_import_beyond_the_apis_json_limit_is_422_pointing_to_fewer_members(client, operator):
    response = await import_json(client, operator, [product(uid=f"p{index}") for index in range(1_000)])
    assert response.status_code == 422
    assert response.json()["type"].endswith("body-too-complex")


async def test_a_csv_import_of_more_than_10000_products_is_422(client, operator):
    rows = "".join(f"p{index},Product,flyer\n" for index in range(10_001))
    response = await import_csv(client, operator, "product_uid,name,type\n" + rows)
    assert response.status_code == 422
    assert "at most 10000" in response.json()["detail"]


async def test_only_the_first_1000_errors_are_listed_and_every_failed_row_counted(client, operator):
    rows = "".join(f"P{index},Product,flyer\n" for index in range(1_001))
    result = (await import_csv(client, operator, "product_uid,name,type\n" + rows)).json()
    assert (result["created"], result["failed"], len(result["errors"])) == (0, 1_001, 1_000)


async def test_an_import_over_the_body_limit_is_413(client, operator):
    response = await client.post(
        IMPORT,
        content=b"[" + b" " * CATALOG_IMPORT_MAX_BYTES + b"]",
        headers={**operator, "content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_an_import_of_another_media_type_is_415(client, operator):
    response = await client.post(
        IMPORT, content=b"<products/>", headers={**operator, "content-type": "application/xml"}
    )
    assert response.status_code == 415
    assert "text/csv" in response.json()["detail"]


async def test_customer_users_may_export_but_not_import(client, operator, customer_user):
    await create(client, operator)
    assert (await client.get(f"{PRODUCTS}/export.json", headers=customer_user)).status_code == 200
    assert (await client.get(f"{PRODUCTS}/export.csv", headers=customer_user)).status_code == 200
    assert (await import_json(client, customer_user, [product(uid="mine")])).status_code == 403
    assert (
        await import_csv(client, customer_user, "product_uid,name,type\nmine,Mine,flyer\n")
    ).status_code == 403


async def test_nobody_signed_in_may_export_or_import(client):
    assert (await client.get(f"{PRODUCTS}/export.json")).status_code == 401
    assert (await client.get(f"{PRODUCTS}/export.csv")).status_code == 401
    assert (await client.post(IMPORT, json=[])).status_code == 401


async def test_the_export_paths_are_never_taken_for_a_product(client, operator):
    response = await client.patch(f"{PRODUCTS}/export.json", json={"name": "X"}, headers=operator)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
