"""The rendered gateway running in a real nginx, in front of a real HTTP server that echoes what it
receives: the edge rules behave like the embedded gateway's."""

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from printbridge.config import GatewaySettings
from printbridge.console_site import CONSOLE_CSP, CONSOLE_DIR
from printbridge.docs_page import DOCS_CSP, DOCS_HTML
from printbridge.nginx import nginx_command, write_site
from printbridge_shared.routes import ROUTES, SERVICES, Route, RouteTable
from printbridge_shared.security_headers import SecurityHeadersMiddleware

NGINX = "/usr/sbin/nginx"
ORIGIN = "https://app.example.com"
OPENAPI = {"openapi": "3.1.0", "info": {"title": "Printbridge API"}, "paths": {"/v1/customers": {}}}


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers every request with the path and headers it arrived with."""
    if scope["type"] != "http":
        return
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = json.dumps(
        {
            "port": scope["server"][1],
            "path": scope["path"],
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body_bytes": size,
        }
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"x-request-id", b"set-by-the-service")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class Gateway:
    url: str
    client: httpx.Client
    ports: dict[str, int]

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(self.url + path, **kwargs)


def _serve_echo(port: int) -> tuple[uvicorn.Server, threading.Thread]:
    service = SecurityHeadersMiddleware(echo)  # sends nosniff itself, like every service
    server = uvicorn.Server(uvicorn.Config(service, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread


def _start_nginx(conf: Path, url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(nginx_command(NGINX, conf), stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("nginx did not answer within 10 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


UPLOAD_LIMIT = 8192
# The route table as it is, plus one route with a larger body limit (as CSV uploads will have).
ROUTES_WITH_UPLOAD = RouteTable([*ROUTES, Route("/v1/catalog/import", "mapping", UPLOAD_LIMIT)])


@pytest.fixture(scope="module")
def gateway(free_port: Callable[[], int], readable_dir: Callable[[], Path]) -> Iterator[Gateway]:
    """nginx in front of two echo servers: one standing in for mapping, one for every other service
    but orders, which points at a closed port."""
    echo_port, mapping_port, closed_port, gateway_port = free_port(), free_port(), free_port(), free_port()
    upstreams = {s.name: (f"127.0.0.1:{echo_port}",) for s in SERVICES}
    upstreams["mapping"] = (f"127.0.0.1:{mapping_port}",)
    upstreams["orders"] = (f"127.0.0.1:{closed_port}",)
    settings = GatewaySettings(
        host="127.0.0.1",
        port=gateway_port,
        cors_origins=[ORIGIN],
        max_body_bytes=4096,
        rate_limit_per_second=0,
    )
    conf = write_site(readable_dir() / "site", settings, upstreams, OPENAPI, routes=ROUTES_WITH_UPLOAD)
    echoes = [_serve_echo(echo_port), _serve_echo(mapping_port)]
    url = f"http://127.0.0.1:{gateway_port}"
    process = _start_nginx(conf, url)
    try:
        with httpx.Client(timeout=5) as client:
            yield Gateway(url, client, {"connectors": echo_port, "mapping": mapping_port})
    finally:
        _stop(process)
        for server, thread in echoes:
            server.should_exit = True
            thread.join(timeout=10)


def test_a_route_reaches_its_service_with_the_original_path_and_forwarding_headers(gateway: Gateway) -> None:
    response = gateway.get("/v1/customers/42", params={"q": "x"})
    assert response.status_code == 200
    seen = response.json()
    assert seen["path"] == "/v1/customers/42"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert seen["headers"]["x-forwarded-proto"] == "http"


def test_a_client_cannot_choose_the_address_the_services_see(gateway: Gateway) -> None:
    """nginx hands on the address it saw itself, not a forwarding header the client sent: the services
    believe X-Forwarded-For from the gateway, so a rotated header must not reach them."""
    response = gateway.get("/v1/customers/42", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.json()["headers"]["x-forwarded-for"] == "127.0.0.1"


@pytest.mark.parametrize("path", ["/v1/customers/42", "/nothing", "/docs", "/healthz", "/internal/v1/x"])
def test_every_answer_says_nosniff_once(gateway: Gateway, path: str) -> None:
    response = gateway.get(path)
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]


def test_the_docs_page_cannot_be_framed(gateway: Gateway) -> None:
    docs = gateway.get("/docs")
    api = gateway.get("/v1/customers/42")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert docs.headers["content-security-policy"] == DOCS_CSP
    assert "content-security-policy" not in api.headers


@pytest.mark.parametrize("path", ["/v1/customersx", "/v1/storesx", "/v1/storesx/7/products"])
def test_a_path_that_only_starts_like_a_route_is_not_routed(gateway: Gateway, path: str) -> None:
    response = gateway.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_a_sane_request_id_travels_to_the_service_and_back(gateway: Gateway) -> None:
    response = gateway.get("/v1/customers", headers={"X-Request-ID": "order-sync:42.a_b-c"})
    assert response.headers.get_list("x-request-id") == ["order-sync:42.a_b-c"]
    assert response.json()["headers"]["x-request-id"] == "order-sync:42.a_b-c"


@pytest.mark.parametrize("incoming", [None, "has spaces", "x" * 129, "semi;colon"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_generated_one(
    gateway: Gateway, incoming: str | None
) -> None:
    headers = {"X-Request-ID": incoming} if incoming else {}
    response = gateway.get("/v1/customers", headers=headers)
    generated = response.headers["x-request-id"]
    assert generated != incoming
    assert len(generated) == 32
    assert response.json()["headers"]["x-request-id"] == generated


@pytest.mark.parametrize("path", ["/internal/v1/api-keys/introspect", "/internal", "/internal/"])
def test_internal_paths_are_refused(gateway: Gateway, path: str) -> None:
    response = gateway.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]


def test_a_body_over_the_limit_is_refused_with_a_problem_413(gateway: Gateway) -> None:
    response = gateway.client.post(gateway.url + "/v1/customers", content=b"x" * 5000)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Payload too large"
    within = gateway.client.post(gateway.url + "/v1/customers", content=b"x" * 4000)
    assert within.json()["body_bytes"] == 4000


def chunked(size: int) -> Iterator[bytes]:
    """A body without Content-Length (Transfer-Encoding: chunked), in pieces of 512 bytes."""
    for _ in range(size // 512):
        yield b"x" * 512


def test_a_chunked_body_over_the_limit_is_refused_with_a_problem_413(gateway: Gateway) -> None:
    response = gateway.client.post(gateway.url + "/v1/customers", content=chunked(8192))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body is larger than 4096 bytes; send less."
    within = gateway.client.post(gateway.url + "/v1/customers", content=chunked(3584))
    assert within.json()["body_bytes"] == 3584


def test_a_route_with_its_own_body_limit_takes_more_and_refuses_over_it(gateway: Gateway) -> None:
    upload = gateway.client.post(gateway.url + "/v1/catalog/import", content=chunked(7680))
    assert upload.json()["body_bytes"] == 7680
    for body in (b"x" * (UPLOAD_LIMIT + 1), chunked(2 * UPLOAD_LIMIT)):
        refused = gateway.client.post(gateway.url + "/v1/catalog/import", content=body)
        assert refused.status_code == 413
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == f"The request body is larger than {UPLOAD_LIMIT} bytes; send less."
    elsewhere = gateway.client.post(gateway.url + "/v1/catalog/items", content=b"x" * 5000)
    assert elsewhere.status_code == 413


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/stores/7/products", "mapping"),
        ("/v1/stores/7/products/9/mapping", "mapping"),
        ("/v1/stores/7", "connectors"),
        ("/v1/stores/7/productsx", "connectors"),
        ("/v1/stores", "connectors"),
        ("/v1/shop-variants/3", "mapping"),
    ],
)
def test_a_nested_path_reaches_the_service_the_route_table_names(
    gateway: Gateway, path: str, service: str
) -> None:
    response = gateway.get(path)
    assert response.status_code == 200
    assert (response.json()["port"], response.json()["path"]) == (gateway.ports[service], path)


@pytest.mark.parametrize(
    "path",
    ["/v1/stores/7/orders", "/v1/stores/7/test-order", "/v1/routing-rules", "/v1/production-lines/7"],
)
def test_orders_paths_nested_under_a_store_reach_orders(gateway: Gateway, path: str) -> None:
    assert gateway.get(path).status_code == 502, "orders is the upstream that is down in this fixture"


def test_a_preflight_from_an_allowed_origin_is_answered_by_the_gateway(gateway: Gateway) -> None:
    response = gateway.client.options(
        gateway.url + "/v1/customers",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Authorization" in response.headers["access-control-allow-headers"]
    assert response.headers["access-control-max-age"] == "600"


def test_only_allowed_origins_are_echoed(gateway: Gateway) -> None:
    allowed = gateway.get("/v1/customers", headers={"Origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Request-ID" in allowed.headers["access-control-expose-headers"]
    other = gateway.get("/v1/customers", headers={"Origin": "https://elsewhere.example.com"})
    assert "access-control-allow-origin" not in other.headers


def test_a_service_that_is_down_gives_a_problem_502(gateway: Gateway) -> None:
    response = gateway.get("/v1/orders")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"


def test_the_gateway_serves_health_the_merged_document_and_the_docs(gateway: Gateway) -> None:
    assert gateway.get("/healthz").json() == {"status": "ok", "service": "gateway"}
    assert gateway.get("/openapi.json").json() == OPENAPI
    docs = gateway.get("/docs")
    assert docs.headers["content-type"].startswith("text/html")
    assert docs.text == DOCS_HTML
    assert gateway.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert gateway.get("/docs/assets/swagger-ui.css").headers["content-type"] == "text/css"


def test_the_gateway_serves_the_console_with_its_policy_and_nothing_else_under_it(gateway: Gateway) -> None:
    page = gateway.get("/console/")
    module = gateway.get("/console/js/app.js")
    assert gateway.get("/console").text == page.text == (CONSOLE_DIR / "index.html").read_text()
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONSOLE_CSP
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers.get_list("x-content-type-options") == ["nosniff"]
    assert module.headers["content-type"].startswith("application/javascript")
    assert module.headers["content-security-policy"] == CONSOLE_CSP
    assert gateway.get("/console/nothing.js").status_code == 404


def test_the_rate_limit_answers_429_with_retry_after(
    free_port: Callable[[], int], readable_dir: Callable[[], Path]
) -> None:
    echo_port, gateway_port = free_port(), free_port()
    settings = GatewaySettings(
        host="127.0.0.1", port=gateway_port, rate_limit_per_second=1, rate_limit_burst=2
    )
    upstreams = {s.name: (f"127.0.0.1:{echo_port}",) for s in SERVICES}
    conf = write_site(readable_dir() / "site", settings, upstreams, OPENAPI)
    server, thread = _serve_echo(echo_port)
    url = f"http://127.0.0.1:{gateway_port}"
    process = _start_nginx(conf, url)
    try:
        statuses = [httpx.get(url + "/v1/customers").status_code for _ in range(6)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[-1] == 429
        limited = httpx.get(url + "/v1/customers")
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.headers["retry-after"] == "1"
    finally:
        _stop(process)
        server.should_exit = True
        thread.join(timeout=10)
