"""The console's main story, the one the issue names, as a function that a suite of either run mode
drives: an operator's customer whose admin connects a Shopify shop (granting access in the Shopify
sandbox, which sends the browser back to the console), sees it connected, and follows an order placed
in the shop: on hold because its product is not mapped yet, with the reason, its fix and the order's
history; then maps the variant to a catalog product with an uploaded design file, and the order is
released by itself. tests/console/test_shops_and_orders.py runs it embedded, tests/e2e/test_distributed.py
through nginx."""

from pathlib import Path

import httpx

from printbridge_shared.testing import SHIPPING_ADDRESS
from printbridge_shared.testing_browser import Browser

from .conftest import Suite
from .people import blank_pdf

ADMIN = "grace@brand.example"
PASSWORD = "the admins long password"
SHOP = "console-brand.myshopify.com"


FLYER = {
    "product_uid": "console_flyer_a5",
    "name": "Flyer A5",
    "type": "flyer",
    "attributes": {"paper": ["matte", "gloss"]},
    "print_areas": [
        {"name": "front", "formats": ["pdf"], "trim_width_mm": 148, "trim_height_mm": 210, "bleed_mm": 3}
    ],
}


def admin_connects_a_shop_maps_its_product_and_follows_its_order(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    customer_id = embedded.customer_with_admin("Console Brand", ADMIN, PASSWORD)
    catalog = httpx.post(f"{embedded.base}/v1/catalog/products", json=FLYER, headers=embedded.operator())
    assert catalog.status_code == 201, catalog.text
    shopify = f"{embedded.sandboxes.shopify}/_sandbox/shopify/shops"
    httpx.post(shopify, json={"domain": SHOP, "name": "Brand Shop"}).raise_for_status()
    product = {
        "title": "Summer flyer",
        "variants": [{"sku": "SF-A5", "price": "19.00", "options": {"Size": "A5"}}],
    }
    created = httpx.post(f"{shopify}/{SHOP}/products", json=product)
    created.raise_for_status()

    browser.log_in(ADMIN, PASSWORD)
    browser.sees("No store is connected yet.")
    browser.follow("Connect a store")
    browser.fill("Shop (acme.myshopify.com)", SHOP)
    browser.press("Connect")
    browser.sees("console-brand")  # back from granting access in Shopify
    browser.sees("connected")
    browser.screenshot("stores")
    browser.follow("console-brand")
    browser.sees("No problems.")
    browser.screenshot("store")

    variant = created.json()["variants"][0]["id"]
    order = {"line_items": [{"variant_id": variant, "quantity": 100}], "shipping_address": SHIPPING_ADDRESS}
    httpx.post(f"{shopify}/{SHOP}/orders", json=order).raise_for_status()
    embedded.wait_for_order("on_hold", customer_id)
    browser.follow("Its orders")
    [held] = browser.elements("css selector", "tbody a")
    browser.screenshot("orders")
    held.click()
    browser.sees("Held because:")
    browser.sees("Ada Lovelace, Main Street 1, 10115 Berlin, DE")
    browser.sees("History")
    browser.screenshot("order")

    browser.follow("Its store")
    browser.follow("Its products")
    browser.sees("unmapped")
    browser.follow("Summer flyer — A5")
    browser.choose("Catalog product", "Flyer A5 (console_flyer_a5)")
    browser.choose("Attribute: paper", "gloss")
    flyer = blank_pdf(tmp_path / "flyer.pdf", 154, 216)  # A5 with 3 mm bleed on every side
    browser.field("Or upload the design file for front").send_keys(str(flyer))
    browser.sees("Uploaded flyer.pdf.")
    browser.press("Save the mapping")
    browser.sees("Mapping: mapped")
    browser.sees("Check: passed")
    browser.screenshot("variant")
    embedded.wait_for_order("routed", customer_id)  # released by itself once its variant was mapped
    browser.follow("Orders")
    assert [cell.text for cell in browser.elements("css selector", "td.status")] == ["routed"]
