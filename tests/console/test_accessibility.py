"""The console is usable without a mouse, on a phone's width, and by a screen reader: every field has a
label, every button says what it does, no page scrolls sideways at 390 pixels, each page puts the focus
on its content, and the login works with the keyboard alone."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite

pytestmark = pytest.mark.e2e

UNLABELLED = """
return [...document.querySelectorAll("input, select, textarea")]
  .filter((field) => field.type !== "hidden" && field.labels.length === 0)
  .map((field) => field.outerHTML);
"""
SILENT_BUTTONS = """
return [...document.querySelectorAll("button")]
  .filter((button) => !button.textContent.trim())
  .map((button) => button.outerHTML);
"""
SIDEWAYS = "return document.documentElement.scrollWidth > window.innerWidth;"


def log_in_by_keyboard(browser: Browser) -> None:
    browser.open("/console/")
    browser.sees("Log in")
    focused = browser.driver.switch_to.active_element
    assert focused.get_attribute("id") == "main"  # each page puts the focus on its content
    focused.send_keys(Keys.TAB)
    assert browser.driver.switch_to.active_element == browser.field("E-mail address")
    browser.driver.switch_to.active_element.send_keys(OPERATOR_EMAIL, Keys.TAB)
    browser.driver.switch_to.active_element.send_keys(OPERATOR_PASSWORD, Keys.ENTER)


def test_staff_log_in_with_the_keyboard_alone(browser: Browser) -> None:
    log_in_by_keyboard(browser)
    browser.sees("You are signed in as producer staff.")


def test_every_page_labels_its_fields_names_its_buttons_and_fits_a_phone(
    browser: Browser, embedded: Suite
) -> None:
    customer_id = embedded.customer_with_admin("Phone Brand", "phone@brand.example", "a long phone password")
    browser.driver.set_window_size(390, 844)
    log_in_by_keyboard(browser)
    browser.sees("You are signed in as producer staff.")
    for page in ("", "customers", f"customers/{customer_id}", "stores", "stores/connect", "orders"):
        page = f"/console/#/{page}"
        browser.open(page)
        browser.elements(By.TAG_NAME, "h1")
        assert browser.driver.execute_script(UNLABELLED) == [], page
        assert browser.driver.execute_script(SILENT_BUTTONS) == [], page
        assert not browser.driver.execute_script(SIDEWAYS), page
        if page.endswith(customer_id):
            browser.screenshot("phone-customer")
