"""API keys in the browser: producer staff create a key (shown once, and it works), page the keys by the
API's cursor and revoke one (refused from then on); the API's refusal shows beside the name; a customer's
user is offered none of it."""

import time

import httpx
import pytest
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, WAIT_SECONDS, Suite

pytestmark = pytest.mark.e2e

NAME = "Name (what the key is for)"


def answers(embedded: Suite, key: str) -> int:
    return httpx.get(f"{embedded.base}/v1/customers", headers={"Authorization": f"Bearer {key}"}).status_code


def test_staff_create_a_key_see_it_once_and_revoke_it(browser: Browser, embedded: Suite) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("API keys")
    browser.sees("No API key yet.")
    browser.fill(NAME, "ERP integration")
    browser.press("Create key")
    browser.sees("The key ERP integration, shown only this once")
    [shown] = browser.elements("css selector", "[data-secret]")
    key = shown.text
    assert answers(embedded, key) == 200
    browser.sees(f"…{key[-4:]}")
    browser.screenshot("api-keys")

    browser.follow("Home")
    browser.sees("You are signed in as producer staff.")
    browser.follow("API keys")
    browser.sees("ERP integration")
    assert key not in browser.driver.find_element("css selector", "main").text
    browser.press("Revoke ERP integration")
    WebDriverWait(browser.driver, 5).until(expected_conditions.alert_is_present()).accept()
    browser.sees("revoked")
    assert browser.driver.find_elements("xpath", "//button[.='Revoke ERP integration']") == []
    deadline = time.monotonic() + WAIT_SECONDS  # every service refuses a revoked key within seconds
    while answers(embedded, key) != 401 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answers(embedded, key) == 401


def test_the_keys_are_paged_by_the_api_cursor(browser: Browser, embedded: Suite) -> None:
    operator = embedded.operator()
    for n in range(21):
        made = httpx.post(f"{embedded.base}/v1/api-keys", json={"name": f"Bulk key {n:02}"}, headers=operator)
        made.raise_for_status()
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("API keys")
    browser.sees("Bulk key 20")
    assert "Bulk key 00" not in browser.driver.find_element("css selector", "main").text
    browser.press("Show more keys")
    browser.sees("Bulk key 00")


def test_what_the_api_refuses_is_shown_beside_the_name(browser: Browser) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("API keys")
    browser.fill(NAME, "   ")
    browser.press("Create key")
    assert "blank" in browser.error_beside(NAME)


def test_a_customers_user_is_offered_no_api_keys(browser: Browser, embedded: Suite) -> None:
    embedded.customer_with_admin("Keyless", "admin@keyless.example", "a long admin password")
    browser.log_in("admin@keyless.example", "a long admin password")
    nav = [link.text for link in browser.elements("css selector", "nav a")]
    assert "API keys" not in nav and "Postbacks" not in nav
    browser.open("/console/#/api-keys")
    browser.sees("Something went wrong")
