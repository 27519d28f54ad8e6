"""`printbridge run-dist` as an operator runs it: every service its own process on PostgreSQL and
RabbitMQ, nginx in front, talked to over HTTP only. Each run gets its own databases and ports."""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from printbridge.distributed import printbridge_command
from printbridge_shared.routes import SERVICES
from printbridge_shared.testing import AMQP_TEST_URL, POSTGRES_ADMIN_URL, MailInbox, smtp_server
from printbridge_shared.testing_browser import chromium

from ..console import stories
from ..console.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, Suite

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.scheduled_first]

START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 20
STATUS_TIMEOUT_SECONDS = 20


@dataclass
class DistributedRun:
    process: subprocess.Popen[bytes]
    gateway: str
    service_ports: dict[str, int]
    database_urls: dict[str, str]
    env: dict[str, str]
    log_file: Path
    exit: tuple[int, float] | None = field(default=None)

    def log_tail(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")[-6000:]

    def stop(self) -> tuple[int, float]:
        """SIGINT, as Ctrl-C sends it; returns the exit code and how long stopping took."""
        if self.exit is None:
            started = time.monotonic()
            self.process.send_signal(signal.SIGINT)
            try:
                code = self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                code = -9
            self.exit = (code, time.monotonic() - started)
        return self.exit


def _postgres_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _drop_databases(urls: list[str]) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        for url in urls:
            name = make_url(url).database
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _wait_until_up(run: DistributedRun) -> None:
    services = [f"http://127.0.0.1:{port}/readyz" for port in run.service_ports.values()]
    urls = [run.gateway + "/healthz", *services]
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        if run.process.poll() is not None:
            raise AssertionError(f"run-dist exited with {run.process.returncode}:\n{run.log_tail()}")
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    if pending:
        raise AssertionError(f"not up within {START_TIMEOUT_SECONDS} s: {pending}\n{run.log_tail()}")


def _start(
    free_port: Callable[[], int],
    data_dir: Path,
    *,
    elsewhere: tuple[str, ...] = (),
    extra_env: Mapping[str, str] | None = None,
) -> DistributedRun:
    """run-dist with its own ports and databases; services named in `elsewhere` get an upstream
    override (a closed port), so run-dist does not start them. Links in e-mails point at the gateway."""
    run_id = uuid.uuid4().hex[:10]
    admin = make_url(POSTGRES_ADMIN_URL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRINTBRIDGE_")}
    gateway_port = free_port()
    env |= {
        "PRINTBRIDGE_HOST": "127.0.0.1",
        "PRINTBRIDGE_PORT": str(gateway_port),
        "PRINTBRIDGE_DATA_DIR": str(data_dir),
        "PRINTBRIDGE_POSTGRES_URL": POSTGRES_ADMIN_URL,
        "PRINTBRIDGE_AMQP_URL": AMQP_TEST_URL,
        "PRINTBRIDGE_PUBLIC_URL": f"http://127.0.0.1:{gateway_port}",
        **(extra_env or {}),
    }
    ports, urls = {}, {}
    for service in SERVICES:
        if service.name in elsewhere:
            env[service.env_prefix + "UPSTREAM"] = f"127.0.0.1:{free_port()}"
            continue
        ports[service.name] = free_port()
        urls[service.name] = admin.set(
            drivername="postgresql+asyncpg", database=f"pb_e2e_{run_id}_{service.package}"
        ).render_as_string(hide_password=False)
        env[service.env_prefix + "PORT"] = str(ports[service.name])
        env[service.env_prefix + "DATABASE_URL"] = urls[service.name]
    log_file = data_dir / "run-dist.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [*printbridge_command(), "run-dist"], cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    run = DistributedRun(process, f"http://127.0.0.1:{gateway_port}", ports, urls, env, log_file)
    try:
        _wait_until_up(run)
    except BaseException:
        _finish(run)
        raise
    return run


def _finish(run: DistributedRun) -> None:
    run.stop()
    asyncio.run(_drop_databases(list(run.database_urls.values())))


class HeldPort:
    """A loopback port bound but not listening: connecting to it is refused (a mail server that is
    down) and no other process can take it, until `release` hands it to the server that starts there."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    def release(self) -> int:
        self._socket.close()
        return self.port


@pytest.fixture(scope="module")
def smtp_port() -> Iterator[HeldPort]:
    """Where storefront-auth's mail server is configured; nothing answers there until a test starts one."""
    held = HeldPort()
    yield held
    held.release()


@pytest.fixture(scope="module")
def run_dist(
    free_port: Callable[[], int], readable_dir: Callable[[], Path], smtp_port: HeldPort, sandboxes: Any
) -> Iterator[DistributedRun]:
    mail = {
        "PRINTBRIDGE_SMTP_HOST": "127.0.0.1",
        "PRINTBRIDGE_SMTP_PORT": str(smtp_port.port),
        "PRINTBRIDGE_SMTP_STARTTLS": "false",
        "PRINTBRIDGE_SMTP_TIMEOUT_SECONDS": "2",
        "PRINTBRIDGE_INVITATION_SEND_ATTEMPTS": "2",
        "PRINTBRIDGE_INVITATION_RETRY_SECONDS": "0.2",
    }
    run = _start(free_port, readable_dir(), extra_env=mail | sandboxes.suite_env())
    try:
        yield run
    finally:
        _finish(run)


def _create_api_key(run: DistributedRun, name: str) -> str:
    """An operator API key made with the CLI, as an operator first gets one."""
    created = subprocess.run(
        [*printbridge_command(), "api-key", "create", name],
        env=run.env,
        cwd=run.log_file.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def test_the_gateway_serves_the_merged_openapi_document(run_dist: DistributedRun) -> None:
    response = httpx.get(run_dist.gateway + "/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/v1/customers" in paths
    assert "/v1/auth/login" in paths


def test_internal_endpoints_are_refused_at_the_gateway(run_dist: DistributedRun) -> None:
    response = httpx.post(run_dist.gateway + "/internal/v1/api-keys/introspect", json={"key": "pbk_x"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_request_id_is_echoed_through_the_gateway(run_dist: DistributedRun) -> None:
    request_id = f"e2e-{uuid.uuid4()}"
    response = httpx.get(run_dist.gateway + "/v1/customers", headers={"X-Request-ID": request_id})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == request_id


def test_a_customer_created_through_the_gateway_reaches_storefront_auths_projection(
    run_dist: DistributedRun,
) -> None:
    api_key = _create_api_key(run_dist, "e2e")

    request_id = f"e2e-{uuid.uuid4()}"
    response = httpx.post(
        run_dist.gateway + "/v1/customers",
        json={"name": "Acme Prints GmbH"},
        headers={"Authorization": f"Bearer {api_key}", "X-Request-ID": request_id},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == request_id
    customer_id = uuid.UUID(response.json()["id"])

    async def projected() -> asyncpg.Record | None:
        connection = await asyncpg.connect(_postgres_dsn(run_dist.database_urls["storefront-auth"]))
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                row = await connection.fetchrow(
                    "SELECT customer_id, name FROM customer_projections WHERE customer_id = $1", customer_id
                )
                if row is not None:
                    return row
                await asyncio.sleep(0.2)
            return None
        finally:
            await connection.close()

    row = asyncio.run(projected())
    assert row is not None, "customer.created did not reach storefront-auth within 10 s"
    assert row["name"] == "Acme Prints GmbH"
    handled = [
        json.loads(line)
        for line in run_dist.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        if '"event_handled"' in line and request_id in line
    ]
    assert "storefront-auth" in {line["consumer"] for line in handled}, (
        "the request id reaches the consumer's logs"
    )


def _create_operator(run: DistributedRun, email: str, password: str) -> None:
    """An operator made with the CLI (the password on stdin), as producer staff first get an account."""
    subprocess.run(
        [*printbridge_command(), "operator", "create", email],
        input=password,
        env=run.env,
        cwd=run.log_file.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_a_revoked_api_key_is_refused_by_every_service_within_seconds(run_dist: DistributedRun) -> None:
    password = "correct horse battery staple"
    _create_operator(run_dist, "revoker@example.com", password)
    login = httpx.post(
        run_dist.gateway + "/v1/auth/login", json={"email": "revoker@example.com", "password": password}
    )
    assert login.status_code == 200, login.text
    operator = {"Authorization": f"Bearer {login.json()['access_token']}"}
    created = httpx.post(run_dist.gateway + "/v1/api-keys", json={"name": "to revoke"}, headers=operator)
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    assert httpx.get(run_dist.gateway + "/v1/customers", headers=key).status_code == 200
    assert httpx.get(run_dist.gateway + "/v1/auth/me", headers=key).status_code == 200

    revoked = httpx.delete(f"{run_dist.gateway}/v1/api-keys/{created.json()['id']}", headers=operator)
    assert revoked.status_code == 204
    started = time.monotonic()
    statuses: tuple[int, int] = (200, 200)
    while time.monotonic() - started < 5:
        statuses = (
            httpx.get(run_dist.gateway + "/v1/customers", headers=key).status_code,
            httpx.get(run_dist.gateway + "/v1/auth/me", headers=key).status_code,
        )
        if statuses == (401, 401):
            break
        time.sleep(0.1)
    assert statuses == (401, 401), "customers and storefront-auth refuse the revoked key within 5 s"


def _wait_for_status(
    client: httpx.Client, url: str, wanted: str, seconds: float = STATUS_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """Polls the storefront-access status until it is `wanted` (events travel asynchronously)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        if status["invitation_status"] == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status["invitation_status"] == wanted, f"not {wanted} within {seconds} s: {status}"
    return status


def test_invitation_fails_while_smtp_is_down_and_resend_delivers_it_once_back(
    run_dist: DistributedRun, smtp_port: HeldPort
) -> None:
    api_key = _create_api_key(run_dist, f"e2e-invitations-{uuid.uuid4().hex[:8]}")
    run_id = uuid.uuid4().hex[:10]
    customer_name = f"Brand {run_id} GmbH"
    admin = {"email": f"anna-{run_id}@brand.example", "first_name": "Anna", "last_name": "Berg"}
    password = "a long and quiet river"
    operator_headers = {"Authorization": f"Bearer {api_key}"}

    with (
        httpx.Client(base_url=run_dist.gateway, headers=operator_headers, timeout=10) as operator,
        httpx.Client(base_url=run_dist.gateway, timeout=10) as anonymous,
    ):
        customer = operator.post("/v1/customers", json={"name": customer_name})
        assert customer.status_code == 201, customer.text
        access = f"/v1/customers/{customer.json()['id']}/storefront-access"

        turned_on = operator.put(access, json={"enabled": True, "admin": admin})
        assert turned_on.status_code == 200, turned_on.text
        assert turned_on.json()["invitation_status"] == "pending"
        failed = _wait_for_status(operator, access, "failed")
        assert failed["failure_reason"].startswith("mail server unreachable"), failed
        assert failed["invited_at"] is None
        attempts = [
            line
            for line in run_dist.log_file.read_text(encoding="utf-8").splitlines()
            if '"mail_delivery_failed"' in line and admin["email"] in line
        ]
        assert len(attempts) == 2, "PRINTBRIDGE_INVITATION_SEND_ATTEMPTS=2 attempts, then failed"

        with smtp_server(smtp_port.release()) as inbox:
            resent = operator.post(access + "/resend-invitation")
            assert resent.status_code == 202, resent.text
            assert resent.json()["invitation_status"] == "pending"
            invited = _wait_for_status(operator, access, "invited")
        assert invited["invited_at"] is not None and invited["failure_reason"] is None

        [message], [recipients] = inbox.messages, inbox.recipients
        assert recipients == [admin["email"]] and message["To"] == admin["email"]
        text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
        assert text_part is not None and html_part is not None
        text, html = text_part.get_content(), html_part.get_content()
        link = re.search(re.escape(run_dist.gateway) + r"/invitations/([A-Za-z0-9_-]{22,})", text)
        assert link is not None, text
        assert f'href="{link.group(0)}"' in html
        token = link.group(1)

        page = anonymous.get(link.group(0))
        assert page.status_code == 200 and admin["email"] in page.text, "the link opens via the gateway"
        shown = anonymous.get(f"/v1/invitations/{token}")
        assert shown.status_code == 200, shown.text
        assert {k: shown.json()[k] for k in ("email", "role", "customer_name")} == {
            "email": admin["email"],
            "role": "admin",
            "customer_name": customer_name,
        }
        accepted = anonymous.post(f"/v1/invitations/{token}/accept", json={"password": password})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["access_token"]
        active = _wait_for_status(operator, access, "active")
        assert active["activated_at"] is not None and active["failure_reason"] is None

        login = anonymous.post("/v1/auth/login", json={"email": admin["email"], "password": password})
        assert login.status_code == 200, login.text
        me = anonymous.get("/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
        assert me.status_code == 200, me.text
        assert (me.json()["kind"], me.json()["role"]) == ("customer_user", "admin")


def _invitation_token(inbox: MailInbox, gateway: str, to: str) -> str:
    """The token of the link in the invitation that reached `to` (waits for it: sending is async)."""
    deadline = time.monotonic() + STATUS_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for message in inbox.messages:
            if message["To"] == to:
                text = message.get_body(("plain",)).get_content()
                link = re.search(re.escape(gateway) + r"/invitations/([A-Za-z0-9_-]{22,})", text)
                assert link is not None, text
                return link.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no invitation for {to} within {STATUS_TIMEOUT_SECONDS} s")


def _refused_everywhere_within(gateway: str, token: str, seconds: float = 5) -> tuple[int, int]:
    """(customers, storefront-auth) answers to the token until both refuse it (401) or time is up."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds
    while True:
        statuses = (
            httpx.get(gateway + "/v1/customers", headers=headers).status_code,
            httpx.get(gateway + "/v1/auth/me", headers=headers).status_code,
        )
        if statuses == (401, 401) or time.monotonic() > deadline:
            return statuses
        time.sleep(0.1)


def test_the_admin_manages_its_team_and_every_service_enforces_roles_and_changes(
    run_dist: DistributedRun, smtp_port: HeldPort
) -> None:
    api_key = _create_api_key(run_dist, f"e2e-team-{uuid.uuid4().hex[:8]}")
    run_id = uuid.uuid4().hex[:10]
    admin_email, viewer_email = f"anna-{run_id}@brand.example", f"vic-{run_id}@brand.example"
    password = "a long and quiet river"
    gateway = run_dist.gateway
    with (
        smtp_server(smtp_port.release()) as inbox,
        httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {api_key}"}) as operator,
        httpx.Client(base_url=gateway) as anonymous,
    ):
        customer = operator.post("/v1/customers", json={"name": f"Team {run_id}"}).json()
        admin = {"email": admin_email, "first_name": "Anna", "last_name": "Berg"}
        operator.put(
            f"/v1/customers/{customer['id']}/storefront-access", json={"enabled": True, "admin": admin}
        )
        token = _invitation_token(inbox, gateway, admin_email)
        admin_tokens = anonymous.post(f"/v1/invitations/{token}/accept", json={"password": password}).json()
        as_admin = {"Authorization": f"Bearer {admin_tokens['access_token']}"}

        invited = anonymous.post(
            "/v1/users",
            json={"email": viewer_email, "first_name": "Vic", "last_name": "Lee", "role": "viewer"},
            headers=as_admin,
        )
        assert invited.status_code == 201, invited.text
        token = _invitation_token(inbox, gateway, viewer_email)
        viewer = anonymous.post(f"/v1/invitations/{token}/accept", json={"password": password}).json()
        as_viewer = {"Authorization": f"Bearer {viewer['access_token']}"}
        assert anonymous.get("/v1/users", headers=as_viewer).status_code == 403
        assert anonymous.get("/v1/customers", headers=as_viewer).status_code == 403
        listed = operator.get("/v1/users", params={"customer_id": customer["id"]}).json()
        assert sorted(u["email"] for u in listed["items"]) == [admin_email, viewer_email]

        user_url = f"/v1/users/{invited.json()['id']}"
        changed = anonymous.patch(user_url, json={"role": "order_manager"}, headers=as_admin)
        assert changed.status_code == 200, changed.text
        statuses = _refused_everywhere_within(gateway, viewer["access_token"])
        assert statuses == (401, 401), "both services refuse the token with the old role within 5 s"
        refreshed = anonymous.post("/v1/auth/refresh", json={"refresh_token": viewer["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        new_token = refreshed.json()["access_token"]
        me = anonymous.get("/v1/auth/me", headers={"Authorization": f"Bearer {new_token}"})
        assert me.json()["role"] == "order_manager"

        assert anonymous.delete(user_url, headers=as_admin).status_code == 204
        statuses = _refused_everywhere_within(gateway, new_token)
        assert statuses == (401, 401), "both services refuse a removed user's token within 5 s"


def test_orders_placed_in_a_shopify_and_a_woocommerce_shop_are_listed_within_two_seconds(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'shops')}"})
    customer = flow.customer()
    shopify_store = flow.connect_shopify(customer, "e2e-dist.myshopify.com")
    woo_store = flow.connect_woocommerce(customer, "e2e-dist")

    assert flow.seconds_until_listed(shopify_store, flow.place_shopify_order("e2e-dist.myshopify.com")) < 2
    assert flow.seconds_until_listed(woo_store, flow.place_woocommerce_order("e2e-dist")) < 2

    # Lost webhooks: the orders arrive with the next poll (here asked for at once).
    flow.lose_next_webhooks(shop="e2e-dist.myshopify.com", slug="e2e-dist")
    lost_shopify = flow.place_shopify_order("e2e-dist.myshopify.com")
    lost_woo = flow.place_woocommerce_order("e2e-dist")
    flow.reconcile(shopify_store)
    flow.reconcile(woo_store)
    flow.seconds_until_listed(shopify_store, lost_shopify)
    flow.seconds_until_listed(woo_store, lost_woo)


def test_orders_paid_on_etsy_arrive_once_by_notice_and_by_poll(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'etsy')}"})
    flow.etsy_orders_arrive_once_and_a_revoked_grant_shows("EtsyDistShop")


def test_pressero_refuses_a_wrong_integration_id_and_takes_in_orders_of_the_right_one(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'pressero')}"})
    flow.pressero_refuses_a_wrong_integration_id_and_takes_orders("PRESS-DIST", "dist.pressero.example")


def test_a_test_order_names_the_failing_step_and_asks_the_shop_whether_it_would_take_a_shipment(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'test-order')}"})
    flow.test_orders_ask_the_shops_whether_they_would_take_a_shipment(
        "e2e-dist-test-order.myshopify.com", "e2e-dist-test-order"
    )


def test_a_manual_order_and_a_csv_file_with_good_and_bad_rows(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'manual')}"})
    flow.manual_order_and_csv_import_behave()


def test_shop_products_are_synced_and_mapped_and_bad_print_files_named(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'products')}"})
    flow.products_are_synced_and_mapped("e2e-dist-products.myshopify.com", "e2e-dist-products")


def test_an_etsy_and_a_pressero_order_of_mapped_products_go_into_production(
    run_dist: DistributedRun, shop_flow: Any
) -> None:
    # After the products test on purpose: its routing rule (WooCommerce only) must not trip these orders.
    flow = shop_flow(run_dist.gateway, {"Authorization": f"Bearer {_create_api_key(run_dist, 'production')}"})
    flow.an_etsy_and_a_pressero_order_go_into_production(
        "EtsyDistProduction", "PRESS-DIST-PROD", "dist-prod.pressero.example"
    )


def test_the_console_works_through_nginx(run_dist: DistributedRun) -> None:
    """The web console as nginx serves it: its modules load under its policy and it talks to every service
    through the gateway, as in the embedded mode (tests/console/ walks every page there)."""
    password = "console staff password"
    _create_operator(run_dist, "console@example.com", password)
    with chromium(run_dist.gateway) as browser:
        browser.open("/console/")
        browser.fill("E-mail address", "console@example.com")
        browser.fill("Password", password)
        browser.press("Log in")
        browser.sees("You are signed in as producer staff.")
        browser.follow("Customers")
        browser.fill("Name", "Through nginx")
        browser.press("Create customer")
        browser.sees("Storefront access is off.")
        browser.follow("All customers")
        browser.sees("Through nginx")
        # A page of every service, each behind its own nginx location.
        for link, seen in (
            ("Stores", "Connect a store"),  # connectors
            ("Orders", "Status"),  # orders
            ("Catalog", "Export and import"),  # mapping
            ("Routing", "Dry run"),  # orders
            ("Postbacks", "New endpoint"),  # orders
            ("API keys", "New API key"),  # storefront-auth
            ("Templates", "Name contains"),  # mapping
        ):
            browser.follow(link)
            browser.sees(seen)
        logs = browser.driver.get_log("browser")
    assert [entry for entry in logs if entry["level"] == "SEVERE"] == []  # no script refused, no failed call


def test_the_consoles_main_story_runs_through_nginx(
    run_dist: DistributedRun, smtp_port: HeldPort, sandboxes: Any, tmp_path: Path
) -> None:
    """The story the console's browser tests tell embedded (tests/console/stories.py), here through nginx
    and the services' own processes: the invitation by mail, the shop's grant, the order's hold, the
    mapping with an uploaded file and the release."""
    _create_operator(run_dist, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    with smtp_server(smtp_port.release()) as inbox, chromium(run_dist.gateway) as browser:
        suite = Suite(run_dist.gateway, inbox, run_dist.log_file, sandboxes)
        stories.admin_connects_a_shop_maps_its_product_and_follows_its_order(browser, suite, tmp_path)


def test_sigint_stops_every_process_cleanly(run_dist: DistributedRun) -> None:
    code, seconds = run_dist.stop()
    assert code == 0, run_dist.log_tail()
    assert seconds < STOP_TIMEOUT_SECONDS
    for port in [*run_dist.service_ports.values(), int(run_dist.gateway.rsplit(":", 1)[1])]:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    # The whole log: nginx's buffered access lines may be flushed after the last line run-dist writes.
    assert "run_dist_stopped" in run_dist.log_file.read_text(encoding="utf-8", errors="replace")


def test_a_service_that_dies_is_restarted_and_logged_while_the_gateway_keeps_running(
    free_port: Callable[[], int], readable_dir: Callable[[], Path]
) -> None:
    elsewhere = ("storefront-auth", "connectors", "mapping", "orders")
    run = _start(free_port, readable_dir(), elsewhere=elsewhere)
    try:
        assert list(run.service_ports) == ["customers"]
        started = [json.loads(line) for line in run.log_tail().splitlines() if "process_started" in line]
        customers_pid = next(entry["pid"] for entry in started if entry.get("process") == "customers")
        os.kill(customers_pid, signal.SIGKILL)

        def restarted() -> dict[str, Any] | None:
            lines = [json.loads(line) for line in run.log_tail().splitlines() if line.startswith("{")]
            return next((e for e in lines if e["event"] == "process_restarted"), None)

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while restarted() is None and time.monotonic() < deadline and run.process.poll() is None:
            time.sleep(0.1)
        entry = restarted()
        assert entry is not None, run.log_tail()
        assert entry["process"] == "customers" and entry["pid"] != customers_pid
        assert entry["exit_code"] == -signal.SIGKILL
        assert '"process_died"' in run.log_tail()
        _wait_until_up(run)
        assert httpx.get(run.gateway + "/healthz", timeout=2).status_code == 200
        code, _seconds = run.stop()
        assert code == 0, run.log_tail()
    finally:
        _finish(run)


def _run_dist_failing(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PRINTBRIDGE_")}
    return subprocess.run(
        [*printbridge_command(), "run-dist"],
        env=base | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_nginx_run_dist_says_how_to_install_it(tmp_path: Path) -> None:
    result = _run_dist_failing({"PRINTBRIDGE_NGINX_BIN": str(tmp_path / "no-nginx")}, tmp_path)
    assert result.returncode == 1
    assert "apt-get install nginx-light" in result.stderr


def test_an_unreachable_postgresql_is_retried_then_reported_clearly(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    closed = free_port()
    result = _run_dist_failing(
        {
            "PRINTBRIDGE_DATA_DIR": str(tmp_path),
            "PRINTBRIDGE_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{closed}/postgres",
            "PRINTBRIDGE_STARTUP_TIMEOUT_SECONDS": "1",
        },
        tmp_path,
    )
    assert result.returncode == 1
    assert "postgres_unreachable" in result.stderr
    assert f"PostgreSQL at postgresql://postgres@127.0.0.1:{closed}/postgres is unreachable" in result.stderr
    assert "PRINTBRIDGE_POSTGRES_URL" in result.stderr
