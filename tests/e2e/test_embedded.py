"""`printbridge run` as a person starts it: one process, SQLite under the data directory. A customer
created over HTTP reaches storefront-auth by event; a restart keeps everything. The shop flows share one
suite, as the distributed module's share one run-dist."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from printbridge_shared.testing import free_port

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def start_suite(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [BIN / "printbridge", "run"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the embedded suite did not start:\n" + log.read_text()[-3000:])


def stop_suite(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=20)


def wait_for_projection(database: Path, customer_id: str) -> tuple[str, str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as conn:
            row = conn.execute(
                "SELECT name, reference_id FROM customer_projections WHERE customer_id = ?", (customer_id,)
            ).fetchone()
        if row:
            return row
        time.sleep(0.1)
    raise AssertionError(f"customer {customer_id} never reached storefront-auth's projection")


def test_embedded_suite_creates_a_customer_whose_event_reaches_storefront_auth_and_survives_restart(tmp_path):
    env = {
        **os.environ,
        "PRINTBRIDGE_PORT": str(free_port()),
        "PRINTBRIDGE_DATA_DIR": str(tmp_path / "var"),
        "PRINTBRIDGE_LOG_JSON": "true",
        "PRINTBRIDGE_MODE": "embedded",  # no suite runs yet: the first command is told which one
    }
    for key in [k for k in env if k.endswith("_DATABASE_URL")]:
        del env[key]
    log = tmp_path / "suite.log"
    created_key = subprocess.run(
        [BIN / "printbridge", "api-key", "create", "e2e"], env=env, capture_output=True, text=True, check=True
    )
    api_key = created_key.stdout.strip().splitlines()[-1]
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    headers = {"Authorization": f"Bearer {api_key}"}
    request_id = f"e2e-{uuid.uuid4().hex}"

    suite = start_suite(env, log)
    try:
        response = httpx.post(
            f"{base}/v1/customers",
            json={"name": "Acme Prints", "reference_id": "ACME-E2E"},
            headers={**headers, "X-Request-ID": request_id},
        )
        assert response.status_code == 201, response.text
        assert response.headers["x-request-id"] == request_id
        customer = response.json()
        projection = wait_for_projection(tmp_path / "var" / "storefront_auth.db", customer["id"])
        assert projection == ("Acme Prints", "ACME-E2E")
        assert httpx.get(f"{base}/internal/v1/api-keys/introspect").status_code == 404
        openapi = httpx.get(f"{base}/openapi.json").json()
        assert {"/v1/customers", "/v1/auth/login", "/v1/api-keys"} <= set(openapi["paths"])
        unset = {k: v for k, v in env.items() if k != "PRINTBRIDGE_MODE"}
        while_running = subprocess.run(
            [BIN / "printbridge", "api-key", "create", "while running"],
            env=unset,
            capture_output=True,
            text=True,
        )
        assert while_running.returncode == 0, (
            "the commands act on the suite that runs: " + while_running.stderr
        )
    finally:
        assert stop_suite(suite) == 0

    log_lines = log.read_text()
    assert f'"request_id": "{request_id}"' in log_lines
    assert '"event": "event_handled"' in log_lines

    suite = start_suite(env, log)
    try:
        again = httpx.get(f"{base}/v1/customers/{customer['id']}", headers=headers)
        assert again.status_code == 200
        assert again.json()["name"] == "Acme Prints"
    finally:
        assert stop_suite(suite) == 0


def test_rotating_x_forwarded_for_does_not_escape_the_per_address_login_limit(tmp_path):
    env = {
        **os.environ,
        "PRINTBRIDGE_PORT": str(free_port()),
        "PRINTBRIDGE_DATA_DIR": str(tmp_path / "var"),
        "PRINTBRIDGE_RATE_LIMIT_PER_SECOND": "0",
        "PRINTBRIDGE_LOGIN_MAX_FAILURES_PER_ADDRESS": "3",
    }
    for key in [k for k in env if k.endswith("_DATABASE_URL") or k == "PRINTBRIDGE_TRUSTED_PROXIES"]:
        del env[key]
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    suite = start_suite(env, tmp_path / "suite.log")
    try:
        statuses = [
            httpx.post(
                f"{base}/v1/auth/login",
                json={"email": f"user{n}@print.example", "password": "wrong password!"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(4)
        ]
    finally:
        assert stop_suite(suite) == 0
    assert statuses == [401, 401, 401, 429]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, sandboxes: Any) -> Iterator[tuple[str, dict[str, str]]]:
    """One embedded suite on SQLite for this module's shop flows, pointed at the platform sandboxes, with an
    operator's API key (each flow uses shops and customers of its own); stopped cleanly afterwards."""
    workdir = tmp_path_factory.mktemp("embedded-flows")
    env = {
        **os.environ,
        **sandboxes.suite_env(),
        "PRINTBRIDGE_PORT": str(free_port()),
        "PRINTBRIDGE_DATA_DIR": str(workdir / "var"),
        "PRINTBRIDGE_MODE": "embedded",
    }
    for key in [k for k in env if k.endswith("_DATABASE_URL")]:
        del env[key]
    base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
    env["PRINTBRIDGE_PUBLIC_URL"] = base
    created_key = subprocess.run(
        [BIN / "printbridge", "api-key", "create", "e2e"], env=env, capture_output=True, text=True, check=True
    )
    process = start_suite(env, workdir / "suite.log")
    try:
        yield base, {"Authorization": f"Bearer {created_key.stdout.strip().splitlines()[-1]}"}
    finally:
        assert stop_suite(process) == 0, (workdir / "suite.log").read_text()[-3000:]


