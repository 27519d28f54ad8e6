"""A mapping's artwork properties: print areas whose file each order brings in its line's property (a
shop's customiser), instead of a design file. Checked against the catalog product's print areas, never
both a file and a property for one area; a covered area is not `file_missing`; `mapping.changed` carries
them."""

import uuid
from typing import Any

import httpx
import pytest

from .conftest import Shop, events
from .test_mappings import becomes

ARTWORK = "_artwork_url"


def duplex(files_url: str, **changes: Any) -> dict[str, Any]:
    """The two-sided flyer: a fixed back, the front from each order's `_artwork_url` property."""
    return {
        "product_uid": "flyer_a5_duplex",
        "attributes": {"paper": "matte"},
        "files": {"back": f"{files_url}/back.pdf"},
        "artwork_properties": {"front": ARTWORK},
        **changes,
    }


async def put(
    client: httpx.AsyncClient, shop: Shop, variant_id: str, body: dict, role: str = "admin"
) -> httpx.Response:
    return await client.put(f"/v1/shop-variants/{variant_id}/mapping", json=body, headers=shop.headers[role])


async def mapped_variant(client: httpx.AsyncClient, shop: Shop) -> str:
    await shop.connect()
    await shop.synced()
    return await shop.variant_id(client, "FL-A5")


async def test_an_area_covered_by_an_artwork_property_needs_no_design_file(
    client, shop: Shop, catalog, files_url
) -> None:
    variant_id = await mapped_variant(client, shop)

    answer = await put(client, shop, variant_id, duplex(files_url, files={}), role="store_manager")

    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["mapping"]["artwork_properties"] == {"front": ARTWORK}
    assert found["mapping"]["files"] == {}
    assert [(issue["code"], issue["area"]) for issue in found["mapping"]["issues"]] == [
        ("file_missing", "back")
    ]
    covered = await put(
        client, shop, variant_id, {**duplex(files_url), "files": {}, "artwork_properties": {}}
    )
    assert {issue["area"] for issue in covered.json()["mapping"]["issues"]} == {"front", "back"}
    only_artwork = await put(
        client,
        shop,
        variant_id,
        duplex(files_url, files={}, artwork_properties={"front": ARTWORK, "back": "Back artwork"}),
    )
    assert only_artwork.status_code == 200, only_artwork.text
    assert (only_artwork.json()["mapping_status"], only_artwork.json()["mapping"]["status"]) == (
        "mapped",
        "ok",
    )
    last = (await events(shop.app, "mapping.changed"))[-1]
    assert last.data["artwork_properties"] == {"front": ARTWORK, "back": "Back artwork"}
    assert (last.data["status"], last.data["files"], last.data["issues"]) == ("mapped", {}, [])


async def test_a_fixed_file_and_an_artwork_property_become_mapped_once_the_file_passed(
    client, shop: Shop, catalog, files_url
) -> None:
    variant_id = await mapped_variant(client, shop)

    assert (await put(client, shop, variant_id, duplex(files_url))).status_code == 200

    mapped = await becomes(client, shop, variant_id, "mapped")
    assert mapped["mapping"]["files"]["back"]["status"] == "passed"
    assert mapped["mapping"]["artwork_properties"] == {"front": ARTWORK} and mapped["issues"] == []
    last = (await events(shop.app, "mapping.changed"))[-1]
    assert (last.data["status"], last.data["artwork_properties"]) == ("mapped", {"front": ARTWORK})
    assert list(last.data["files"]) == ["back"]
    again = await put(client, shop, variant_id, duplex(files_url))
    assert again.status_code == 200
    assert (await events(shop.app, "mapping.changed"))[-1].id == last.id  # the same mapping: no event


@pytest.mark.parametrize(
    ("artwork", "loc", "said"),
    [
        ({"inside": ARTWORK}, ["inside"], "'flyer_a5_duplex' has no print area 'inside' (its print areas"),
        ({"back": ARTWORK}, ["back"], "either a fixed file or the order's artwork, not both"),
        ({"front": ""}, ["front"], "must not be empty"),
        ({"front": "x" * 256}, ["front"], "at most 255 characters"),
        ({"front": "artwork\nurl"}, ["front"], "must be one line"),
        ({"front": "   "}, ["front"], "must not be blank"),
        ({"front": "art\x00work"}, ["front"], "control characters"),
        ({"Front": ARTWORK}, ["Front", "[key]"], "a print area is named"),
        ({f"area{index}": ARTWORK for index in range(21)}, [], "at most 20 items"),
        (["front"], [], "valid dictionary"),
    ],
    ids=[
        "unknown area",
        "file and property",
        "empty name",
        "long name",
        "two lines",
        "blank",
        "control character",
        "bad area name",
        "too many",
        "not an object",
    ],
)
async def test_a_bad_artwork_property_is_refused_naming_it(
    client, shop: Shop, catalog, files_url, artwork, loc, said
) -> None:
    variant_id = await mapped_variant(client, shop)

    answer = await put(client, shop, variant_id, duplex(files_url, artwork_properties=artwork))

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    (error,) = answer.json()["errors"]
    assert error["loc"] == ["body", "artwork_properties", *loc]
    assert said in error["msg"], error["msg"]
    if loc == ["inside"]:
        assert "'back', 'front'" in error["msg"]
    bulk = await client.post(
        "/v1/shop-variants/mappings",
        json={**duplex(files_url, artwork_properties=artwork), "shop_variant_ids": [variant_id]},
        headers=shop.headers["admin"],
    )
    assert bulk.status_code == 422 and bulk.json()["errors"][0]["loc"] == ["body", "artwork_properties", *loc]
    assert await events(shop.app, "mapping.changed") == []


async def test_several_variants_are_mapped_with_the_same_artwork_properties(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    await shop.synced(variants=[("1001", "FL-A5", {}), ("1002", "FL-A4", {})])
    ids = [await shop.variant_id(client, "FL-A5"), await shop.variant_id(client, "FL-A4")]

    done = await client.post(
        "/v1/shop-variants/mappings",
        json={**duplex(files_url), "shop_variant_ids": ids},
        headers=shop.headers["admin"],
    )

    assert done.status_code == 200, done.text
    assert [v["mapping"]["artwork_properties"] for v in done.json()] == [{"front": ARTWORK}] * 2
    changed = await events(shop.app, "mapping.changed")
    assert {e.data["shop_variant_id"]: e.data["artwork_properties"] for e in changed} == {
        variant_id: {"front": ARTWORK} for variant_id in ids
    }


async def test_who_may_not_map_a_variant_with_artwork_properties(
    client, shop: Shop, catalog, files_url
) -> None:
    variant_id = await mapped_variant(client, shop)
    path = f"/v1/shop-variants/{variant_id}/mapping"

    assert (await client.put(path, json=duplex(files_url))).status_code == 401
    for role, status in (
        ("viewer", 403),
        ("order_manager", 403),
        ("other", 404),
        ("other_store_manager", 404),
    ):
        assert (await put(client, shop, variant_id, duplex(files_url), role=role)).status_code == status, role
    assert (await put(client, shop, str(uuid.uuid4()), duplex(files_url))).status_code == 404
    assert (await client.get(f"/v1/shop-variants/{variant_id}", headers=shop.headers["admin"])).json()[
        "mapping"
    ] is None
