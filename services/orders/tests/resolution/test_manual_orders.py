"""Manual orders through resolution: a line naming a catalog product (its options as attributes, its print
files checked by the service's jobs against a real HTTPS file server on a local socket), a template or a
shop SKU of the customer; what holds such an order (a failing file, a private address, a spec the catalog
does not take, a retired product, an unknown template, an SKU mapped twice) and what releases it (the file
fixed at its address and checked again, the catalog or the template changed). CSV imports resolve alike."""

import csv
import io
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared.events.contracts import Platform, TemplateRemoved
from printbridge_shared.testing import SHIPPING_ADDRESS
from printbridge_shared.testing_files import LOGIN_PAGE, pdf

from .conftest import FILES, FLYER, FRONT, GOOD_PDF, NOW, codes, status_events

PROBLEM = "application/problem+json"


@pytest.fixture
def app(files_app: FastAPI) -> FastAPI:
    return files_app


@pytest.fixture
async def manual_store(deliver, store_connected, store_id) -> uuid.UUID:
    """The test's customer's manual store, as connectors announced it."""
    await deliver(store_connected(platform=Platform.manual, name="Direct orders"))
    return store_id


def line(**fields: Any) -> dict[str, Any]:
    """A line of 250 gloss flyers with a front file; a field given as None is left out."""
    values: dict[str, Any] = {
        "product_uid": FLYER,
        "quantity": 250,
        "options": {"paper": "gloss"},
        "files": {"front": FRONT},
    }
    return {key: value for key, value in {**values, **fields}.items() if value is not None}


def an_order(*lines: dict[str, Any], reference: str = "PO-1") -> dict[str, Any]:
    return {
        "reference": reference,
        "currency": "EUR",
        "shipping_address": dict(SHIPPING_ADDRESS),
        "line_items": list(lines) or [line()],
    }


