"""Production lines and routing rules in the browser: producer staff add a line and rules (customers and
stores ticked by name), move a rule to the front, route a real order in a dry run and read every rule's
verdict, delete a rule; the default line and a line in use are not deleted; the API's refusals show
beside the field they name."""

from typing import Any

import httpx
import pytest

from printbridge_shared.testing import retried_while
from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, WAIT_SECONDS, Suite

pytestmark = pytest.mark.e2e

COUNTRIES = "Shipping countries (comma-separated, e.g. DE, AT)"
BERLIN = "Berlin large format (berlin-large)"


def rule_rows(driver: Any) -> list[str]:
    """The position and name of each rule in the table of rules."""
    rules = driver.find_elements("css selector", "main table")[0]
    return [
        " ".join(cell.text for cell in row.find_elements("css selector", "td")[:2])
        for row in rules.find_elements("css selector", "tbody tr")
    ]


def routed_order(embedded: Suite) -> str:
    """A customer's manual order of a poster to Germany, routed (its item resolved) through the API."""
    operator = embedded.operator()
    poster = {"product_uid": "poster_plain", "name": "Plain poster", "type": "poster"}
    httpx.post(f"{embedded.base}/v1/catalog/products", json=poster, headers=operator).raise_for_status()
    customer = httpx.post(f"{embedded.base}/v1/customers", json={"name": "Routed Ltd"}, headers=operator)
    manual = {"platform": "manual", "name": "Direct orders", "customer_id": customer.json()["id"]}
    store = retried_while(  # connectors hear of the new customer by an event
        lambda: httpx.post(f"{embedded.base}/v1/stores", json=manual, headers=operator),
        ("customer-unknown",),
        within=WAIT_SECONDS,
    )
    assert store.status_code == 201, store.text
    address = {"first_name": "Ada", "last_name": "Lovelace", "address1": "Main Street 1", "city": "Berlin",
               "zip": "10115", "country_code": "DE"}  # fmt: skip
    order = {
        "reference": "PO-ROUTE-1",
        "currency": "EUR",
        "shipping_address": address,
        "line_items": [{"product_uid": "poster_plain", "quantity": 2, "unit_price": "30.00"}],
    }
    placed = httpx.post(
        f"{embedded.base}/v1/stores/{store.json()['store']['id']}/orders", json=order, headers=operator
    )
    assert placed.status_code == 201, placed.text
    embedded.wait_for_order("routed", customer.json()["id"])
    return str(placed.json()["id"])


def test_staff_set_up_lines_and_rules_and_see_where_an_order_goes(browser: Browser, embedded: Suite) -> None:
    order_id = routed_order(embedded)
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Routing")
    browser.sees("No rule yet: every order goes to the default line.")
    browser.fill("Line code", "berlin-large")
    browser.fill("Line name", "Berlin large format")
    browser.press("Create line")
    browser.elements("link text", "berlin-large")

    browser.fill("Rule name", "France")
    browser.choose("Production line", BERLIN)
    browser.fill(COUNTRIES, "FR")
    browser.press("Create rule")
    browser.sees("ships to: FR")
    browser.fill("Rule name", "Posters to Berlin")
    browser.choose("Production line", BERLIN)
    browser.fill("Product types, every item one of them (comma-separated)", "poster")
    browser.fill(COUNTRIES, "de, AT")
    browser.press("Create rule")
    browser.sees("product types: poster; ships to: DE, AT")

    browser.follow("Posters to Berlin")
    browser.sees("Position 2: product types: poster; ships to: DE, AT.")
    browser.fill("Position (1 is tried first; empty: last)", "1")
    browser.press("Save the rule")
    browser.sees("Routing rules")
    browser.wait(lambda d: rule_rows(d)[:2] == ["1 Posters to Berlin", "2 France"])

    browser.open(f"/console/#/orders/{order_id}")
    browser.follow("Where routing sends it (dry run)")
    assert browser.field("Order id").get_attribute("value") == order_id
    browser.press("Route it (dry run)")
    browser.sees("Goes to: Berlin large format (berlin-large)")
    browser.sees("Rule 'Posters to Berlin' (position 1) is the first enabled rule")
    browser.sees("not evaluated: rule 'Posters to Berlin' (position 1) matched first")
    browser.driver.execute_script("window.scrollTo(0, 0)")
    browser.screenshot("routing")

    browser.follow("France")
    browser.press("Delete the rule")
    browser.confirm()
    browser.sees("Routing rules")
    assert browser.driver.find_elements("link text", "France") == []
    browser.fill("Rule name", "Routed Ltd direct")
    browser.choose("Production line", BERLIN)
    browser.check("Routed Ltd")  # ticked by name, not typed as an id
    browser.check("Direct orders (manual)")
    browser.press("Create rule")
    browser.sees("customers: Routed Ltd; stores: Direct orders (manual)")

    browser.follow("berlin-large")
    browser.press("Delete the line")
    browser.confirm()
    [refusal] = browser.elements("css selector", '.alert[data-for="Delete the line"]')
    assert "'Posters to Berlin'" in refusal.text, refusal.text
    browser.follow("Routing")
    browser.follow("default")
    browser.sees("The default line.")
    assert "Delete the line" not in [
        b.text for b in browser.driver.find_elements("css selector", "main button")
    ]


def test_what_the_api_refuses_is_shown_beside_the_field(browser: Browser, embedded: Suite) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Routing")
    browser.fill("Line code", "Berlin Large")
    browser.fill("Line name", "Berlin large format")
    browser.press("Create line")
    assert "lower-case" in browser.error_beside("Line code")

    browser.fill("Rule name", "Germany")
    browser.choose("Production line", "Default line (default), the default line")
    browser.fill(COUNTRIES, "DE, Germany")
    browser.fill("Order total at least", "50")
    browser.press("Create rule")
    assert browser.error_beside(COUNTRIES)
    assert "required" in browser.error_beside("Currency of the totals (e.g. EUR)")

    browser.fill("Order id", "not-an-order")
    browser.press("Route it (dry run)")
    assert "UUID" in browser.error_beside("Order id")


def test_a_customers_user_has_no_routing(browser: Browser, embedded: Suite) -> None:
    embedded.customer_with_admin("No Routing", "admin@norouting.example", "a long admin password")
    browser.log_in("admin@norouting.example", "a long admin password")
    assert "Routing" not in [link.text for link in browser.elements("css selector", "nav a")]
    browser.open("/console/#/routing")
    browser.sees("Something went wrong")
