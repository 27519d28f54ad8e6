"""The customer users' pages hold to what every console page promises (test_accessibility.py): every
field labelled, every button named, nothing scrolls sideways at a phone's 390 pixels, with the data that
makes them longest (a failed import row, a test order's report, a template with its file check)."""

from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By

from printbridge_shared.testing_browser import Browser

from .conftest import Suite
from .people import POSTER, headers_of, in_catalog, manual_store, poster_pdf
from .test_accessibility import SIDEWAYS, SILENT_BUTTONS, UNLABELLED

pytestmark = [pytest.mark.e2e, pytest.mark.console_shared_suite]

PASSWORD = "the phone admins password"
WIDE = """
return [...document.querySelectorAll("body *")]
  .filter((node) => node.getBoundingClientRect().right > window.innerWidth)
  .map((node) => `${node.tagName}.${node.className} ${Math.round(node.getBoundingClientRect().right)}`);
"""


def test_every_customer_page_labels_its_fields_names_its_buttons_and_fits_a_phone(
    browser: Browser, embedded: Suite, tmp_path: Path
) -> None:
    embedded.customer_with_admin("Phone Direct", "lead@phone-direct.example", PASSWORD)
    admin = headers_of(embedded, "lead@phone-direct.example", PASSWORD)
    in_catalog(embedded, POSTER)
    store_id = manual_store(embedded, admin, "Phone orders")
    pdf = poster_pdf(tmp_path / "poster.pdf").read_bytes()
    uploaded = httpx.post(
        f"{embedded.base}/v1/files", files={"file": ("p.pdf", pdf, "application/pdf")}, headers=admin
    )
    uploaded.raise_for_status()
    spec = {
        "product_uid": "console_poster_a3",
        "attributes": {"paper": "matte"},
        "files": {"front": uploaded.json()["url"]},
    }
    template = httpx.post(
        f"{embedded.base}/v1/templates", json={"name": "Phone poster", **spec}, headers=admin
    )
    template.raise_for_status()
    run = httpx.post(f"{embedded.base}/v1/stores/{store_id}/test-order", json={}, headers=admin)
    assert run.status_code == 202, run.text
    rows = "order_reference,currency,ship_last_name,ship_address1,ship_city,ship_country_code,sku,quantity\n"
    imported = httpx.post(
        f"{embedded.base}/v1/stores/{store_id}/orders/imports",
        files={"file": ("o.csv", rows + "P-1,EUR,Lovelace,Main Street 1,Berlin,DE,P-A3,many\n", "text/csv")},
        headers=admin,
    )
    assert imported.status_code == 202, imported.text
    users = httpx.get(f"{embedded.base}/v1/users", headers=admin).json()["items"]

    browser.driver.set_window_size(390, 844)
    browser.log_in("lead@phone-direct.example", PASSWORD)
    browser.sees("You are signed in as lead@phone-direct.example (admin).")
    pages = {
        "users": "Invite a user",
        f"users/{users[0]['id']}": "Change the user",
        f"stores/{store_id}": "Test order",
        f"stores/{store_id}/orders/new": "Place the order",
        f"stores/{store_id}/orders/imports": "Imports so far",
        f"order-imports/{imported.json()['id']}": "Rows with errors",
        "templates": "Phone poster",
        "templates/new": "Save the template",
        f"templates/{template.json()['id']}": "Check: passed",
        f"test-orders/{run.json()['id']}": "passed",
    }
    for page, settled in pages.items():
        page = f"/console/#/{page}"
        browser.open(page)
        browser.elements(By.TAG_NAME, "h1")
        browser.sees(settled)
        assert browser.driver.execute_script(UNLABELLED) == [], page
        assert browser.driver.execute_script(SILENT_BUTTONS) == [], page
        assert not browser.driver.execute_script(SIDEWAYS), (page, browser.driver.execute_script(WIDE))
