"""A customer's admin in the browser: connects a Shopify shop (granting access in the Shopify sandbox, which
sends the browser back to the console), sees it connected, and follows an order placed in the shop: on
hold because its product is not mapped yet, with the reason, its fix and the order's history."""

import httpx
import pytest

from .conftest import Browser, Suite

pytestmark = pytest.mark.e2e

ADMIN = "grace@brand.example"
PASSWORD = "the admins long password"
SHOP = "console-brand.myshopify.com"


def test_the_admin_connects_a_shopify_shop_and_follows_its_order(browser: Browser, embedded: Suite) -> None:
    embedded.customer_with_admin("Console Brand", ADMIN, PASSWORD)
    shopify = f"{embedded.sandboxes.shopify}/_sandbox/shopify/shops"
    httpx.post(shopify, json={"domain": SHOP, "name": "Brand Shop"}).raise_for_status()
    product = {
        "title": "Summer flyer",
        "variants": [{"sku": "SF-A5", "price": "19.00", "options": {"Size": "A5"}}],
    }
    created = httpx.post(f"{shopify}/{SHOP}/products", json=product)
    created.raise_for_status()

    browser.open("/console/")
    browser.fill("E-mail address", ADMIN)
    browser.fill("Password", PASSWORD)
    browser.press("Log in")
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
    address = {"first_name": "Ada", "last_name": "Lovelace", "address1": "Main Street 1", "city": "Berlin",
               "zip": "10115", "country_code": "DE"}  # fmt: skip
    order = {"line_items": [{"variant_id": variant, "quantity": 100}], "shipping_address": address}
    httpx.post(f"{shopify}/{SHOP}/orders", json=order).raise_for_status()
    browser.follow("Its orders")
    browser.sees("on_hold")
    browser.screenshot("orders")
    browser.driver.find_element("css selector", "tbody a").click()
    browser.sees("Held because:")
    browser.sees("Ada Lovelace, Main Street 1, 10115 Berlin, DE")
    browser.sees("History")
    browser.screenshot("order")
