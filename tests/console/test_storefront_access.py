"""Step one of the product in the browser: producer staff log in, create a customer and turn on its
Storefront access; the admin accepts the invitation from the e-mail and logs into the console as the
customer's admin. Mistakes are shown next to the field the API names."""

import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "a long admin password"


def test_staff_turn_on_storefront_access_and_the_admin_logs_in(browser: Browser, embedded: Suite) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.sees("You are signed in as producer staff.")
    browser.follow("Customers")
    browser.fill("Name", "Acme Prints")
    browser.fill("Reference (your ID for the customer)", "ACME-1")
    browser.press("Create customer")
    browser.sees("Storefront access is off.")

    browser.check("Storefront access: the customer's users may log in")
    browser.fill("Admin's e-mail address", "ada@acme.example")
    browser.fill("Admin's first name", "Ada")
    browser.fill("Admin's last name", "Lovelace")
    browser.press("Save Storefront access")
    browser.sees("Storefront access is on.")
    browser.sees("Admin: Ada Lovelace <ada@acme.example>")
    link = embedded.invitation_link("ada@acme.example")
    browser.open("/console/#/customers")
    browser.sees("on (invited)")
    browser.screenshot("customers")
    browser.follow("Acme Prints")
    browser.sees("invited: the e-mail went to the mail server")
    browser.screenshot("customer-settings")
    browser.press("Log out")

    browser.driver.get(link)
    browser.fill("Choose a password (at least 12 characters)", ADMIN_PASSWORD)
    browser.press("Activate my account")
    browser.sees("Your account is active")
    browser.log_in("ada@acme.example", ADMIN_PASSWORD)
    browser.sees("You are signed in as ada@acme.example (admin).")
    browser.sees("No store is connected yet.")


def test_a_customer_the_api_refuses_shows_why_next_to_the_field(browser: Browser) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Customers")
    browser.fill("Name", "   ")
    browser.press("Create customer")
    assert browser.error_beside("Name")


def test_a_wrong_password_is_refused_on_the_login_form(browser: Browser) -> None:
    browser.open("/console/")
    browser.fill("E-mail address", OPERATOR_EMAIL)
    browser.fill("Password", "not the password at all")
    browser.press("Log in")
    browser.sees("Log in")
    [alert] = browser.elements("css selector", "[role=alert]")
    assert "wrong" in alert.text


def test_an_access_token_the_api_refuses_is_refreshed_once_and_the_page_still_shows(browser: Browser) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    key = "printbridge.console.tokens"
    spoiled = """const held = JSON.parse(sessionStorage.getItem(arguments[0]));
sessionStorage.setItem(arguments[0], JSON.stringify({...held, access: "no longer valid"}));
return held.refresh;"""
    refresh_before = browser.driver.execute_script(spoiled, key)
    browser.follow("Customers")
    browser.sees("New customer")
    kept = browser.driver.execute_script("return JSON.parse(sessionStorage.getItem(arguments[0]));", key)
    assert kept["access"] != "no longer valid" and kept["refresh"] != refresh_before  # a new pair was kept
