"""The console in a real headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium)
against the suite as `make run` starts it, with a real SMTP server catching the invitations. Set
`SCREENSHOTS_DIR` (as `make screenshots` does) to keep a picture of each main page."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from printbridge_shared.testing import MailInbox, free_port, smtp_server

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 15
OPERATOR_EMAIL = "staff@printshop.example"
OPERATOR_PASSWORD = "console staff password"


@dataclass
class Suite:
    base: str
    inbox: MailInbox
    log: Path
    sandboxes: Any

    def operator(self) -> dict[str, str]:
        """An operator's headers, for what a test sets up through the API rather than the browser."""
        login = httpx.post(
            f"{self.base}/v1/auth/login", json={"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
        )
        login.raise_for_status()
        return {"Authorization": f"Bearer {login.json()['access_token']}"}

    def customer_with_admin(self, name: str, email: str, password: str) -> str:
        """A customer whose admin accepted the invitation with `password` (set up through the API)."""
        operator = self.operator()
        created = httpx.post(f"{self.base}/v1/customers", json={"name": name}, headers=operator)
        created.raise_for_status()
        customer_id = str(created.json()["id"])
        admin = {"email": email, "first_name": "Grace", "last_name": "Hopper"}
        access = httpx.put(
            f"{self.base}/v1/customers/{customer_id}/storefront-access",
            json={"enabled": True, "admin": admin},
            headers=operator,
        )
        access.raise_for_status()
        token = self.invitation_link(email).rsplit("/", 1)[1]
        accepted = httpx.post(f"{self.base}/v1/invitations/{token}/accept", json={"password": password})
        accepted.raise_for_status()
        return customer_id

    def invitation_link(self, to: str) -> str:
        """The link in the invitation that reached `to` (sending is asynchronous: waits for it)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            for message in self.inbox.messages:
                if message["To"] == to:
                    text = message.get_body(("plain",)).get_content()
                    link = re.search(re.escape(self.base) + r"/invitations/[A-Za-z0-9_-]{22,}", text)
                    assert link is not None, text
                    return link.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no invitation reached {to} within {WAIT_SECONDS} s")


def _started(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [BIN / "printbridge", "run"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the embedded suite did not start:\n" + log.read_text()[-3000:])


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, sandboxes: Any) -> Iterator[Suite]:
    """`printbridge run` (SQLite under its data directory) with one operator, mailing through a real SMTP
    server on loopback, its shops in the platform sandboxes."""
    workdir = tmp_path_factory.mktemp("console")
    port, smtp_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PRINTBRIDGE_")},
        "PRINTBRIDGE_MODE": "embedded",
        "PRINTBRIDGE_PORT": str(port),
        "PRINTBRIDGE_DATA_DIR": str(workdir / "var"),
        "PRINTBRIDGE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PRINTBRIDGE_SMTP_HOST": "127.0.0.1",
        "PRINTBRIDGE_SMTP_PORT": str(smtp_port),
        "PRINTBRIDGE_SMTP_STARTTLS": "false",
        "PRINTBRIDGE_RATE_LIMIT_PER_SECOND": "0",
        **sandboxes.suite_env(),
    }
    subprocess.run(
        [BIN / "printbridge", "operator", "create", OPERATOR_EMAIL],
        input=OPERATOR_PASSWORD,
        env=env,
        text=True,
        capture_output=True,
        check=True,
    )
    log = workdir / "suite.log"
    with smtp_server(smtp_port) as inbox:
        process = _started(env, log)
        try:
            yield Suite(f"http://127.0.0.1:{port}", inbox, log, sandboxes)
        finally:
            process.terminate()
            process.wait(timeout=20)


class Browser:
    """A person at the console: finds fields by their label and buttons by their text, as a screen
    reader would, so a field without a label or a button without text cannot be used by the tests either."""

    def __init__(self, driver: WebDriver, base: str, screenshots: Path | None) -> None:
        self.driver = driver
        self.base = base
        self.screenshots = screenshots

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def field(self, label: str) -> WebElement:
        found = self.wait(lambda d: d.find_elements(By.XPATH, f"//label[normalize-space()={_xpath(label)}]"))
        return self.driver.find_element(By.ID, found[0].get_attribute("for"))

    def fill(self, label: str, value: str) -> None:
        element = self.field(label)
        element.clear()
        element.send_keys(value)

    def choose(self, label: str, option: str) -> None:
        Select(self.field(label)).select_by_visible_text(option)

    def check(self, label: str, on: bool = True) -> None:
        element = self.field(label)
        if element.is_selected() != on:
            element.click()

    def press(self, text: str) -> None:
        buttons = self.wait(
            lambda d: d.find_elements(By.XPATH, f"//button[normalize-space()={_xpath(text)}]")
        )
        buttons[0].click()

    def follow(self, text: str) -> None:
        self.wait(lambda d: d.find_elements(By.LINK_TEXT, text))[0].click()

    def sees(self, text: str) -> None:
        try:
            self.wait(lambda d: text in d.find_element(By.TAG_NAME, "body").text)
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(
                f"{text!r} not on {self.driver.current_url} within {WAIT_SECONDS} s; it shows:\n{body}"
            ) from None

    def error_beside(self, label: str) -> str:
        """The message shown next to the field labelled `label` (the API's problem for that field)."""
        element = self.field(label)
        self.wait(lambda d: element.get_attribute("aria-invalid") == "true")
        described = (element.get_attribute("aria-describedby") or "").split()
        return " ".join(
            self.driver.find_element(By.ID, ref).text for ref in described if ref.endswith("-error")
        )

    def wait(self, condition: Callable[[WebDriver], object]) -> object:
        ignored = (StaleElementReferenceException, NoSuchElementException)  # a page being replaced
        return WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=ignored).until(condition)

    def screenshot(self, name: str) -> None:
        if self.screenshots is not None:
            self.screenshots.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(self.screenshots / f"{name}.png"))


def _xpath(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"


@pytest.fixture
def browser(embedded: Suite, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager never downloads: Debian's driver is named
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    screenshots = os.environ.get("SCREENSHOTS_DIR")
    try:
        yield Browser(driver, embedded.base, Path(screenshots) if screenshots else None)
    finally:
        driver.quit()