@pytest.fixture
def flow(suite: tuple[str, dict[str, str]], shop_flow: Any) -> Any:
    return shop_flow(*suite)


def test_orders_placed_in_a_shopify_and_a_woocommerce_shop_are_listed_within_two_seconds(flow):
    customer = flow.customer()
    shopify_store = flow.connect_shopify(customer, "e2e-embedded.myshopify.com")
    woo_store = flow.connect_woocommerce(customer, "e2e-embedded")
    woo_http_store = flow.connect_woocommerce(customer, "e2e-embedded-http", scheme="http")

    shopify_order = flow.place_shopify_order("e2e-embedded.myshopify.com")
    assert flow.seconds_until_listed(shopify_store, shopify_order) < 2
    assert flow.seconds_until_listed(woo_store, flow.place_woocommerce_order("e2e-embedded")) < 2
    assert flow.seconds_until_listed(woo_http_store, flow.place_woocommerce_order("e2e-embedded-http")) < 2


def test_orders_from_etsy_by_notice_and_by_poll_and_from_pressero_are_listed_once(flow):
    flow.etsy_orders_arrive_once_and_a_revoked_grant_shows("EtsyEmbeddedShop")
    flow.pressero_refuses_a_wrong_integration_id_and_takes_orders("PRESS-EMB", "emb.pressero.example")


def test_shop_products_are_synced_and_mapped_and_bad_print_files_named(flow):
    flow.products_are_synced_and_mapped("e2e-products.myshopify.com", "e2e-products")


def test_an_etsy_and_a_pressero_order_of_mapped_products_go_into_production(flow):
    flow.an_etsy_and_a_pressero_order_go_into_production(
        "EtsyProduction", "PRESS-PROD", "prod.pressero.example"
    )


def test_a_test_order_names_the_failing_step_and_asks_the_shop_whether_it_would_take_a_shipment(flow):
    flow.test_orders_ask_the_shops_whether_they_would_take_a_shipment(
        "e2e-test-order.myshopify.com", "e2e-test-order"
    )


def test_a_manual_order_and_a_csv_file_with_good_and_bad_rows(flow):
    flow.manual_order_and_csv_import_behave()
