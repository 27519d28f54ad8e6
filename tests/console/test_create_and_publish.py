"""Create & publish in the browser: a customer's admin designs a product for the Shopify shop from a
catalog product (attributes offered from the catalog, an uploaded design file, two variants), saves the
draft and publishes it; the shop has the product and its variants are mapped at once. What the API
refuses is shown beside the field; a viewer sees drafts without a button to publish them; both pages keep
the console's promises on a phone (test_accessibility.py)."""

from pathlib import Path

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import Suite
from .people import POSTER, headers_of, in_catalog, picture, poster_pdf, shopify_store, team_member
from .test_accessibility import SIDEWAYS, SILENT_BUTTONS, UNLABELLED

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the designing admins password"
SHOP = "designs.myshopify.com"
EXISTING = {"title": "Old poster", "variants": [{"sku": "OLD-1", "price": "9.00", "options": {"Size": "A3"}}]}


def test_the_admin_designs_a_product_publishes_it_and_its_variants_are_mapped(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    customer_id = embedded.customer_with_admin("Design Brand", "lead@designs.example", PASSWORD)
    in_catalog(embedded, POSTER)
    store_id = shopify_store(embedded, customer_id, SHOP, [EXISTING])

    browser.log_in("lead@designs.example", PASSWORD)
    browser.open(f"/console/#/stores/{store_id}/products")
    browser.sees("No product has been designed here yet.")
    browser.follow("Design a product for the shop")
    browser.fill("Title", "Gallery poster")
    browser.fill("Product type", "Poster")
    browser.choose("Catalog product", "Poster A3 (console_poster_a3)")
    browser.choose("Attribute: paper", "matte")
    browser.field("Or upload the design file for front").send_keys(str(poster_pdf(tmp_path / "poster.pdf")))
    browser.sees("Uploaded poster.pdf.")
    browser.fill("Options", "Finish")
    browser.fill("Variant 1: SKU", "GP-MATTE")
    browser.fill("Variant 1: price", "29.00")
    browser.fill("Variant 1: Finish", "Matte")
    browser.press("Add a variant")
    browser.fill("Variant 2: SKU", "GP-GLOSS")
    browser.fill("Variant 2: price", "32.00")
    browser.fill("Variant 2: Finish", "Gloss")
    browser.choose("Variant 2: paper", "gloss")
    picture(browser, "draft-new")
    browser.press("Save the draft")
    browser.sees("Status: draft")
    picture(browser, "draft")

    browser.press("Publish to the shop")
    browser.sees("The shop has it, and its variants are mapped.")
    in_shop = httpx.get(f"{embedded.sandboxes.shopify}/_sandbox/shopify/shops/{SHOP}/products").json()
    [published] = [product for product in in_shop if product["title"] == "Gallery poster"]
    assert sorted(variant["sku"] for variant in published["variants"]) == ["GP-GLOSS", "GP-MATTE"]
    browser.sees("paper: gloss")  # the Gloss variant is printed on gloss paper, the Matte one as the product

    browser.follow("The store's products")
    browser.sees("Gallery poster — Matte")
    browser.wait(lambda d: len(mapped_rows(browser)) == 2)
    assert [link.text for link in browser.elements("css selector", "a[href^='#/product-drafts/']")] == [
        "Gallery poster"
    ]


def mapped_rows(browser: Browser) -> list[str]:
    rows = browser.driver.find_elements("css selector", "tr:has([data-mapping-status='mapped'])")
    return [row.text for row in rows if "Gallery poster" in row.text]


def keeps_its_promises_on_a_phone(browser: Browser) -> None:
    assert browser.driver.execute_script(UNLABELLED) == []
    assert browser.driver.execute_script(SILENT_BUTTONS) == []
    assert not browser.driver.execute_script(SIDEWAYS)


def test_what_the_api_refuses_in_a_design_is_shown_and_a_viewer_cannot_publish(
    browser: Browser, embedded: Suite
) -> None:
    admin_email = "lead@refused-designs.example"
    customer_id = embedded.customer_with_admin("Refused Design Brand", admin_email, PASSWORD)
    in_catalog(embedded, POSTER)
    store_id = shopify_store(embedded, customer_id, "refused-designs.myshopify.com", [EXISTING])
    admin = headers_of(embedded, "lead@refused-designs.example", PASSWORD)
    team_member(embedded, admin, "viewer@refused-designs.example", "viewer", PASSWORD)

    browser.driver.set_window_size(390, 844)
    browser.log_in("lead@refused-designs.example", PASSWORD)
    browser.open(f"/console/#/stores/{store_id}/products/new")
    browser.choose("Catalog product", "Poster A3 (console_poster_a3)")
    keeps_its_promises_on_a_phone(browser)
    browser.fill("Variant 1: SKU", "R-1")
    browser.fill("Variant 1: price", "-1")
    browser.press("Save the draft")
    assert browser.error_beside("Title")
    assert "greater than 0" in browser.error_beside("Variant 1: price")

    draft = {
        "title": "Viewed poster",
        "product_uid": POSTER["product_uid"],
        "attributes": {"paper": "gloss"},
        "variants": [{"sku": "V-1", "price": "5.00"}],
    }
    created = httpx.post(f"{embedded.base}/v1/stores/{store_id}/products", json=draft, headers=admin)
    assert created.status_code == 201, created.text
    browser.press("Log out")
    browser.log_in("viewer@refused-designs.example", PASSWORD)
    browser.open(f"/console/#/stores/{store_id}/products")
    browser.follow("Viewed poster")
    browser.sees("Status: draft")
    keeps_its_promises_on_a_phone(browser)
    assert not browser.driver.find_elements("xpath", "//button[normalize-space()='Publish to the shop']")
    browser.follow("The store's products")
    browser.sees("Create & publish")
    assert not browser.driver.find_elements("link text", "Design a product for the shop")
