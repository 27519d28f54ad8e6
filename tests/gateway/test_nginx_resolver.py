"""PRINTBRIDGE_GATEWAY_RESOLVER: the nginx gateway resolves the services' names again while it runs, so a
service container or pod recreated at a new address is found without restarting nginx (compose,
Kubernetes). Checked on a real nginx against a small DNS server whose answer the test changes."""

import socket
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from printbridge.config import GatewaySettings
from printbridge.nginx import (
    CONF_NAME,
    TEMP_KINDS,
    GatewayConfigError,
    nginx_command,
    render_nginx_conf,
    write_site,
)
from printbridge_shared.routes import ROUTES, SERVICES
from printbridge_shared.testing import eventually

NGINX = "/usr/sbin/nginx"
SITE = Path("/srv/printbridge/gateway")
BY_NAME = {s.name: (f"{s.name}:{s.port}",) for s in SERVICES}


def render(upstreams: dict[str, tuple[str, ...]] | None = None, **settings: Any) -> str:
    return render_nginx_conf(GatewaySettings(**settings), SITE, upstreams or BY_NAME)


def test_without_a_resolver_the_services_are_upstream_blocks_resolved_once() -> None:
    conf = render()
    assert "resolver " not in conf
    assert "upstream pb_customers {\n        server customers:8101 max_fails=0;" in conf
    assert "proxy_pass http://pb_customers;" in conf


def test_with_a_resolver_every_route_proxies_through_a_variable_nginx_resolves_again() -> None:
    conf = render(gateway_resolver="127.0.0.11")
    assert "    resolver 127.0.0.11 valid=10s;" in conf
    assert "upstream pb_" not in conf, "an upstream block of the same name would win over the resolver"
    for service in SERVICES:
        variable = "$pb_address_" + service.name.replace("-", "_")
        assert f'map "" {variable} {{\n        default "{service.name}:{service.port}";\n    }}' in conf
    for route in ROUTES:
        variable = "$pb_address_" + route.service.replace("-", "_")
        assert f"location ~ {route.regex} {{ proxy_pass http://{variable}; }}" in conf or (
            route.max_body_bytes is not None and f"proxy_pass http://{variable};" in conf
        )


def test_several_resolvers_and_a_port_are_accepted() -> None:
    conf = render(gateway_resolver="10.96.0.10, kube-dns.kube-system.svc.cluster.local:53")
    assert "resolver 10.96.0.10 kube-dns.kube-system.svc.cluster.local:53 valid=10s;" in conf


@pytest.mark.parametrize(
    "resolver",
    ["127.0.0.11 valid=1s", "127.0.0.11; daemon on", "dns.example.com:53:53", "$host"],
)
def test_a_resolver_that_would_inject_directives_is_refused(resolver: str) -> None:
    with pytest.raises(GatewayConfigError, match="PRINTBRIDGE_GATEWAY_RESOLVER"):
        render(gateway_resolver=resolver)


@pytest.mark.parametrize(
    "address", [("10.0.0.5:8101", "10.0.0.6:8101"), ("unix:/run/customers.sock",), ("customers",)]
)
def test_with_a_resolver_each_service_is_one_name_and_port(address: tuple[str, ...]) -> None:
    with pytest.raises(GatewayConfigError, match="PRINTBRIDGE_CUSTOMERS_UPSTREAM must be one host:port"):
        render({**BY_NAME, "customers": address}, gateway_resolver="127.0.0.11")


