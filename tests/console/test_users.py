"""A customer's admin manages the team in the browser: invites a store manager for one of the customer's
stores, resends the invitation, changes the role, removes the user; the API's refusals show beside the
field they name; a user whose role may not manage the team gets no button for it; producer staff see the
team read-only on the customer's page."""

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite
from .people import headers_of, manual_store, picture, team_member

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the team admins password"


def test_the_admin_invites_a_store_manager_changes_the_role_and_removes_the_user(
    browser: Browser, embedded: Suite
) -> None:
    embedded.customer_with_admin("Team Brand", "lead@team.example", PASSWORD)
    admin = headers_of(embedded, "lead@team.example", PASSWORD)
    manual_store(embedded, admin, "Direct orders")
    manual_store(embedded, admin, "Trade fair orders")

    browser.log_in("lead@team.example", PASSWORD)
    browser.follow("Users")
    browser.sees("lead@team.example")
    browser.fill("E-mail address", "kim@team.example")
    browser.fill("First name", "Kim")
    browser.fill("Last name", "Lee")
    browser.choose("Role", "Store manager: the stores ticked below and their products")
    browser.check("Trade fair orders")
    browser.press("Send the invitation")
    browser.sees("Kim Lee")
    browser.sees("store manager")
    browser.sees("Trade fair orders")
    assert "Direct orders" not in browser.elements("css selector", "dl")[0].text
    first = embedded.invitation_link("kim@team.example")
    browser.press("Resend the invitation")
    browser.sees("invited: the e-mail went to the mail server")
    picture(browser, "user")
    team = httpx.get(f"{embedded.base}/v1/users", headers=admin).json()["items"]
    [kim] = [user for user in team if user["email"] == "kim@team.example"]
    assert len(kim["store_ids"]) == 1
    assert embedded.invitation_link("kim@team.example") == first  # the first link; the resent one followed
    assert len([m for m in embedded.inbox.messages if m["To"] == "kim@team.example"]) == 2

    browser.choose("Role", "Order manager: orders")
    browser.press("Save the user")
    browser.sees("order manager")
    assert httpx.get(f"{embedded.base}/v1/users/{kim['id']}", headers=admin).json()["store_ids"] == []
    browser.follow("All users")
    browser.sees("kim@team.example")
    picture(browser, "users")

    browser.follow("Kim Lee")
    browser.driver.execute_script("window.confirm = () => true")
    browser.press("Remove from the team")
    browser.sees("Invite a user")
    browser.wait(lambda d: "kim@team.example" not in d.find_element("tag name", "table").text)
    assert httpx.get(f"{embedded.base}/v1/users/{kim['id']}", headers=admin).status_code == 404


def test_what_the_api_refuses_in_an_invitation_is_shown_beside_the_field(
    browser: Browser, embedded: Suite
) -> None:
    embedded.customer_with_admin("Refused Team", "lead@refused.example", PASSWORD)
    browser.log_in("lead@refused.example", PASSWORD)
    browser.follow("Users")
    browser.fill("E-mail address", "not an address")
    browser.fill("First name", "No")
    browser.fill("Last name", "Body")
    browser.press("Send the invitation")
    assert browser.error_beside("E-mail address")

    browser.fill("E-mail address", "lead@refused.example")
    browser.press("Send the invitation")
    browser.sees("already in your team")

    browser.fill("E-mail address", "sam@refused.example")
    browser.choose("Role", "Store manager: the stores ticked below and their products")
    browser.press("Send the invitation")
    browser.sees("needs at least one store to manage")
    [fieldset] = browser.elements("css selector", "fieldset[aria-invalid=true]")
    assert "needs at least one store" in fieldset.find_element("xpath", "following-sibling::p").text


def test_only_admins_get_the_team_and_staff_see_it_read_only(browser: Browser, embedded: Suite) -> None:
    customer_id = embedded.customer_with_admin("Viewed Team", "lead@viewed.example", PASSWORD)
    admin = headers_of(embedded, "lead@viewed.example", PASSWORD)
    team_member(embedded, admin, "viewer@viewed.example", "viewer", PASSWORD)

    browser.log_in("viewer@viewed.example", PASSWORD)
    browser.sees("You are signed in as viewer@viewed.example (viewer).")
    assert "Users" not in browser.elements("id", "nav")[0].text
    browser.open("/console/#/users")
    browser.sees("Something went wrong")
    assert not browser.driver.find_elements("xpath", "//button[normalize-space()='Send the invitation']")
    browser.press("Log out")

    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.sees("You are signed in as producer staff.")
    browser.open(f"/console/#/customers/{customer_id}")
    browser.sees("viewer@viewed.example")
    browser.sees("lead@viewed.example")
    buttons = {button.text for button in browser.driver.find_elements("tag name", "button")}
    managing = {"Send the invitation", "Save the user", "Remove from the team", "Resend the invitation"}
    assert not buttons & managing
    assert not browser.driver.find_elements("css selector", "a[href^='#/users/']")
