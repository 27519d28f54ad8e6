"""A customer without a shop orders through a manual store in the browser: places one order by hand
(sent with an Idempotency-Key, so the same request again places nothing new), downloads the CSV
template with its token, imports a CSV file and follows the import to its end with the row that failed;
the API's refusals show beside the field; a viewer gets neither the order form nor the upload."""

from pathlib import Path

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import Suite
from .people import downloaded, downloads_into, headers_of, manual_store, picture, team_member

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the manual admins password"
RECORD_FETCH = """
window.sent = [];
const original = window.fetch;
window.fetch = (path, init = {}) => {
  window.sent.push({ path: String(path), headers: init.headers || {}, body: init.body });
  return original(path, init);
};
"""
CSV = (
    "order_reference,currency,ship_first_name,ship_last_name,ship_address1,ship_city,ship_zip,"
    "ship_country_code,product_uid,quantity,file_front\n"
    "CSV-1,EUR,Ada,Lovelace,Main Street 1,Berlin,10115,DE,flyer_a5,100,https://files.brand.example/1.pdf\n"
    "CSV-2,EUR,Alan,Turing,High Street 2,London,NW1 6XE,GB,flyer_a5,lots,https://files.brand.example/2.pdf\n"
)


def test_the_admin_places_an_order_by_hand_and_imports_a_csv_file(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    embedded.customer_with_admin("Direct Brand", "lead@direct.example", PASSWORD)
    admin = headers_of(embedded, "lead@direct.example", PASSWORD)
    store_id = manual_store(embedded, admin, "Direct orders")

    browser.log_in("lead@direct.example", PASSWORD)
    browser.follow("Direct orders")
    browser.follow("Place an order")
    browser.fill("Your order reference", "PO-42")
    browser.fill("Currency", "eur")
    browser.fill("First name", "Ada")
    browser.fill("Last name", "Lovelace")
    browser.fill("Address line 1", "Main Street 1")
    browser.fill("Postcode", "10115")
    browser.fill("City", "Berlin")
    browser.fill("Country code", "DE")
    browser.fill("Line 1: product", "flyer_a5")
    browser.fill("Line 1: quantity", "250")
    browser.fill("Line 1: address of file 1 (https://…)", "https://files.brand.example/po-42/front.pdf")
    browser.press("Add a line")
    browser.choose("Line 2: what the product is", "Your SKU (mapped like a shop's)")
    browser.fill("Line 2: product", "POSTER-A2")
    browser.fill("Line 2: quantity", "2")
    picture(browser, "manual-order")
    browser.driver.execute_script(RECORD_FETCH)
    browser.press("Place the order")
    browser.sees("Order PO-42")
    browser.sees("Ada Lovelace, Main Street 1, 10115 Berlin, DE")
    browser.sees("POSTER-A2")

    [sent] = [s for s in browser.driver.execute_script("return window.sent") if s["path"].endswith("/orders")]
    key = sent["headers"]["Idempotency-Key"]
    again = httpx.post(
        f"{embedded.base}/v1/stores/{store_id}/orders",
        content=sent["body"],
        headers={**admin, "Idempotency-Key": key, "Content-Type": "application/json"},
    )
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    [listed] = httpx.get(f"{embedded.base}/v1/stores/{store_id}/orders", headers=admin).json()["items"]
    assert listed["id"] == again.json()["id"]
    order = httpx.get(f"{embedded.base}/v1/orders/{listed['id']}", headers=admin).json()
    assert (order["external_id"], order["currency"]) == ("PO-42", "EUR")
    first, second = order["line_items"]
    assert (first["product_uid"], first["quantity"]) == ("flyer_a5", 250)
    assert first["files"] == {"front": "https://files.brand.example/po-42/front.pdf"}
    assert (second["sku"], second["quantity"], second["files"]) == ("POSTER-A2", 2, {})

    browser.follow("Its store")
    browser.follow("Import orders from a CSV file")
    downloads_into(browser, tmp_path)
    browser.press("Download the CSV template")
    [saved] = browser.elements("partial link text", "Save order-import-template.csv")
    assert saved.get_attribute("href").startswith("blob:")
    assert downloaded(tmp_path, "order-import-template.csv").startswith("order_reference,")
    orders_csv = tmp_path / "orders.csv"
    orders_csv.write_text(CSV)
    browser.field("CSV file").send_keys(str(orders_csv))
    browser.press("Import orders")
    browser.sees("Status: done")
    browser.sees("Rows with errors (1)")
    [row] = browser.elements("css selector", "section tbody tr")
    assert row.text.startswith("3 quantity")
    assert [dd.text for dd in browser.elements("css selector", "section dd")] == ["2", "1", "0", "1"]
    picture(browser, "order-import")
    browser.follow("The store's imports")
    browser.sees("orders.csv")


def test_what_the_api_refuses_in_an_order_is_shown_beside_the_field(
    browser: Browser, embedded: Suite
) -> None:
    embedded.customer_with_admin("Refused Direct", "lead@refused-direct.example", PASSWORD)
    admin = headers_of(embedded, "lead@refused-direct.example", PASSWORD)
    store_id = manual_store(embedded, admin, "Refused orders")
    browser.log_in("lead@refused-direct.example", PASSWORD)
    browser.sees("Refused orders")
    browser.open(f"/console/#/stores/{store_id}/orders/new")
    browser.fill("Last name", "Lovelace")
    browser.fill("Address line 1", "Main Street 1")
    browser.fill("City", "London")
    browser.fill("Postcode", "NW1 6XE")
    browser.fill("Country code", "UK")
    browser.fill("Line 1: product", "flyer_a5")
    browser.fill("Line 1: quantity", "0")
    browser.fill("Line 1: address of file 1 (https://…)", "ftp://files.brand.example/front.pdf")
    browser.press("Place the order")
    assert "GB" in browser.error_beside("Country code")
    assert browser.error_beside("Line 1: quantity")
    assert browser.error_beside("Line 1: address of file 1 (https://…)")
    assert browser.error_beside("Company")  # neither a first name nor a company to deliver to
    assert httpx.get(f"{embedded.base}/v1/stores/{store_id}/orders", headers=admin).json()["items"] == []


def test_a_viewer_sees_the_imports_but_gets_no_order_form_or_upload(
    browser: Browser, embedded: Suite
) -> None:
    embedded.customer_with_admin("Viewed Direct", "lead@viewed-direct.example", PASSWORD)
    admin = headers_of(embedded, "lead@viewed-direct.example", PASSWORD)
    manual_store(embedded, admin, "Viewed orders")
    team_member(embedded, admin, "viewer@viewed-direct.example", "viewer", PASSWORD)
    browser.log_in("viewer@viewed-direct.example", PASSWORD)
    browser.follow("Viewed orders")
    browser.follow("Import orders from a CSV file")
    browser.sees("No file imported yet.")
    assert not browser.driver.find_elements("link text", "Place an order")
    buttons = {button.text for button in browser.driver.find_elements("tag name", "button")}
    assert not buttons & {"Download the CSV template", "Import orders", "Place a test order"}
