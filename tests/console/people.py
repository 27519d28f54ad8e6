"""What the customer-user tests set up through the API before the browser takes over: a signed-in
customer user's headers, a manual store, a team member with a role who accepted the invitation."""

import time
from pathlib import Path

import httpx

from printbridge_shared.testing_browser import Browser

from .conftest import WAIT_SECONDS, Suite


def log_in(browser: Browser, email: str, password: str) -> None:
    browser.open("/console/")
    browser.fill("E-mail address", email)
    browser.fill("Password", password)
    browser.press("Log in")


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
