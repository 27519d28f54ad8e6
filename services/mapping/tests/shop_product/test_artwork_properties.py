"""A mapping's artwork properties: print areas whose file each order brings in its line's property (a
shop's customiser), instead of a design file. Checked against the catalog product's print areas, never
both a file and a property for one area; a covered area is not `file_missing`; `mapping.changed` carries
them."""

import uuid
from typing import Any

import httpx
import pytest

from ..template.conftest import TWO_SIDED
from .conftest import Shop, events
from .test_mappings import becomes
from .test_products_csv import export, imported, variant, write

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


async def test_the_products_csv_keeps_a_mappings_artwork_properties_where_it_gives_no_file(
    client, shop: Shop, catalog, files_url
) -> None:
    variant_id = await mapped_variant(client, shop)
    flyer = {
        "product_uid": "flyer_a5",
        "attributes": {"paper": "matte"},
        "artwork_properties": {"front": ARTWORK},
    }
    assert (await put(client, shop, variant_id, flyer)).status_code == 200
    [row] = await export(client, shop)
    assert (row["product_uid"], row["design_file_url"]) == ("flyer_a5", "")

    done = await imported(client, shop, write([{**row, "attr:paper": "gloss"}]))

    assert (done["applied_rows"], done["failed_rows"]) == (1, 0)
    kept = await variant(client, shop, variant_id)
    assert kept["mapping"]["attributes"]["paper"] == "gloss"
    assert (kept["mapping"]["artwork_properties"], kept["mapping_status"]) == ({"front": ARTWORK}, "mapped")
    assert (await events(shop.app, "mapping.changed"))[-1].data["artwork_properties"] == {"front": ARTWORK}
    with_file = await imported(client, shop, write([{**row, "design_file_url": f"{files_url}/front.pdf"}]))
    assert with_file["applied_rows"] == 1
    replaced = await variant(client, shop, variant_id)
    assert replaced["mapping"]["artwork_properties"] == {}  # the file takes the area
    assert replaced["mapping"]["files"]["front"]["url"] == f"{files_url}/front.pdf"


async def test_an_artwork_area_the_catalog_product_no_longer_has_needs_attention(
    client, shop: Shop, catalog, files_url, operator
) -> None:
    variant_id = await mapped_variant(client, shop)
    both = duplex(files_url, files={}, artwork_properties={"front": ARTWORK, "back": "Back artwork"})
    assert (await put(client, shop, variant_id, both)).json()["mapping_status"] == "mapped"
    [front] = [area for area in TWO_SIDED if area["name"] == "front"]

    changed = await client.patch(
        "/v1/catalog/products/flyer_a5_duplex", json={"print_areas": [front]}, headers=operator
    )

    assert changed.status_code == 200, changed.text
    found = await variant(client, shop, variant_id)
    assert found["mapping_status"] == "needs_attention"
    [issue] = found["mapping"]["issues"]
    assert issue["code"] == "spec_invalid"
    assert issue["message"].startswith("artwork_properties.back: 'flyer_a5_duplex' has no print area 'back'")
    last = (await events(shop.app, "mapping.changed"))[-1]
    assert (last.data["status"], last.data["issues"]) == ("needs_attention", ["spec_invalid"])
