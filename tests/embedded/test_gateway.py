"""The embedded gateway: routing by the route table, the edge rules it shares with nginx, the suite's
readiness and metrics, and its shutdown order."""

import asyncio
import contextlib
import datetime as dt
import threading
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from printbridge import gateway as gateway_module
from printbridge.config import GatewaySettings
from printbridge.console_site import CONSOLE_CSP
from printbridge.embedded import build_embedded
from printbridge.gateway import build_gateway
from printbridge.services import SERVICE_NAMES
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.contracts import CustomerCreated
from printbridge_shared.routes import ROUTES, Route, RouteTable

pytestmark = pytest.mark.asyncio(loop_scope="module")


def settings(tmp_path: Path, **overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "max_body_bytes": 2000,
        "cors_origins": ["https://app.example.com"],
        "access_log": False,
    }
    return GatewaySettings(**(values | overrides))


@contextlib.asynccontextmanager
async def serve(gateway_settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    gateway = build_embedded(gateway_settings)
    async with gateway.lifespan(None):  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """One suite for the module's tests that only read from it and are refused (starting the five
    services for each of them was most of the module's time)."""
    async with serve(settings(tmp_path_factory.mktemp("gateway"))) as client:
        yield client


async def test_requests_reach_the_service_the_route_table_names(gateway):
    customers = await gateway.get("/v1/customers")
    auth = await gateway.get("/v1/auth/jwks.json")
    assert customers.status_code == 401
    assert customers.headers["content-type"] == "application/problem+json"
    assert auth.status_code == 200
    assert auth.json()["keys"][0]["alg"] == "EdDSA"


@pytest.mark.parametrize("path", ["/v1/customersx", "/v2/customers", "/nothing", "/"])
async def test_unrouted_paths_are_404_problems(gateway, path):
    response = await gateway.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path", ["/internal", "/internal/v1/api-keys/introspect", "/internal/v1/revocations"]
)
async def test_internal_paths_are_refused(gateway, path):
    assert (await gateway.post(path, json={"key": "pbk_x"})).status_code == 404


async def test_request_id_is_generated_kept_or_replaced(gateway):
    generated = await gateway.get("/healthz")
    kept = await gateway.get("/v1/customers", headers={"X-Request-ID": "my-id.1"})
    replaced = await gateway.get("/v1/customers", headers={"X-Request-ID": "bad id <script>"})
    assert len(generated.headers["x-request-id"]) == 32
    assert kept.headers["x-request-id"] == "my-id.1"
    assert replaced.headers["x-request-id"] != "bad id <script>"
    assert len(replaced.headers.get_list("x-request-id")) == 1


