"""The catalog in the browser: producer staff create a product with its attributes and print areas, change,
retire and reactivate it, search and page the catalog, export it and import a file of products; the API's
refusals show beside the field of the row they name, an import's failed rows with their column; a
customer's user reads and exports the catalog and is offered no button to change it."""

import json
from pathlib import Path

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite
from .people import downloaded, downloads_into

pytestmark = pytest.mark.e2e

BY = "\N{MULTIPLICATION SIGN}"  # as the console writes a print area's size
READER, READER_PASSWORD = "reader@brand.example", "a long reader password"


def buttons(browser: Browser) -> list[str]:
    return [button.text for button in browser.driver.find_elements("css selector", "main button")]


def test_staff_create_change_retire_and_reactivate_a_product(browser: Browser) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Catalog")
    browser.sees("New product")
    browser.fill("Product uid", "poster_a2")
    browser.fill("Name", "Poster A2")
    browser.fill("Type", "poster")
    browser.fill("Attribute 1: name", "paper")
    browser.fill("Attribute 1: values (comma-separated)", "matte, gloss")
    browser.press("Add an attribute")
    browser.fill("Attribute 2: name", "finish")
    browser.fill("Attribute 2: values (comma-separated)", "none,laminated")
    browser.fill("Print area 1: name", "front")
    browser.fill("Print area 1: formats (comma-separated)", "pdf, PNG")
    browser.fill("Print area 1: trim width (mm)", "420")
    browser.fill("Print area 1: trim height (mm)", "594")
    browser.fill("Print area 1: bleed (mm)", "3")
    browser.fill("Print area 1: minimum resolution (dpi)", "150")
    browser.press("Create product")
    browser.sees(f"front: pdf, png, 420 {BY} 594 mm, 3 mm bleed, at least 150 dpi")
    browser.sees("matte, gloss")
    browser.sees("none, laminated")
    browser.screenshot("catalog-product")

    browser.fill("Name", "Poster A2 (matte or gloss)")
    browser.fill("Attribute 2: values (comma-separated)", "")
    browser.fill("Attribute 2: name", "")
    browser.press("Add a print area")
    browser.fill("Print area 2: name", "back")
    browser.fill("Print area 2: formats (comma-separated)", "pdf")
    browser.fill("Print area 2: trim width (mm)", "420")
    browser.fill("Print area 2: trim height (mm)", "594")
    browser.press("Save the product")
    browser.sees("(version 2)")
    browser.sees(f"back: pdf, 420 {BY} 594 mm, 0 mm bleed, at least 300 dpi")
    assert "laminated" not in browser.driver.find_element("css selector", "main").text

    browser.press("Retire the product")
    browser.confirm()
    browser.sees("Reactivate the product")
    assert browser.driver.find_element("css selector", "[data-product-status]").text == "retired"
    browser.press("Reactivate the product")
    browser.sees("Retire the product")
    assert browser.driver.find_element("css selector", "[data-product-status]").text == "active"


def test_the_catalog_is_searched_and_paged_by_the_api_cursor(browser: Browser, embedded: Suite) -> None:
    products = [
        {"product_uid": f"card_{n:03}", "name": f"Card {n:03}", "type": "card", "status": "active"}
        for n in range(60)
    ]
    products[7]["status"] = "retired"
    imported = httpx.post(
        f"{embedded.base}/v1/catalog/products/import", json=products, headers=embedded.operator()
    )
    assert imported.json()["created"] == 60, imported.text
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.open("/console/#/catalog?type=card")
    browser.sees("Card 049")
    assert "Card 050" not in browser.driver.find_element("css selector", "main").text
    browser.screenshot("catalog")
    browser.press("Show more products")
    browser.sees("Card 059")
    assert len(browser.elements("css selector", "tbody tr")) == 60
    assert buttons(browser).count("Show more products") == 0

    browser.fill("Name or uid contains", "card_00")
    browser.choose("Status", "retired")
    browser.press("Search")
    browser.sees("Card 007")
    browser.wait(lambda d: len(d.find_elements("css selector", "tbody tr")) == 1)


