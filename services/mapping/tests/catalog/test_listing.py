"""The catalog list: by name, searched by name or uid, filtered by type and status, cursor-paged."""

import pytest

from .conftest import PRODUCTS, create


async def names(client, headers, **params):
    response = await client.get(PRODUCTS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_search_is_case_insensitive_on_name_and_uid_and_takes_wildcards_literally(client, operator):
    await create(client, operator, uid="flyer_a5", name="Flyer A5")
    await create(client, operator, uid="poster_a1", name="Poster A1", type="poster")
    await create(client, operator, uid="sticker", name="Sticker 100% vinyl", type="sticker")
    assert await names(client, operator, q="FLYER") == ["Flyer A5"]
    assert await names(client, operator, q="r_a1") == ["Poster A1"]
    assert await names(client, operator, q="100%") == ["Sticker 100% vinyl"]
    assert await names(client, operator, q="_") == ["Flyer A5", "Poster A1"]
    assert await names(client, operator, q="nothing") == []


async def test_list_filters_by_type_and_status(client, operator):
    await create(client, operator, uid="flyer_a5", name="Flyer A5")
    await create(client, operator, uid="flyer_a6", name="Flyer A6")
    await create(client, operator, uid="poster_a1", name="Poster A1", type="poster")
    await client.post(f"{PRODUCTS}/flyer_a6/retire", headers=operator)
    assert await names(client, operator) == ["Flyer A5", "Flyer A6", "Poster A1"]
    assert await names(client, operator, type="flyer") == ["Flyer A5", "Flyer A6"]
    assert await names(client, operator, status="retired") == ["Flyer A6"]
    assert await names(client, operator, type="flyer", status="active") == ["Flyer A5"]


async def test_list_pages_through_the_whole_catalog_by_name(client, operator):
    for index in range(7):
        await create(client, operator, uid=f"p{index}", name=f"Product {index}")
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(PRODUCTS, params=params, headers=operator)).json()
        assert len(page["items"]) <= 3
        seen += [item["product_uid"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"p{index}" for index in range(7)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"type": "Not A Type"}, "type"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"q": "q" * 201}, "q"),
    ],
)
async def test_bad_list_parameters_are_422_naming_them(client, operator, params, field):
    response = await client.get(PRODUCTS, params=params, headers=operator)
    assert response.status_code == 422, response.text
    assert any(error["loc"][-1] == field for error in response.json()["errors"])
