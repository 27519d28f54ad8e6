"""Artwork from an order line's properties: a variant whose mapping says "the file for this print area is the
URL in the line's property P" resolves each order with that URL as the area's file, checked like a manual
order's files against a real HTTPS file server on a local socket. A missing property holds the line as
`spec_mismatch`, an address that is no http(s) URL as `file_unreachable` without a fetch, a failing file
with its file hold until it is fixed at its address and checked again."""

from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI

from orders.models import VariantMappingView
from printbridge_shared.testing_files import LOGIN_PAGE

from .conftest import FILES, FLYER, FRONT, GOOD_PDF, VARIANT_ID, codes, passed

ARTWORK = "_artwork_url"
BACK = "https://files.brand.example/back.pdf"


@pytest.fixture
def app(files_app: FastAPI) -> FastAPI:
    return files_app


def a_line(*properties: tuple[str, str]) -> dict[str, Any]:
    """The line of 250 flyers of the mapped variant, with the properties the shop's customiser sent."""
    return {
        "external_id": "11",
        "external_product_id": "7513594",
        "external_variant_id": VARIANT_ID,
        "sku": "FLYER-A5",
        "title": "Summer flyer",
        "quantity": 250,
        "unit_price": Decimal("0.20"),
        "properties": [{"name": name, "value": value} for name, value in properties],
    }


@pytest.fixture
async def artwork_mapped(deliver, catalog_product, mapping) -> None:
    """The flyer (one `front` area), its variant mapped with the front from each order's `_artwork_url`."""
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(files={}, artwork_properties={"front": ARTWORK}), aggregate_version=1)