def test_what_the_api_refuses_is_shown_beside_the_rows_field(browser: Browser) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Catalog")
    browser.fill("Product uid", "sticker_round")
    browser.fill("Name", "Round sticker")
    browser.fill("Type", "sticker")
    browser.fill("Attribute 1: name", "Paper")
    browser.fill("Attribute 1: values (comma-separated)", "vinyl")
    browser.fill("Print area 1: name", "front")
    browser.fill("Print area 1: formats (comma-separated)", "pdf, docx")
    browser.fill("Print area 1: trim width (mm)", "50")
    browser.fill("Print area 1: trim height (mm)", "-1")
    browser.press("Create product")
    assert "lower-case" in browser.error_beside("Attribute 1: name")
    assert "pdf" in browser.error_beside("Print area 1: formats (comma-separated)")
    assert "greater than 0" in browser.error_beside("Print area 1: trim height (mm)")
    assert browser.field("Print area 1: trim width (mm)").get_attribute("aria-invalid") is None


IMPORTED = (
    "product_uid,name,type,status,attribute:material,area:front\r\n"
    "banner_roll,Banner roll,banner,active,pvc|mesh,pdf;1000x2000;bleed=10;dpi=100\r\n"
    "Not A Uid,Broken banner,banner,active,pvc,\r\n"
)


def test_staff_export_the_catalog_and_import_a_file_whose_bad_rows_are_left_out(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    canvas = {"product_uid": "canvas_30", "name": "Canvas 30", "type": "canvas"}
    httpx.post(f"{embedded.base}/v1/catalog/products", json=canvas, headers=embedded.operator())
    downloads_into(browser, tmp_path)
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Catalog")
    browser.press("Export as CSV")
    assert downloaded(tmp_path, "catalog.csv").startswith("product_uid,name,type,status")
    browser.press("Export as JSON")
    exported = json.loads(downloaded(tmp_path, "catalog.json"))
    assert "canvas_30" in [product["product_uid"] for product in exported]

    upload = tmp_path / "products.csv"
    upload.write_text(IMPORTED, encoding="utf-8")
    browser.field("CSV or JSON file").send_keys(str(upload))
    browser.press("Import products")
    browser.sees("Created 1, changed 0, unchanged 0, left out for their errors 1.")
    [failed] = browser.elements("css selector", "[role=status] tbody tr")
    assert failed.text.startswith("3 product_uid"), failed.text
    browser.fill("Name or uid contains", "banner_roll")
    browser.press("Search")
    browser.follow("banner_roll")
    browser.sees("pvc, mesh")


def test_a_customers_user_reads_the_catalog_without_buttons_to_change_it(
    browser: Browser, embedded: Suite
) -> None:
    flyer = {
        "product_uid": "flyer_a6",
        "name": "Flyer A6",
        "type": "flyer",
        "attributes": {"paper": ["matte"]},
    }
    created = httpx.post(f"{embedded.base}/v1/catalog/products", json=flyer, headers=embedded.operator())
    assert created.status_code == 201, created.text
    embedded.customer_with_admin("Catalog Readers", READER, READER_PASSWORD)
    browser.log_in(READER, READER_PASSWORD)
    nav = [link.text for link in browser.elements("css selector", "nav a")]
    assert "Catalog" in nav and "Customers" not in nav
    browser.follow("Catalog")
    browser.elements("css selector", "tbody tr")
    assert buttons(browser)[0] == "Search" and "Create product" not in buttons(browser)
    assert "Export as CSV" in buttons(browser) and "Import products" not in buttons(browser)
    browser.fill("Name or uid contains", "flyer_a")
    browser.press("Search")
    browser.follow("flyer_a6")
    browser.sees("Attributes")
    assert buttons(browser) == []
    assert browser.driver.find_elements("css selector", "main form") == []

    login = httpx.post(f"{embedded.base}/v1/auth/login", json={"email": READER, "password": READER_PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    refused = httpx.post(f"{embedded.base}/v1/catalog/products/flyer_a6/retire", headers=headers)
    assert refused.status_code == 403
