"""A customer's admin maps a store's variants in bulk in the browser: exports the products CSV (fetched
with the token, saved by the browser), fills it in, imports it and follows the import to its end with
the row that failed and why; a file the API refuses shows why beside the file field; a viewer may export
but gets no import."""

import csv
import io
from pathlib import Path

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import Suite
from .people import (
    POSTER,
    downloaded,
    downloads_into,
    headers_of,
    in_catalog,
    picture,
    poster_pdf,
    shopify_store,
    team_member,
)

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the csv admins password"
GALLERY = {
    "title": "Gallery poster",
    "variants": [
        {"sku": "GP-M", "price": "20.00", "options": {"Paper": "Matte"}},
        {"sku": "GP-G", "price": "22.00", "options": {"Paper": "Gloss"}},
    ],
}


def test_the_admin_exports_fills_in_and_imports_the_products_csv(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    customer_id = embedded.customer_with_admin("CSV Brand", "lead@csv.example", PASSWORD)
    admin = headers_of(embedded, "lead@csv.example", PASSWORD)
    in_catalog(embedded, POSTER)
    store_id = shopify_store(embedded, customer_id, "csv-brand.myshopify.com", [GALLERY])
    pdf = poster_pdf(tmp_path / "poster.pdf")
    uploaded = httpx.post(
        f"{embedded.base}/v1/files",
        files={"file": ("poster.pdf", pdf.read_bytes(), "application/pdf")},
        headers=admin,
    )
    assert uploaded.status_code == 201, uploaded.text

    browser.log_in("lead@csv.example", PASSWORD)
    browser.sees("You are signed in as lead@csv.example (admin).")
    browser.open(f"/console/#/stores/{store_id}/products")
    browser.sees("Gallery poster — Matte")
    downloads_into(browser, tmp_path)
    browser.press("Export the products CSV")
    exported = list(csv.DictReader(io.StringIO(downloaded(tmp_path, f"products-{store_id}.csv"))))
    assert [(row["sku"], row["status"], row["product_uid"]) for row in exported] == [
        ("GP-M", "unmapped", ""),
        ("GP-G", "unmapped", ""),
    ]
    columns = [*exported[0].keys(), "attr:paper"]  # no variant is mapped yet: no attribute has a column
    matte, gloss = exported
    matte |= {
        "product_uid": "console_poster_a3",
        "attr:paper": "matte",
        "design_file_url": uploaded.json()["url"],
    }
    gloss |= {"product_uid": "no_such_poster", "attr:paper": "gloss"}
    filled = tmp_path / "filled.csv"
    with filled.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows([matte, gloss])
    browser.field("CSV file").send_keys(str(filled))
    browser.press("Import the products CSV")
    browser.sees("Status: done")
    assert [dd.text for dd in browser.elements("css selector", "section dd")] == [
        "2",
        "2",
        "1",
        "0",
        "0",
        "1",
    ]
    [row] = browser.elements("css selector", "section tbody tr")
    assert row.text.startswith("3 product_uid")
    picture(browser, "products-import")

    browser.follow("The store's products")
    browser.sees("filled.csv")
    browser.follow("Gallery poster — Matte")
    browser.sees("Mapping: mapped")
    browser.sees("console_poster_a3 paper: matte")
    browser.sees("Check: passed")


def test_a_file_the_api_refuses_shows_why_beside_the_file_field(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    customer_id = embedded.customer_with_admin("Empty CSV Brand", "lead@empty-csv.example", PASSWORD)
    store_id = shopify_store(embedded, customer_id, "empty-csv.myshopify.com", [GALLERY])
    browser.log_in("lead@empty-csv.example", PASSWORD)
    browser.sees("You are signed in as lead@empty-csv.example (admin).")
    browser.open(f"/console/#/stores/{store_id}/products")
    browser.press("Import the products CSV")
    assert browser.error_beside("CSV file") == "Choose a CSV file first."
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    browser.field("CSV file").send_keys(str(empty))
    browser.press("Import the products CSV")
    browser.wait(lambda d: "empty" in browser.error_beside("CSV file"))
    header_only = tmp_path / "header.csv"
    header_only.write_text("shop_variant_id,product_uid,colour\nx,y,z\n")
    browser.field("CSV file").send_keys(str(header_only))
    browser.press("Import the products CSV")
    browser.wait(lambda d: "colour" in browser.error_beside("CSV file"))
    assert (
        httpx.get(
            f"{embedded.base}/v1/stores/{store_id}/products/imports", headers=embedded.operator()
        ).json()["items"]
        == []
    )


def test_a_viewer_exports_but_gets_no_import(browser: Browser, embedded: Suite, tmp_path: Path) -> None:
    customer_id = embedded.customer_with_admin("Viewed CSV Brand", "lead@viewed-csv.example", PASSWORD)
    admin = headers_of(embedded, "lead@viewed-csv.example", PASSWORD)
    store_id = shopify_store(embedded, customer_id, "viewed-csv.myshopify.com", [GALLERY])
    team_member(embedded, admin, "viewer@viewed-csv.example", "viewer", PASSWORD)
    browser.log_in("viewer@viewed-csv.example", PASSWORD)
    browser.sees("You are signed in as viewer@viewed-csv.example (viewer).")
    browser.open(f"/console/#/stores/{store_id}/products")
    downloads_into(browser, tmp_path)
    browser.press("Export the products CSV")
    assert downloaded(tmp_path, f"products-{store_id}.csv").startswith("shop_variant_id")
    buttons = {button.text for button in browser.driver.find_elements("tag name", "button")}
    assert "Import the products CSV" not in buttons
    assert "Sync products now" not in buttons