@pytest.fixture
def place(client: httpx.AsyncClient, user_headers, manual_store):
    """Places an order into the manual store as an order manager; the order as the answer shows it."""

    async def post(*lines: dict[str, Any], reference: str = "PO-1") -> dict[str, Any]:
        answer = await client.post(
            f"/v1/stores/{manual_store}/orders",
            json=an_order(*lines, reference=reference),
            headers=user_headers("order_manager"),
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    return post


async def test_a_catalog_product_with_options_and_a_good_file_waits_for_the_check_and_is_routed(
    app, deliver, catalog_product, place, reaches, files_url
):
    await deliver(catalog_product(), aggregate_version=1)

    placed = await place(line(files={"front": f"{files_url}/front.pdf"}))

    assert (placed["status"], placed["hold_reasons"]) == ("received", [])
    [waiting] = placed["line_items"]
    assert waiting["item"] is None
    order = await reaches("routed")
    [resolved] = order["line_items"]
    assert resolved["item"] == {
        "product_uid": FLYER,
        "product_type": "flyer",
        "quantity": 250,
        "attributes": {"paper": "gloss"},
        "files": {"front": f"{files_url}/front.pdf"},
        "source": {"kind": "catalog"},
    }
    assert "'front' print file of item 0 was checked: passed" in order["history"][-1]["detail"]
    assert [e.data["status"] for e in await status_events(app)] == ["received", "routed"]


@pytest.mark.parametrize(
    ("served", "code", "said"),
    [
        (LOGIN_PAGE.encode(), "file_format", "web page"),
        (None, "file_unreachable", "404"),
    ],
    ids=["web page behind a .pdf link", "404"],
)
async def test_a_failing_file_holds_the_order_until_it_is_fixed_at_its_address_and_checked_again(
    client, user_headers, deliver, catalog_product, place, reaches, fixable, served, code, said
):
    name, url = fixable
    if served is not None:
        FILES[name] = served
    await deliver(catalog_product(), aggregate_version=1)
    placed = await place(line(files={"front": url}))

    held = await reaches("on_hold")

    [reason] = held["hold_reasons"]
    assert (reason["code"], reason["position"]) == (code, 0)
    assert said in reason["message"] and "'front' print file" in reason["message"]
    assert "the order is released when the file passes" in reason["fix"]

    FILES[name] = GOOD_PDF
    recheck = await client.post(
        f"/v1/orders/{placed['id']}/files/recheck", headers=user_headers("order_manager")
    )

    assert (recheck.status_code, recheck.json()) == (202, {"queued": 1})
    released = await reaches("routed")
    assert released["hold_reasons"] == []
    assert released["line_items"][0]["item"]["files"] == {"front": url}


@pytest.mark.parametrize("recheck_interval_s", [0.2])
async def test_a_failed_file_fixed_at_its_address_releases_the_order_without_anyone_asking(
    deliver, catalog_product, place, reaches, fixable
):
    name, url = fixable
    await deliver(catalog_product(), aggregate_version=1)
    await place(line(files={"front": url}))
    assert codes(await reaches("on_hold")) == ["file_unreachable"]

    FILES[name] = GOOD_PDF

    released = await reaches("routed")
    assert "'front' print file of item 0 was checked: passed" in released["history"][-1]["detail"]


async def test_a_web_page_behind_a_pdf_link_of_a_file_host_fails_as_html(
    deliver, catalog_product, place, reaches, files_url
):
    await deliver(catalog_product(), aggregate_version=1)

    await place(line(files={"front": files_url.replace("/files", "/download") + "/front.pdf"}))

    [reason] = (await reaches("on_hold"))["hold_reasons"]
    assert reason["code"] == "file_format" and "web page (HTML)" in reason["message"]


@pytest.mark.parametrize("allow_private_urls", [False])
async def test_a_file_at_a_private_address_holds_the_order_as_unreachable(
    deliver, catalog_product, place, reaches
):
    await deliver(catalog_product(), aggregate_version=1)

    await place(line(files={"front": "https://10.0.0.1/x.pdf"}))

    [reason] = (await reaches("on_hold"))["hold_reasons"]
    assert reason["code"] == "file_unreachable"
    assert "10.0.0.1" in reason["message"] and "private" in reason["message"]
    assert reason["fix"].startswith("host the file at a public https:// address")


@pytest.mark.parametrize(
    ("given", "code", "said", "fixed"),
    [
        (
            {"options": {"paper": "silk"}},
            "spec_mismatch",
            "'silk' is not a value of 'paper' (allowed: matte, gloss)",
            {"attributes": {"paper": ["matte", "gloss", "silk"]}},
        ),
        (
            {"options": {}},
            "spec_mismatch",
            "attribute 'paper' is missing (one of: matte, gloss)",
            {"attributes": {"paper": ["gloss"]}},
        ),
        (
            {"options": {"paper": "gloss", "fold": "half"}},
            "spec_mismatch",
            "the product has no attribute 'fold' (it has: paper)",
            {"attributes": {"paper": ["matte", "gloss"], "fold": ["half", "none"]}},
        ),
        (
            {"files": {"front": "front.pdf", "inside": "inside.pdf"}},
            "spec_mismatch",
            "the product has no print area 'inside' (it has: front)",
            {"print_areas": "front and inside"},
        ),
        (
            {"product_uid": "flyer_a6"},
            "spec_mismatch",
            "names product 'flyer_a6', which the catalog does not have",
            {"product_uid": "flyer_a6"},
        ),
        ({}, "product_retired", f"the catalog product '{FLYER}' of", {"status": "active"}),
    ],
    ids=["wrong value", "missing attribute", "unknown attribute", "unknown print area", "unknown", "retired"],
)
async def test_a_spec_the_catalog_does_not_take_holds_the_order_until_the_catalog_changes(
    deliver, catalog_product, place, reaches, files_url, given, code, said, fixed
):
    front = f"{files_url}/front.pdf"
    if "files" in given:
        given = {"files": {area: f"{files_url}/{name}" for area, name in given["files"].items()}}
    flyer = catalog_product()
    area = flyer.print_areas[0]
    await deliver(
        catalog_product(status="retired") if code == "product_retired" else flyer, aggregate_version=1
    )

    held = await place(line(**{"files": {"front": front}, **given}))

    assert held["status"] == "on_hold"
    [reason] = held["hold_reasons"]
    assert (reason["code"], reason["position"]) == (code, 0)
    assert said in reason["message"], reason["message"]
    assert reason["fix"].startswith("correct the order's line (cancel it and order again)")

    if fixed.get("print_areas"):
        fixed = {"print_areas": [area.model_dump(), {**area.model_dump(), "name": "inside"}]}
    await deliver(catalog_product(**fixed), aggregate_version=2)

    released = await reaches("routed")
    assert released["line_items"][0]["item"]["product_uid"] == fixed.get("product_uid", FLYER)
    assert released["hold_reasons"] == []


async def test_a_line_by_template_is_produced_with_the_templates_spec(
    deliver, catalog_product, template, place
):
    summer = template()
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(summer, aggregate_version=1)

    order = await place(line(product_uid=None, options=None, files=None, template_id=str(summer.template_id)))

    assert order["status"] == "routed", order["hold_reasons"]
    assert order["line_items"][0]["item"] == {
        "product_uid": FLYER,
        "product_type": "flyer",
        "quantity": 250,
        "attributes": {"paper": "gloss"},
        "files": {"front": FRONT},
        "source": {"kind": "template", "template_id": str(summer.template_id)},
    }


async def test_a_template_of_another_customer_is_not_the_customers_to_order_by(
    deliver, catalog_product, template, place
):
    theirs = template(customer_id=uuid.uuid4())
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(theirs, aggregate_version=1)

    order = await place(line(product_uid=None, options=None, files=None, template_id=str(theirs.template_id)))

    [reason] = order["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("unmapped_item", 0)
    assert f"names template {theirs.template_id}, which does not exist" in reason["message"]
    assert "GET /v1/templates" in reason["fix"]


async def test_a_template_whose_file_failed_holds_new_orders_and_a_deleted_one_leaves_them_unmapped(
    deliver, catalog_product, template, place, read_order, customer_id
):
    summer = template()
    by_template = line(product_uid=None, options=None, files=None, template_id=str(summer.template_id))
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(summer, aggregate_version=1)
    assert (await place(by_template, reference="PO-1"))["status"] == "routed"
    failing = {
        "url": FRONT,
        "status": "failed",
        "problem": "file_too_small",
        "message": "the page is 148 x 210 mm; the print size is 154 x 216 mm",
        "fix": "export the page at 154 x 216 mm",
        "checked_at": NOW,
    }

    await deliver(
        template(template_id=summer.template_id, files={"front": failing}, status="file_failed"),
        aggregate_version=2,
    )
    held = await place(by_template, reference="PO-2")

    [reason] = held["hold_reasons"]
    assert reason["code"] == "file_too_small" and "154 x 216" in reason["message"]
    assert reason["fix"].startswith("export the page at 154 x 216 mm")
    assert (await read_order("PO-1"))["status"] == "routed"  # routed orders keep what they were

    await deliver(
        TemplateRemoved(template_id=summer.template_id, customer_id=customer_id, removed_at=NOW),
        aggregate_version=3,
    )

    assert codes(await read_order("PO-2")) == ["unmapped_item"]


async def test_a_line_by_sku_is_resolved_through_the_customers_variant_mapping(
    deliver, catalog_product, mapping, place, shop_variant_id
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)

    order = await place(line(product_uid=None, options=None, files=None, sku="FLYER-A5"))

    assert order["status"] == "routed", order["hold_reasons"]
    item = order["line_items"][0]["item"]
    assert (item["attributes"], item["files"]) == ({"paper": "matte"}, {"front": FRONT})
    assert item["source"] == {"kind": "mapping", "shop_variant_id": str(shop_variant_id)}


async def test_an_sku_mapped_twice_or_not_at_all_leaves_the_line_unmapped_until_one_mapping_is_left(
    deliver, catalog_product, mapping, place, read_order
):
    by_sku = line(product_uid=None, options=None, files=None, sku="FLYER-A5")
    await deliver(catalog_product(), aggregate_version=1)

    unmapped = await place(by_sku, reference="PO-1")

    assert (
        "SKU FLYER-A5 names no mapped shop variant of this customer" in unmapped["hold_reasons"][0]["message"]
    )

    await deliver(mapping(), aggregate_version=1)
    second = uuid.uuid4()
    await deliver(mapping(shop_variant_id=second, external_variant_id="34505433"), aggregate_version=1)
    twice = await place(by_sku, reference="PO-2")

    [reason] = twice["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("unmapped_item", 0)
    assert "SKU FLYER-A5 names 2 mapped shop variants of this customer" in reason["message"]
    assert "map exactly one shop variant with this SKU" in reason["fix"]

    await deliver(mapping(removed=True), aggregate_version=2)

    released = await read_order("PO-2")
    assert released["status"] == "routed", released["hold_reasons"]
    assert released["line_items"][0]["item"]["source"]["shop_variant_id"] == str(second)


async def test_a_csv_imported_order_is_resolved_like_one_placed_by_api(
    client, user_headers, deliver, catalog_product, manual_store, reaches, files_url
):
    await deliver(catalog_product(), aggregate_version=1)
    row = {
        "order_reference": "PO-1",
        "currency": "EUR",
        "ship_first_name": "Ada",
        "ship_last_name": "Lovelace",
        "ship_address1": "Main Street 1",
        "ship_city": "Berlin",
        "ship_zip": "10115",
        "ship_country_code": "DE",
        "product_uid": FLYER,
        "quantity": "250",
        "file_front": f"{files_url}/front.pdf",
        "option_paper": "matte",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)

    accepted = await client.post(
        f"/v1/stores/{manual_store}/orders/imports",
        files={"file": ("orders.csv", out.getvalue().encode(), "text/csv")},
        headers=user_headers("order_manager"),
    )

    assert accepted.status_code == 202, accepted.text
    order = await reaches("routed")
    assert order["line_items"][0]["item"]["attributes"] == {"paper": "matte"}
    assert order["line_items"][0]["item"]["files"] == {"front": f"{files_url}/front.pdf"}


async def test_who_may_not_recheck_an_orders_files(client, user_headers, deliver, catalog_product, place):
    await deliver(catalog_product(), aggregate_version=1)
    order = await place()
    path = f"/v1/orders/{order['id']}/files/recheck"

    assert (await client.post(path)).status_code == 401
    for role in ("viewer", "store_manager"):
        answer = await client.post(path, headers=user_headers(role))
        assert (answer.status_code, answer.headers["content-type"]) == (403, PROBLEM), role
    for other in (
        await client.post(path, headers=user_headers(of=uuid.uuid4())),
        await client.post(f"/v1/orders/{uuid.uuid4()}/files/recheck", headers=user_headers()),
    ):
        assert (other.status_code, other.headers["content-type"]) == (404, PROBLEM)
    assert (await client.post(path, headers=user_headers("admin"))).json() == {"queued": 1}


async def test_a_print_area_changed_in_the_catalog_has_the_orders_files_checked_again(
    deliver, catalog_product, place, reaches, fixable
):
    name, url = fixable
    FILES[name] = pdf(111, 154)  # A6 with 3 mm bleed
    flyer = catalog_product()
    await deliver(flyer, aggregate_version=1)
    await place(line(files={"front": url}))
    assert codes(await reaches("on_hold")) == ["file_too_small"]

    a6 = {**flyer.print_areas[0].model_dump(), "trim_width_mm": 105, "trim_height_mm": 148}
    await deliver(catalog_product(print_areas=[a6]), aggregate_version=2)

    released = await reaches("routed")
    assert released["line_items"][0]["item"]["files"] == {"front": url}
