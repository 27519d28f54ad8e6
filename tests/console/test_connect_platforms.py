"""Connecting the other platforms in the browser, each as its sandbox speaks the platform's protocol:
WooCommerce with a key pair (a wrong secret and a read-only key refused beside the key), Etsy by
granting access on Etsy's site, which sends the browser back to the console, and Pressero with the
producer's admin login, after which the store's page shows the webhook to enter in Pressero's admin,
makes a new security key and takes a new login."""

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the connecting admins password"


def woocommerce_site(suite: Suite, slug: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """A WooCommerce site on HTTPS with a Read/Write key and a read-only one."""
    control = f"{suite.sandboxes.woocommerce_http}/_sandbox/woocommerce"
    site = httpx.post(f"{control}/sites", json={"slug": slug, "scheme": "https"})
    site.raise_for_status()
    keys = [
        httpx.post(f"{control}/sites/{slug}/keys", json={"permissions": permissions})
        for permissions in ("read_write", "read")
    ]
    for key in keys:
        key.raise_for_status()
    return str(site.json()["url"]), keys[0].json(), keys[1].json()


def test_the_admin_connects_a_woocommerce_shop_with_its_key_pair(browser: Browser, embedded: Suite) -> None:
    embedded.customer_with_admin("Woo Brand", "lead@woo.example", PASSWORD)
    url, key, read_only = woocommerce_site(embedded, "woo-brand")

    browser.log_in("lead@woo.example", PASSWORD)
    browser.follow("Stores")
    browser.follow("Connect a store")
    browser.choose("Platform", "WooCommerce")
    browser.fill("Shop address (https://shop.example)", url)
    browser.fill("Consumer key (ck_…)", key["consumer_key"])
    browser.fill("Consumer secret (cs_…)", "cs_" + "0" * 40)
    browser.press("Connect")
    assert "check the consumer key and secret" in browser.error_beside("Consumer key (ck_…)")

    browser.fill("Consumer key (ck_…)", read_only["consumer_key"])
    browser.fill("Consumer secret (cs_…)", read_only["consumer_secret"])
    browser.press("Connect")
    assert "Read/Write" in browser.error_beside("Consumer key (ck_…)")

    browser.fill("Consumer key (ck_…)", key["consumer_key"])
    browser.fill("Consumer secret (cs_…)", key["consumer_secret"])
    browser.press("Connect")
    browser.sees("No problems.")
    browser.sees("WooCommerce")
    assert browser.elements("css selector", "[data-store-status]")[0].text == "connected"


def test_the_admin_connects_an_etsy_shop_by_granting_access_on_etsy(
    browser: Browser, embedded: Suite
) -> None:
    embedded.customer_with_admin("Etsy Brand", "lead@etsy.example", PASSWORD)
    control = f"{embedded.sandboxes.etsy}/_sandbox/etsy"
    app = {
        "redirect_uris": [f"{embedded.base}/v1/connectors/etsy/callback"],
        "webhook_url": f"{embedded.base}/v1/webhooks/etsy",
    }
    httpx.patch(f"{control}/apps/{embedded.sandboxes.etsy_keystring}", json=app).raise_for_status()
    seller = httpx.post(f"{control}/sellers", json={"shop_name": "HandmadePrints"})
    seller.raise_for_status()
    consent = {"user_id": seller.json()["user_id"], "approve": True}  # the seller, signed in, says yes
    httpx.put(f"{control}/consent", json=consent).raise_for_status()

    browser.log_in("lead@etsy.example", PASSWORD)
    browser.follow("Stores")
    browser.follow("Connect a store")
    browser.choose("Platform", "Etsy")
    browser.press("Connect")
    browser.sees("HandmadePrints")  # back from granting access on Etsy
    assert [cell.text for cell in browser.elements("css selector", "td.status")] == ["connected"]
    browser.follow("HandmadePrints")
    browser.sees("No problems.")
    browser.sees("Grant access again")


def test_staff_connect_a_pressero_site_and_see_what_to_enter_in_its_admin(
    browser: Browser, embedded: Suite
) -> None:
    operator = embedded.operator()
    customer = {"name": "Pressero Brand", "reference_id": "PRESS-7"}
    httpx.post(f"{embedded.base}/v1/customers", json=customer, headers=operator).raise_for_status()
    control = f"{embedded.sandboxes.pressero}/_sandbox/pressero"
    subscriber = httpx.post(f"{control}/subscribers", json={})
    subscriber.raise_for_status()
    site = subscriber.json()
    domain = "prints.pressero.example"
    httpx.post(
        f"{control}/subscribers/{site['subscriber_id']}/sites",
        json={"domain": domain, "integration_id": "PRESS-7"},
    ).raise_for_status()

    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Stores")
    browser.follow("Connect a store")
    browser.choose("Customer", "Pressero Brand")
    browser.choose("Platform", "Pressero")
    for label, value in (
        ("Admin address", embedded.sandboxes.pressero),
        ("Site domain", domain),
        ("Integration id", "SOMEONE-ELSE"),
        ("Subscriber id", site["subscriber_id"]),
        ("Consumer id", site["consumer_id"]),
        ("Admin user name", site["username"]),
        ("Admin user's password", site["password"]),
    ):
        browser.fill(label, value)
    browser.press("Connect")
    assert "PRESS-7" in browser.error_beside("Integration id")
    browser.fill("Integration id", "PRESS-7")
    browser.fill("Admin user's password", site["password"])
    browser.press("Connect")
    browser.sees("Webhook in Pressero")
    browser.driver.execute_script(
        "document.querySelector('[data-setup]').closest('section').scrollIntoView()"
    )
    browser.screenshot("store-pressero")

    stores = httpx.get(f"{embedded.base}/v1/stores", params={"limit": 200}, headers=operator).json()["items"]
    [store] = [store for store in stores if store["platform"] == "pressero"]
    setup = f"{embedded.base}/v1/stores/{store['id']}/webhook-setup"
    cells = browser.elements("css selector", "[data-setup]")
    shown = {cell.get_attribute("data-setup"): cell.text for cell in cells}
    assert shown == {key: httpx.get(setup, headers=operator).json()[key] for key in shown}
    browser.press("New security key")
    browser.confirm()
    key_shown = "[data-setup='security_key']"
    browser.wait(lambda d: browser.elements("css selector", key_shown)[0].text != shown["security_key"])
    assert httpx.get(setup, headers=operator).json()["security_key"] != shown["security_key"]

    browser.fill("Admin user's new password", "not the password")
    browser.press("Save the login")
    assert browser.error_beside("Admin user's new password")
    browser.fill("Admin user's new password", site["password"])
    browser.press("Save the login")
    browser.sees("No problems.")