async def test_oversized_bodies_are_413_at_the_gateway(gateway):
    response = await gateway.post(
        "/v1/customers", content=b"x" * 2001, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


async def test_cors_preflight_allows_the_configured_origin_only(gateway):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = await gateway.options(
        "/v1/customers", headers={"Origin": "https://app.example.com", **preflight}
    )
    refused = await gateway.options("/v1/customers", headers={"Origin": "https://evil.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in refused.headers


async def test_merged_openapi_has_every_service_with_unique_operation_ids(gateway):
    document = (await gateway.get("/openapi.json")).json()
    assert {"/v1/customers", "/v1/customers/{customer_id}", "/v1/auth/login", "/v1/api-keys"} <= set(
        document["paths"]
    )
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert "create_customer" in operation_ids
    assert all(op.get("tags") for item in document["paths"].values() for op in item.values())
    assert not any(path.startswith("/internal") for path in document["paths"])


async def test_the_openapi_document_describes_every_refusal_as_problem_json(gateway):
    document = (await gateway.get("/openapi.json")).json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            refusals = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
            assert all(list(r["content"]) == ["application/problem+json"] for r in refusals.values()), path
            if operation.get("security"):
                assert {"401", "403"} <= set(refusals), f"{method} {path}"
            if "{" in path:
                assert "404" in refusals, f"{method} {path}"
    users = document["paths"]["/v1/users"]["post"]["responses"]
    assert {"201", "401", "403", "409", "422"} <= set(users)


async def test_docs_page_and_its_assets_are_served_locally(gateway):
    page = await gateway.get("/docs")
    asset = await gateway.get("/docs/assets/swagger-ui-bundle.js")
    assert "/openapi.json" in page.text
    assert asset.status_code == 200
    assert (await gateway.get("/docs/assets/../../etc/passwd")).status_code == 404


async def test_the_console_and_its_modules_are_served_with_a_policy_that_runs_only_its_own_scripts(gateway):
    page = await gateway.get("/console/")
    bare = await gateway.get("/console")
    module = await gateway.get("/console/js/app.js")
    assert page.status_code == bare.status_code == 200
    assert page.text == bare.text and '<script type="module" src="/console/js/app.js">' in page.text
    assert page.headers["content-security-policy"] == CONSOLE_CSP
    assert "script-src 'self';" in CONSOLE_CSP and "frame-ancestors 'none'" in CONSOLE_CSP
    assert module.headers["content-type"].startswith("text/javascript")
    assert (await gateway.get("/console/console.css")).headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    "path",
    [
        "/console/nothing.js",
        "/console/js",
        "/console/.hidden",
        "/console/js/%2e%2e/%2e%2e/gateway.py",
        "/consolex",
    ],
)
async def test_nothing_but_the_consoles_own_files_is_served_under_it(gateway, path):
    answer = await gateway.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


async def test_rate_limit_answers_429_with_retry_advice(tmp_path):
    async with serve(settings(tmp_path, rate_limit_per_second=1, rate_limit_burst=3)) as client:
        statuses = [(await client.get("/healthz")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        limited = await client.get("/healthz")
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1


async def chunked(size: int) -> AsyncIterator[bytes]:
    """A body without Content-Length (Transfer-Encoding: chunked), in pieces of 100 bytes."""
    for _ in range(size // 100):
        yield b"x" * 100


async def test_a_chunked_body_over_the_limit_is_a_413_problem_like_one_with_a_length(gateway):
    response = await gateway.post(
        "/v1/customers", content=chunked(3000), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body is larger than 2000 bytes; send less."


def echo_service(name: str) -> FastAPI:
    """Stands in for a service: answers every path with its own name and the body size it received."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        return {"service": name, "path": request.url.path, "received": len(await request.body())}

    return app


@contextlib.asynccontextmanager
async def serve_stand_ins(
    tmp_path: Path, apps: Mapping[str, FastAPI], routes: RouteTable = ROUTES
) -> AsyncIterator[httpx.AsyncClient]:
    gateway = build_gateway(apps, settings(tmp_path), InProcessBus(), routes)
    async with gateway.lifespan(None):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            yield client


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/stores/7/products", "mapping"),
        ("/v1/stores/7/products/9", "mapping"),
        ("/v1/stores/7/orders", "orders"),
        ("/v1/stores/7/test-order", "orders"),
        ("/v1/stores/7", "connectors"),
        ("/v1/stores/7/productsx", "connectors"),
        ("/v1/stores", "connectors"),
        ("/v1/connectors/shopify/callback", "connectors"),
        ("/v1/shop-variants/1", "mapping"),
        ("/v1/routing-rules", "orders"),
    ],
)
async def test_the_dispatcher_sends_nested_paths_to_the_service_the_route_table_names(
    tmp_path, path, service
):
    async with serve_stand_ins(tmp_path, {name: echo_service(name) for name in SERVICE_NAMES}) as client:
        response = await client.get(path)
    assert response.json() == {"service": service, "path": path, "received": 0}


async def test_a_path_that_only_starts_like_a_route_reaches_no_service(tmp_path):
    async with serve_stand_ins(tmp_path, {name: echo_service(name) for name in SERVICE_NAMES}) as client:
        response = await client.get("/v1/storesx")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_route_with_its_own_body_limit_takes_more_at_the_gateway_and_refuses_over_it(tmp_path):
    routes = RouteTable([Route("/v1/catalog", "mapping"), Route("/v1/catalog/import", "mapping", 5000)])
    async with serve_stand_ins(tmp_path, {"mapping": echo_service("mapping")}, routes) as client:
        upload = await client.post("/v1/catalog/import", content=chunked(4000))
        too_large_upload = await client.post("/v1/catalog/import", content=b"x" * 5001)
        elsewhere = await client.post("/v1/catalog/items", content=chunked(2500))
    assert upload.json()["received"] == 4000
    assert too_large_upload.status_code == 413
    assert "larger than 5000 bytes" in too_large_upload.json()["detail"]
    assert elsewhere.status_code == 413
    assert "larger than 2000 bytes" in elsewhere.json()["detail"]


async def test_readyz_is_the_whole_suites_readiness(tmp_path):
    gateway = build_embedded(settings(tmp_path))
    async with gateway.lifespan(None):
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            ready = await client.get("/readyz")
            await gateway.apps["customers"].state.runtime.bus.stop()
            bus_down = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert set(ready.json()["services"]) == set(SERVICE_NAMES)
    assert bus_down.status_code == 503
    assert bus_down.headers["content-type"] == "application/problem+json"
    assert set(bus_down.json()["unready"]) == set(SERVICE_NAMES)


def readiness(status: int) -> FastAPI:
    """Stands in for a service whose /readyz answers `status`."""
    app = FastAPI()

    @app.get("/readyz")
    async def readyz() -> Response:
        return JSONResponse({"status": "ready" if status == 200 else "unready"}, status_code=status)

    return app


def failing_readiness() -> FastAPI:
    """Stands in for a service whose /readyz fails with an unhandled error."""
    app = FastAPI()

    @app.get("/readyz")
    async def readyz() -> Response:
        raise RuntimeError("the readiness check itself broke")

    return app


async def test_readyz_names_the_services_that_are_not_ready(tmp_path):
    apps = {
        "customers": readiness(200),
        "orders": readiness(503),
        "mapping": failing_readiness(),
        "connectors": readiness(200),
    }
    async with serve_stand_ins(tmp_path, apps) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["unready"] == ["orders", "mapping"]
    assert response.json()["detail"] == "Not ready: orders, mapping."
    assert response.json()["services"]["mapping"] == {"status": 500}


async def test_metrics_are_every_services_in_one_valid_prometheus_exposition(gateway):
    await gateway.get("/v1/customers")
    await gateway.get("/v1/auth/jwks.json")
    response = await gateway.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    declared = [line.split()[2] for line in response.text.splitlines() if line.startswith("# TYPE ")]
    assert len(declared) == len(set(declared)), "one TYPE line per metric name"
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    requests = families["printbridge_http_requests"]
    assert {s.labels["service"] for s in requests.samples} >= {"customers", "storefront-auth"}
    series = [(s.name, tuple(sorted(s.labels.items()))) for f in families.values() for s in f.samples]
    assert len(series) == len(set(series)), "no series twice"


async def test_shutdown_stops_the_services_before_the_bus_so_relays_finish_what_they_publish(tmp_path):
    gateway = build_embedded(settings(tmp_path))
    customers = gateway.apps["customers"]
    delivering, release = asyncio.Event(), asyncio.Event()

    async def hold(_data: object, _envelope: object) -> None:
        delivering.set()
        await release.wait()

    context = gateway.lifespan(None)
    await context.__aenter__()
    customers.state.runtime.bus.add_listener(Listener("test.hold", {CustomerCreated.event_type: hold}))
    async with customers.state.db.sessionmaker() as session, session.begin():
        for name in ("First", "Second"):  # one commit: the relay publishes both in one batch
            snapshot = CustomerCreated(
                customer_id=uuid.uuid4(),
                name=name,
                reference_id=None,
                description=None,
                archived=False,
                updated_at=dt.datetime.now(dt.UTC),
            )
            await customers.state.outbox.record(session, snapshot)
    await asyncio.wait_for(delivering.wait(), timeout=10)
    stopping = asyncio.create_task(context.__aexit__(None, None, None))
    await asyncio.sleep(0)  # the shutdown takes its first step (the bus closed here before the fix)
    release.set()
    await asyncio.wait_for(stopping, timeout=10)
    outbox = customers.state.outbox.table
    async with customers.state.db.sessionmaker() as session:
        unsent = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    await customers.state.db.dispose()
    assert unsent == 0


async def test_docs_assets_are_read_off_the_event_loop(gateway, monkeypatch):
    read_in: list[threading.Thread] = []
    read_file = gateway_module._read_file

    def recording_read(file: Path) -> bytes | None:
        read_in.append(threading.current_thread())
        return read_file(file)

    monkeypatch.setattr(gateway_module, "_read_file", recording_read)
    asset = await gateway.get("/docs/assets/swagger-ui.css")
    assert asset.status_code == 200
    assert read_in and threading.current_thread() not in read_in
