"""The console in a real headless Chromium (tests/browser.py) against the suite as `make run` starts it,
with a real SMTP server catching the invitations and the platform sandboxes as its shops."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from printbridge_shared.testing import MailInbox, free_port, smtp_server
from printbridge_shared.testing_browser import Browser, chromium

from ..conftest import platform_sandboxes

BIN = Path(sys.executable).parent
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

    def wait_for_order(self, status: str, customer_id: str) -> None:
        """Until an order of the customer with `status` is listed (the browser then shows what is there)."""
        operator, deadline = self.operator(), time.monotonic() + WAIT_SECONDS
        query = {"status": status, "customer_id": customer_id}
        while time.monotonic() < deadline:
            listed = httpx.get(f"{self.base}/v1/orders", params=query, headers=operator)
            if listed.json()["items"]:
                return
            time.sleep(0.1)
        raise AssertionError(f"no order became {status} within {WAIT_SECONDS} s")

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


@contextmanager
def running_suite(workdir: Path, sandboxes: Any) -> Iterator[Suite]:
    """`printbridge run` (SQLite under its data directory) with one operator, mailing through a real SMTP
    server on loopback, its shops in the platform sandboxes."""
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


@pytest.fixture(scope="session")
def shared_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """One suite (and its sandboxes) for every module of this worker marked `console_shared_suite`."""
    with (
        platform_sandboxes(tmp_path_factory.mktemp("shared-sandbox-tls")) as sandboxes,
        running_suite(tmp_path_factory.mktemp("shared-console"), sandboxes) as suite,
    ):
        yield suite


@pytest.fixture(scope="module")
def embedded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """The suite a module's tests drive: the worker's shared one for a module marked
    `console_shared_suite` (its tests set up only their own customers, shops and catalog products, and
    look only at those), else one of the module's own (for modules that look at what is the producer's as
    a whole: every customer, the postback endpoints, the routing rules, the API keys, the catalog)."""
    if request.node.get_closest_marker("console_shared_suite"):
        yield request.getfixturevalue("shared_suite")
        return
    sandboxes = request.getfixturevalue("sandboxes")
    with running_suite(tmp_path_factory.mktemp("console"), sandboxes) as suite:
        yield suite


@pytest.fixture
def browser(embedded: Suite) -> Iterator[Browser]:
    with chromium(embedded.base) as browser:
        yield browser