def test_nginx_accepts_the_configuration_with_a_resolver(readable_dir: Callable[[], Path]) -> None:
    settings = GatewaySettings(gateway_resolver="127.0.0.11", cors_origins=["https://app.example.com"])
    conf = write_site(readable_dir() / "site", settings, BY_NAME, {"openapi": "3.1.0", "paths": {}})
    result = subprocess.run(
        [NGINX, "-t", "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


class Dns:
    """Answers A queries for every name with `addresses` (AAAA and others: no records), over UDP."""

    def __init__(self) -> None:
        self.addresses = ["127.0.0.1"]
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.questions: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                query, client = self.socket.recvfrom(512)
            except OSError:
                return
            self.socket.sendto(self._answer(query), client)

    def _answer(self, query: bytes) -> bytes:
        ident, _flags, _qd, _an, _ns, _ar = struct.unpack("!6H", query[:12])
        end, labels = 12, []
        while query[end]:
            labels.append(query[end + 1 : end + 1 + query[end]].decode())
            end += 1 + query[end]
        qtype = struct.unpack("!H", query[end + 1 : end + 3])[0]
        question = query[12 : end + 5]
        self.questions.append(".".join(labels))
        addresses = self.addresses if qtype == 1 else []  # A records only
        answers = b"".join(
            struct.pack("!HHHIH", 0xC00C, 1, 1, 1, 4) + socket.inet_aton(address) for address in addresses
        )
        header = struct.pack("!6H", ident, 0x8180, 1, len(addresses), 0, 0)
        return header + question + answers

    def close(self) -> None:
        self.socket.close()


def _serve_name(host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server on host:port that answers every GET with its own address."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = host.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def dns() -> Iterator[Dns]:
    server = Dns()
    yield server
    server.close()


async def _healthy(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
    try:
        return (await client.get("/healthz")).status_code == 200
    except httpx.TransportError:
        return False


@dataclass
class Recreation:
    """nginx resolving `<service>.printbridge.test` through `dns`; `old` answers on 127.0.0.1 and `new`
    on 127.0.0.2, both on the service port."""

    dns: Dns
    process: subprocess.Popen[bytes]
    url: str
    old: ThreadingHTTPServer


@pytest.fixture
def recreation(
    dns: Dns, free_port: Callable[[], int], readable_dir: Callable[[], Path]
) -> Iterator[Recreation]:
    service_port, gateway_port = free_port(), free_port()
    old, new = _serve_name("127.0.0.1", service_port), _serve_name("127.0.0.2", service_port)
    settings = GatewaySettings(
        port=gateway_port, gateway_resolver=f"127.0.0.1:{dns.port}", rate_limit_per_second=0
    )
    upstreams = {s.name: (f"{s.name}.printbridge.test:{service_port}",) for s in SERVICES}
    site = readable_dir() / "site"
    for kind in TEMP_KINDS:
        (site / "tmp" / kind).mkdir(parents=True)
    conf = site / CONF_NAME
    conf.write_text(render_nginx_conf(settings, site, upstreams, resolver_valid_seconds=1), encoding="utf-8")
    process = subprocess.Popen(nginx_command(NGINX, conf), stderr=subprocess.PIPE)
    try:
        yield Recreation(dns, process, f"http://127.0.0.1:{gateway_port}", old)
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in (old, new):
            server.shutdown()
            server.server_close()


async def test_a_service_recreated_at_a_new_address_is_reached_without_restarting_nginx(
    recreation: Recreation,
) -> None:
    """The old container (127.0.0.1) is gone and the new one answers on 127.0.0.2 under the same name."""
    async with httpx.AsyncClient(base_url=recreation.url, timeout=5) as client:
        await eventually(lambda: _healthy(client, recreation.process))
        first = await client.get("/v1/customers")
        assert (first.status_code, first.text) == (200, "127.0.0.1")
        assert "customers.printbridge.test" in recreation.dns.questions

        recreation.old.shutdown()
        recreation.old.server_close()
        recreation.dns.addresses = ["127.0.0.2"]

        async def reaches_the_new_one() -> bool:
            answer = await client.get("/v1/customers")
            return (answer.status_code, answer.text) == (200, "127.0.0.2")

        await eventually(reaches_the_new_one)


async def test_a_name_with_several_addresses_is_balanced_over_all_of_them(recreation: Recreation) -> None:
    """A compose service scaled to two containers: Docker's DNS gives both addresses for its name, and
    nginx's resolver hands them out in turn (from a random start)."""
    recreation.dns.addresses = ["127.0.0.1", "127.0.0.2"]
    reached: set[str] = set()
    async with httpx.AsyncClient(base_url=recreation.url, timeout=5) as client:
        await eventually(lambda: _healthy(client, recreation.process))

        async def both_reached() -> bool:
            answer = await client.get("/v1/customers")
            assert answer.status_code == 200
            reached.add(answer.text)
            return reached == {"127.0.0.1", "127.0.0.2"}

        await eventually(both_reached)
