"""What the customer-user tests set up through the API before the browser takes over: a signed-in
customer user's headers, a manual store, a team member with a role who accepted the invitation."""

import time
from pathlib import Path

import httpx

from printbridge_shared.testing import retried_while
from printbridge_shared.testing_browser import Browser

from .conftest import WAIT_SECONDS, Suite


def headers_of(suite: Suite, email: str, password: str) -> dict[str, str]:
    login = httpx.post(f"{suite.base}/v1/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def manual_store(suite: Suite, headers: dict[str, str], name: str) -> str:
    """A manual store, once orders has heard of it (it learns of stores by their `store.connected` event)."""
    store = {"platform": "manual", "name": name}
    created = httpx.post(f"{suite.base}/v1/stores", json=store, headers=headers)
    created.raise_for_status()
    store_id = str(created.json()["store"]["id"])
    deadline = time.monotonic() + WAIT_SECONDS
    while httpx.get(f"{suite.base}/v1/stores/{store_id}/orders", headers=headers).status_code == 404:
        assert time.monotonic() < deadline, "orders never heard of the manual store"
        time.sleep(0.05)
    return store_id


def team_member(
    suite: Suite, admin: dict[str, str], email: str, role: str, password: str, store_ids: tuple[str, ...] = ()
) -> None:
    """A user the admin invited with `role` who accepted the invitation with `password`."""
    invite = {"email": email, "first_name": "Team", "last_name": role, "role": role}
    invite["store_ids"] = list(store_ids)
    httpx.post(f"{suite.base}/v1/users", json=invite, headers=admin).raise_for_status()
    token = suite.invitation_link(email).rsplit("/", 1)[1]
    accepted = httpx.post(f"{suite.base}/v1/invitations/{token}/accept", json={"password": password})
    accepted.raise_for_status()


def downloads_into(browser: Browser, directory: Path) -> None:
    """The browser saves what it downloads in `directory` (not the home directory)."""
    behaviour = {"behavior": "allow", "downloadPath": str(directory)}
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", behaviour)  # type: ignore[attr-defined]


def downloaded(directory: Path, name: str) -> str:
    """The text of the file the browser saved as `name`, once it is complete."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (directory / name).is_file():
        assert time.monotonic() < deadline, f"{name} was not downloaded: {list(directory.iterdir())}"
        time.sleep(0.05)
    return (directory / name).read_text(encoding="utf-8-sig")


POSTER = {
    "product_uid": "console_poster_a3",
    "name": "Poster A3",
    "type": "poster",
    "attributes": {"paper": ["matte", "gloss"]},
    "print_areas": [
        {"name": "front", "formats": ["pdf"], "trim_width_mm": 297, "trim_height_mm": 420, "bleed_mm": 3}
    ],
}


def blank_pdf(path: Path, width_mm: float, height_mm: float) -> Path:
    """A one-page PDF of that size (trim plus bleed): a design file that passes its check."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width_mm / 25.4 * 72, height_mm / 25.4 * 72)
    with path.open("wb") as out:
        writer.write(out)
    return path


def poster_pdf(path: Path) -> Path:
    """An A3 page with 3 mm bleed on every side (303 x 426 mm)."""
    return blank_pdf(path, 303, 426)


def in_catalog(suite: Suite, product: dict[str, object]) -> None:
    created = httpx.post(f"{suite.base}/v1/catalog/products", json=product, headers=suite.operator())
    assert created.status_code in (201, 409), created.text  # one catalog per module's suite


def shopify_store(suite: Suite, customer_id: str, shop: str, products: list[dict[str, object]]) -> str:
    """A Shopify shop with `products`, connected for the customer (the merchant grants access in the
    sandbox), once its products are synced."""
    control = f"{suite.sandboxes.shopify}/_sandbox/shopify/shops"
    httpx.post(control, json={"domain": shop, "name": shop}).raise_for_status()
    for product in products:
        httpx.post(f"{control}/{shop}/products", json=product).raise_for_status()
    operator = suite.operator()
    body = {"platform": "shopify", "shop": shop, "customer_id": customer_id}
    started = retried_while(  # connectors learns of the customer by event
        lambda: httpx.post(f"{suite.base}/v1/stores", json=body, headers=operator),
        ("customer-unknown",),
        within=WAIT_SECONDS,
    )
    assert started.status_code == 201, started.text
    granted = httpx.get(started.json()["authorize_url"], follow_redirects=True, timeout=30)
    assert granted.status_code == 200, granted.text
    store_id = str(started.json()["store"]["id"])
    deadline = time.monotonic() + WAIT_SECONDS
    while not httpx.get(f"{suite.base}/v1/stores/{store_id}/products", headers=operator).json()["items"]:
        assert time.monotonic() < deadline, "the shop's products were not synced"
        time.sleep(0.1)
    return store_id


def picture(browser: Browser, name: str) -> None:
    """The page from its top (pressing a button lower down scrolled it) for docs/console/."""
    browser.driver.execute_script("window.scrollTo(0, 0)")
    browser.screenshot(name)
