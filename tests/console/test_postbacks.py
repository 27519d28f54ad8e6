"""Postback endpoints in the browser: producer staff add an endpoint (its signing secret shown once, and it
verifies what the receiver gets), send a test ping, redeliver a delivery, page the delivery log, disable
and enable it, and see it disabled by a 410 answer; the API's refusals show beside the field they name."""

import uuid

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from printbridge_shared.testing_browser import Browser

from .conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite

pytestmark = pytest.mark.e2e

ADDRESS = "Address (https://…)"


def statuses(browser: Browser) -> list[str]:
    return [cell.text for cell in browser.driver.find_elements("css selector", "td[data-delivery-status]")]


def test_staff_add_an_endpoint_ping_it_redeliver_and_follow_its_health(
    browser: Browser, embedded: Suite
) -> None:
    receiver, name = embedded.sandboxes.postback_receiver, uuid.uuid4().hex
    customer = {"name": "Posted Brand"}
    httpx.post(f"{embedded.base}/v1/customers", json=customer, headers=embedded.operator()).raise_for_status()
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Postbacks")
    browser.sees("No postback endpoint yet.")
    browser.fill(ADDRESS, f"{embedded.sandboxes.postbacks}/hooks/{name}")
    browser.fill("Description", "The MIS")
    browser.choose("Orders of", "Posted Brand")
    browser.check("order.routed")
    browser.check("order.shipped")
    browser.press("Create endpoint")
    browser.sees("Its signing secret, shown only this once")
    [shown] = browser.elements("css selector", "[data-secret]")
    secret = shown.text
    assert secret.startswith("whsec_")
    browser.sees("order.routed, order.shipped")

    browser.press("Send a test ping")
    browser.sees("Test ping: Delivered: answered 200")
    assert "Its signing secret" not in browser.driver.find_element("css selector", "main").text
    [(headers, body)] = receiver.received[name]
    assert Webhook(secret).verify(body, headers)["type"] == "postback.test"
    assert statuses(browser) == ["delivered"]

    browser.press("Redeliver")
    browser.wait(lambda d: len(receiver.received.get(name, [])) == 2)
    browser.wait(
        lambda d: (
            statuses(browser) == ["delivered"] and "2 attempts" in d.find_element("css selector", "main").text
        )
    )
    assert receiver.received[name][0][0]["webhook-id"] == receiver.received[name][1][0]["webhook-id"]
    browser.driver.execute_script("window.scrollTo(0, 0)")
    browser.screenshot("postback-endpoint")

    browser.press("Disable")
    browser.sees("disabled")
    browser.press("Enable")
    browser.sees("healthy, last delivered")
    receiver.answers[name] = 410
    browser.press("Send a test ping")
    browser.sees("Test ping: Not delivered: answered 410")
    browser.sees("disabled: ")
    browser.follow("All postback endpoints")
    browser.sees("The MIS")
    browser.sees("Posted Brand")  # the customer picked, by name
    [health] = browser.elements("css selector", "td[data-health]")
    assert health.get_attribute("data-health") == "disabled" and "410" in health.text
    browser.screenshot("postbacks")


def test_the_delivery_log_is_paged_by_the_api_cursor_and_filtered_by_status(
    browser: Browser, embedded: Suite
) -> None:
    operator, name = embedded.operator(), uuid.uuid4().hex
    url = f"{embedded.sandboxes.postbacks}/hooks/{name}"
    created = httpx.post(f"{embedded.base}/v1/postbacks/endpoints", json={"url": url}, headers=operator)
    endpoint = created.json()["id"]
    for _ in range(22):
        httpx.post(
            f"{embedded.base}/v1/postbacks/endpoints/{endpoint}/test", headers=operator
        ).raise_for_status()
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.open(f"/console/#/postbacks/{endpoint}")
    browser.sees("Delivery log")
    assert len(statuses(browser)) == 20
    browser.press("Show more deliveries")
    browser.wait(lambda d: len(statuses(browser)) == 22)
    browser.choose("Status", "failed")
    browser.press("Show")
    browser.sees("No delivery yet.")


def test_what_the_api_refuses_is_shown_beside_the_field(browser: Browser) -> None:
    browser.log_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    browser.follow("Postbacks")
    browser.fill(ADDRESS, "ftp://mis.example/hooks")
    browser.press("Create endpoint")
    assert "not an http(s) address" in browser.error_beside(ADDRESS)
