"""A customer's admin checks a store's integration in the browser: places a test order from the store's
page and follows its report step by step until it settles, each step passed, failed with its fix, or
pending; what the API refuses is shown beside the field; a viewer sees the runs but cannot place one."""

from pathlib import Path

import httpx
import pytest

from printbridge_shared.testing_browser import Browser

from .conftest import Suite
from .people import POSTER, headers_of, in_catalog, manual_store, picture, poster_pdf, team_member

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the test order admins password"
STEPS = [
    "Received",
    "Every item maps to a catalog product",
    "Every print file passed its check",
    "Routed to a production line",
    "Listed in the production API (never made)",
    "Postbacks delivered",
    "Seen by the customer's users",
    "The shop takes the tracking update",
]


def test_the_admin_places_a_test_order_and_follows_its_report(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    embedded.customer_with_admin("Test Order Brand", "lead@test-order.example", PASSWORD)
    admin = headers_of(embedded, "lead@test-order.example", PASSWORD)
    in_catalog(embedded, POSTER)
    pdf = poster_pdf(tmp_path / "poster.pdf").read_bytes()
    uploaded = httpx.post(
        f"{embedded.base}/v1/files", files={"file": ("poster.pdf", pdf, "application/pdf")}, headers=admin
    )
    uploaded.raise_for_status()
    template = {
        "name": "Poster for tests",
        "product_uid": "console_poster_a3",
        "attributes": {"paper": "matte"},
        "files": {"front": uploaded.json()["url"]},
    }
    created = httpx.post(f"{embedded.base}/v1/templates", json=template, headers=admin)
    created.raise_for_status()
    manual_store(embedded, admin, "Tested orders")

    browser.log_in("lead@test-order.example", PASSWORD)
    browser.follow("Tested orders")
    browser.sees("No test order yet.")
    browser.fill("Template id to order (optional)", created.json()["id"])
    browser.fill("Quantity", "3")
    browser.press("Place a test order")
    browser.sees("Result:")
    browser.wait(lambda d: d.find_element("css selector", "[data-test-status]").text != "running")
    rows = browser.elements("css selector", "tbody tr")
    assert [row.find_element("tag name", "td").text for row in rows] == STEPS
    shown = {
        row.get_attribute("data-step"): row.find_element("css selector", "[data-step-status]").text
        for row in rows
    }
    [run] = httpx.get(f"{embedded.base}/v1/test-orders", headers=admin).json()["items"]
    assert shown == {step["name"]: step["status"] for step in run["steps"]}
    assert browser.elements("css selector", "[data-test-status]")[0].text == run["status"] != "running"
    for step in run["steps"]:
        assert step["detail"] in browser.elements("css selector", f"tr[data-step={step['name']}]")[0].text
        if step["status"] == "failed":
            assert step["fix"] in browser.elements("css selector", f"tr[data-step={step['name']}]")[0].text
    assert shown["received"] == shown["mapped"] == shown["files_ok"] == "passed"
    picture(browser, "test-order")

    order = httpx.get(f"{embedded.base}/v1/orders/{run['order_id']}", headers=admin).json()
    assert order["test"] is True and order["line_items"][0]["quantity"] == 3
    browser.follow("The store")
    [listed] = browser.elements("css selector", "a[href^='#/test-orders/']")  # the store's runs
    assert listed.find_element("xpath", "../../td[2]").text == run["status"]
    listed.click()
    browser.follow("The test order itself")
    browser.sees(order["external_number"])


def test_what_the_api_refuses_in_a_test_order_is_shown_beside_the_field(
    browser: Browser, embedded: Suite
) -> None:
    embedded.customer_with_admin("Refused Tests", "lead@refused-tests.example", PASSWORD)
    admin = headers_of(embedded, "lead@refused-tests.example", PASSWORD)
    manual_store(embedded, admin, "Refused tests")
    browser.log_in("lead@refused-tests.example", PASSWORD)
    browser.follow("Refused tests")
    browser.fill("Template id to order (optional)", "not-a-template-id")
    browser.fill("Quantity", "0")
    browser.press("Place a test order")
    assert browser.error_beside("Template id to order (optional)")
    assert browser.error_beside("Quantity")
    assert httpx.get(f"{embedded.base}/v1/test-orders", headers=admin).json()["items"] == []


def test_a_viewer_sees_the_runs_but_cannot_place_a_test_order(browser: Browser, embedded: Suite) -> None:
    embedded.customer_with_admin("Viewed Tests", "lead@viewed-tests.example", PASSWORD)
    admin = headers_of(embedded, "lead@viewed-tests.example", PASSWORD)
    store_id = manual_store(embedded, admin, "Viewed tests")
    httpx.post(f"{embedded.base}/v1/stores/{store_id}/test-order", json={"sku": "POSTER-A3"}, headers=admin)
    team_member(embedded, admin, "viewer@viewed-tests.example", "viewer", PASSWORD)
    browser.log_in("viewer@viewed-tests.example", PASSWORD)
    browser.follow("Viewed tests")
    browser.sees("Test order")
    [run] = browser.elements("css selector", "a[href^='#/test-orders/']")
    assert not browser.driver.find_elements("xpath", "//button[normalize-space()='Place a test order']")
    run.click()
    browser.sees("Every item maps to a catalog product")