@pytest.fixture
def recheck(client, operator):
    async def post(order: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post(f"/v1/orders/{order['id']}/files/recheck", headers=operator)
        assert answer.status_code == 202, answer.text
        return dict(answer.json())

    return post


async def test_the_artwork_in_the_lines_property_is_checked_and_becomes_the_items_file(
    deliver, catalog_product, mapping, flyer_order, read_order, reaches, files_url
):
    flyer = catalog_product()
    front = flyer.print_areas[0].model_dump()
    await deliver(catalog_product(print_areas=[front, {**front, "name": "back"}]), aggregate_version=1)
    await deliver(
        mapping(files={"back": passed(BACK)}, artwork_properties={"front": ARTWORK}), aggregate_version=1
    )
    url = f"{files_url}/front.pdf"

    await deliver(
        flyer_order(
            line_items=[a_line(("Name", "Ada"), (ARTWORK, url), (ARTWORK, f"{files_url}/second.pdf"))]
        )
    )

    waiting = await read_order()
    assert (waiting["status"], waiting["hold_reasons"], waiting["line_items"][0]["item"]) == (
        "received",
        [],
        None,
    )
    routed = await reaches("routed", "5001")
    [line] = routed["line_items"]
    assert line["item"] == {
        "product_uid": FLYER,
        "product_type": "flyer",
        "quantity": 250,
        "attributes": {"paper": "matte"},
        "files": {"back": BACK, "front": url},  # the first property of the name wins
        "source": {"kind": "mapping", "shop_variant_id": line["item"]["source"]["shop_variant_id"]},
    }
    assert "'front' print file of item 0 was checked: passed" in routed["history"][-1]["detail"]


@pytest.mark.parametrize(
    "properties",
    [(), (("_Artwork_URL", "https://files.brand.example/a.pdf"),), ((ARTWORK, "  "),)],
    ids=["no property", "another name", "empty"],
)
async def test_a_line_without_the_artwork_property_is_held_until_the_variant_is_mapped_with_a_file(
    deliver, mapping, flyer_order, read_order, artwork_mapped, properties
):
    await deliver(flyer_order(line_items=[a_line(*properties)]))

    held = await read_order()
    assert held["status"] == "on_hold"
    [reason] = held["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("spec_mismatch", 0)
    assert reason["message"] == "the order's line has no '_artwork_url' property with the artwork for 'front'"
    assert reason["fix"].startswith(
        "the shop's customiser must send it; or map the variant with a fixed file"
    )
    assert "PUT /v1/shop-variants/" in reason["fix"]

    await deliver(mapping(), aggregate_version=2)

    released = await read_order()
    assert (released["status"], released["hold_reasons"]) == ("routed", [])
    assert released["line_items"][0]["item"]["files"] == {"front": FRONT}


@pytest.mark.parametrize(
    "value",
    ["ftp://files.brand.example/a.pdf", "artwork.pdf", "https://user:secret@files.brand.example/a.pdf"],
)
async def test_an_artwork_that_is_no_web_address_is_unreachable_without_a_fetch(
    deliver, flyer_order, read_order, artwork_mapped, recheck, value
):
    await deliver(flyer_order(line_items=[a_line((ARTWORK, value))]))

    held = await read_order()
    assert held["status"] == "on_hold"
    [reason] = held["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("file_unreachable", 0)
    assert (
        "'front' artwork of 'Summer flyer', SKU FLYER-A5 (its '_artwork_url' property)" in reason["message"]
    )
    assert reason["fix"].startswith("the shop's customiser must send the artwork's public https:// address")
    assert await recheck(held) == {"queued": 0}  # nothing was, or is, fetched


@pytest.mark.parametrize(
    ("served", "code", "said"),
    [(LOGIN_PAGE.encode(), "file_format", "web page"), (None, "file_unreachable", "404")],
    ids=["web page behind a .pdf link", "404"],
)
async def test_a_failing_artwork_holds_the_order_until_it_is_fixed_at_its_address_and_checked_again(
    deliver, flyer_order, artwork_mapped, reaches, recheck, fixable, served, code, said
):
    name, url = fixable
    if served is not None:
        FILES[name] = served
    await deliver(flyer_order(line_items=[a_line((ARTWORK, url))]))

    held = await reaches("on_hold", "5001")

    [reason] = held["hold_reasons"]
    assert (reason["code"], reason["position"]) == (code, 0)
    assert said in reason["message"] and "'front' print file" in reason["message"]
    assert "the order is released when the file passes" in reason["fix"]

    FILES[name] = GOOD_PDF
    assert await recheck(held) == {"queued": 1}

    released = await reaches("routed", "5001")
    assert released["hold_reasons"] == []
    assert released["line_items"][0]["item"]["files"] == {"front": url}


@pytest.mark.parametrize("allow_private_urls", [False])
async def test_an_artwork_at_a_private_address_is_unreachable(deliver, flyer_order, artwork_mapped, reaches):
    await deliver(flyer_order(line_items=[a_line((ARTWORK, "https://10.0.0.1/artwork.pdf"))]))

    held = await reaches("on_hold", "5001")

    assert codes(held) == ["file_unreachable"]
    assert "10.0.0.1" in held["hold_reasons"][0]["message"]


async def test_the_shop_sending_the_artwork_in_a_new_version_of_the_order_releases_it(
    deliver, flyer_order, read_order, artwork_mapped, reaches, files_url
):
    await deliver(flyer_order(line_items=[a_line()]))
    assert codes(await read_order()) == ["spec_mismatch"]

    url = f"{files_url}/front.pdf"
    await deliver(flyer_order("updated", updated_minutes=5, line_items=[a_line((ARTWORK, url))]))

    released = await reaches("routed", "5001")
    assert released["line_items"][0]["item"]["files"] == {"front": url}


async def test_the_projection_keeps_a_mappings_artwork_properties_and_forgets_them_when_unmapped(
    app, deliver, mapping, artwork_mapped, shop_variant_id
):
    async def kept() -> dict[str, str]:
        async with app.state.db.session() as session:
            found = await session.get(VariantMappingView, shop_variant_id)
            assert found is not None
            return dict(found.artwork_properties)

    assert await kept() == {"front": ARTWORK}
    await deliver(mapping(removed=True), aggregate_version=2)
    assert await kept() == {}
