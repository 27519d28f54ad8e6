"""Shops and their orders in the browser: the console's main story (stories.py: an admin connects a
Shopify shop, follows an order held for its unmapped product, maps it, and the order is released);
staff connect a manual store for a customer they pick; a product sync asked for in the browser is
followed until the new product is listed."""

from pathlib import Path

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from . import stories
from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite
from .people import shopify_store

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the syncing admins password"


def test_the_admin_connects_a_shopify_shop_maps_its_product_and_follows_its_order(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    stories.admin_connects_a_shop_maps_its_product_and_follows_its_order(browser, embedded, tmp_path)


def test_staff_connect_a_manual_store_for_a_customer_they_pick(browser: Browser, embedded: Suite) -> None:
    customer = {"name": "Picked Brand"}
    httpx.post(f"{embedded.base}/v1/customers", json=customer, headers=embedded.operator()).raise_for_status()
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Stores")
    browser.follow("Connect a store")
    browser.choose("Platform", "Manual store (orders by API or CSV)")
    browser.fill("Name in Printbridge (optional)", "Direct orders")
    browser.press("Connect")
    assert browser.error_beside("Customer") == "required for operators"  # none picked: the API says so
    browser.choose("Customer", "Picked Brand")
    browser.press("Connect")
    browser.sees("Direct orders")
    browser.sees("No problems.")


def test_a_product_sync_asked_for_in_the_browser_is_followed_until_the_new_product_is_listed(
    browser: Browser, embedded: Suite
) -> None:
    customer_id = embedded.customer_with_admin("Synced Brand", "lead@synced.example", PASSWORD)
    shop = "synced-brand.myshopify.com"
    first = {"title": "First poster", "variants": [{"sku": "FP-1", "price": "10.00"}]}
    store_id = shopify_store(embedded, customer_id, shop, [first])
    added = {"title": "Second poster", "variants": [{"sku": "SP-1", "price": "12.00"}]}
    control = f"{embedded.sandboxes.shopify}/_sandbox/shopify/shops/{shop}/products"
    httpx.post(control, json=added).raise_for_status()

    browser.log_in("lead@synced.example", PASSWORD)
    browser.open(f"/console/#/stores/{store_id}/products")
    browser.sees("First poster")
    browser.press("Sync products now")
    browser.sees("Syncing the shop's products")
    browser.sees("Second poster")  # no reload: the page followed the sync until it was done
