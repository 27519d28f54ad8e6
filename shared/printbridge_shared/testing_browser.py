"""A person at the web console, in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
driven by Selenium), for the console's tests in either run mode. Set `SCREENSHOTS_DIR` (as `make
screenshots` does) to keep a picture of each page a test names."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 15
FLAGS = (
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
)


class Browser:
    """A person at the console: finds fields by their label and buttons by their text, as a screen
    reader would, so a field without a label or a button without text cannot be used by the tests either."""

    def __init__(self, driver: WebDriver, base: str, screenshots: Path | None) -> None:
        self.driver = driver
        self.base = base
        self.screenshots = screenshots

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def log_in(self, email: str, password: str) -> None:
        """Logs in on the console's login page and waits for the signed-in home page."""
        self.open("/console/")
        self.fill("E-mail address", email)
        self.fill("Password", password)
        self.press("Log in")
        self.sees("You are signed in as")

    def confirm(self) -> None:
        """Accepts the confirmation the page asked for (`confirm()`)."""
        WebDriverWait(self.driver, WAIT_SECONDS).until(expected_conditions.alert_is_present()).accept()

    def field(self, label: str) -> WebElement:
        found = self.elements(By.XPATH, f"//label[normalize-space()={_xpath(label)}]")
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
        self.click(By.XPATH, f"//button[normalize-space()={_xpath(text)}]")

    def follow(self, text: str) -> None:
        self.click(By.LINK_TEXT, text)

    def click(self, by: str, selector: str) -> None:
        """Clicks the first element `selector` finds, finding it again when the page was redrawn between
        finding and clicking it."""

        def clicked(driver: WebDriver) -> bool:
            found = driver.find_elements(by, selector)
            if found:
                found[0].click()
            return bool(found)

        self.wait(clicked)

    def elements(self, by: str, selector: str) -> list[WebElement]:
        """The elements `selector` finds, once there is at least one (fails after WAIT_SECONDS)."""
        found: list[WebElement] = []

        def present(driver: WebDriver) -> bool:
            found[:] = driver.find_elements(by, selector)
            return bool(found)

        self.wait(present)
        return found

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


@contextmanager
def chromium(base: str) -> Iterator[Browser]:
    """A fresh browser (no cookies, no storage) at the suite whose address is `base`. When the block ends
    without an error, no script of the pages may have failed (an uncaught error, a refused module)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never downloads: the driver is named
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    screenshots = os.environ.get("SCREENSHOTS_DIR")
    try:
        yield Browser(driver, base, Path(screenshots) if screenshots else None)
        logged = driver.get_log("browser")  # type: ignore[no-untyped-call]  # selenium leaves it untyped
        failures = [entry["message"] for entry in logged if entry["source"] == "javascript"]
        assert failures == [], f"the pages' scripts failed: {failures}"
    finally:
        driver.quit()
