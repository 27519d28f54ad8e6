"""OWASP API7:2023 Server Side Request Forgery: every URL a user gives Printbridge (WooCommerce and
Pressero shop addresses, print-file URLs of mappings, templates and manual orders, postback endpoints) is
called only through the guarded client, which refuses private, loopback, link-local and other non-public
targets in every spelling (IPv6 and IPv4-mapped forms, decimal, octal and hex IPv4, names that resolve
there), checks every redirect hop, and connects to the very address it checked (no DNS rebinding).

The suite here runs without PRINTBRIDGE_ALLOW_PRIVATE_URLS, as in production; a listener on loopback
stands for an internal service and must see no connection at all."""

import asyncio
import contextlib
import select
import socket
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest

from printbridge_shared.outbound import UrlNotAllowed, guarded_client
from printbridge_shared.testing import eventually

from .conftest import MANUAL_ORDER, PRODUCT_UID, settled

pytestmark = pytest.mark.asyncio(loop_scope="module")

PUBLIC = "93.184.215.14"
# Hosts that are this machine, its network or its cloud's metadata service, each in a spelling that a
# naive check (a regex, ipaddress on the literal only) would let through.
INTERNAL_HOSTS = [
    "127.0.0.1",
    "127.1",  # short form of 127.0.0.1
    "2130706433",  # decimal
    "0x7f000001",  # hex
    "0177.0.0.1",  # octal
    "[::1]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:0:0:1]",
    "localhost",  # a name that resolves to loopback
    "0.0.0.0",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # link-local: cloud metadata
    "[fe80::1]",
    "[fc00::1]",  # unique local
    "[::ffff:169.254.169.254]",
    "224.0.0.1",  # multicast
]


@contextlib.contextmanager
def internal_listener() -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """A TCP port on loopback (IPv4 and IPv6) that counts the connections it is offered."""
    accepted: list[tuple[str, int]] = []
    servers = []
    v4 = socket.create_server(("127.0.0.1", 0))
    port = v4.getsockname()[1]
    servers.append(v4)
    with contextlib.suppress(OSError):
        servers.append(socket.create_server(("::1", port), family=socket.AF_INET6))
    for server in servers:
        server.setblocking(False)
    stop = False

    def accept() -> None:
        while not stop:
            ready, _, _ = select.select(servers, [], [], 0.05)
            for server in ready:
                connection, address = server.accept()
                accepted.append(address[:2])
                connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield port, accepted
    finally:
        stop = True
        thread.join()
        for server in servers:
            server.close()


async def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the guarded client called {request.url}")


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
async def test_the_guarded_client_refuses_every_spelling_of_an_internal_host(host):
    async with guarded_client(allow_private=False, transport=httpx.MockTransport(never_called)) as client:
        with pytest.raises((UrlNotAllowed, httpx.InvalidURL)):
            await client.get(f"https://{host}/latest/meta-data/")


async def test_a_redirect_from_a_public_address_to_an_internal_one_is_refused_at_that_hop():
    calls: list[str] = []

    async def public_site(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if request.url.host == PUBLIC:
            return httpx.Response(302, headers={"Location": "https://169.254.169.254/latest/meta-data/"})
        raise AssertionError(f"followed the redirect to {request.url}")

    async with guarded_client(
        allow_private=False, transport=httpx.MockTransport(public_site), follow_redirects=True
    ) as client:
        with pytest.raises(UrlNotAllowed, match=r"169\.254\.169\.254"):
            await client.get(f"https://{PUBLIC}/file.pdf")
        for target in ("https://localhost/", "http://example.com/", "https://[::1]/"):
            calls.clear()

            async def to(request: httpx.Request, target: str = target) -> httpx.Response:
                calls.append(str(request.url))
                if request.url.host == PUBLIC:
                    return httpx.Response(307, headers={"Location": target})
                raise AssertionError(f"followed the redirect to {request.url}")

            client._transport.inner = httpx.MockTransport(to)  # type: ignore[attr-defined]
            with pytest.raises(UrlNotAllowed):
                await client.get(f"https://{PUBLIC}/file.pdf")
            assert calls == [f"https://{PUBLIC}/file.pdf"]


async def test_dns_rebinding_the_address_checked_is_the_address_connected_to(monkeypatch):
    """The name resolves to a public address for the check and to loopback on every later lookup: the
    request still goes to the public address, with the name as Host and TLS server name."""
    lookups: list[str] = []

    async def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        address = PUBLIC if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebinding)
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with guarded_client(allow_private=False, transport=httpx.MockTransport(record)) as client:
        await client.get("https://rebind.attacker.example/file.pdf")

    (request,) = seen
    assert request.url.host == PUBLIC
    assert request.headers["host"] == "rebind.attacker.example"
    assert request.extensions["sni_hostname"] == "rebind.attacker.example"
    assert lookups == ["rebind.attacker.example"]


async def test_a_name_with_one_public_and_one_private_address_is_refused(monkeypatch):
    async def both(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", both)
    async with guarded_client(allow_private=False, transport=httpx.MockTransport(never_called)) as client:
        with pytest.raises(UrlNotAllowed, match=r"10\.0\.0\.5"):
            await client.get("https://split.attacker.example/")


# Through the API: the suite as deployed, every user-given URL aimed at the internal listener.
SPELLINGS = ["127.0.0.1", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "localhost", "[::1]"]


def connect_bodies(customer_id: str, url: str) -> list[dict[str, object]]:
    return [
        {
            "platform": "woocommerce",
            "customer_id": customer_id,
            "url": url,
            "consumer_key": "ck_" + "a" * 40,
            "consumer_secret": "cs_" + "b" * 40,
        },
        {
            "platform": "pressero",
            "customer_id": customer_id,
            "admin_url": url,
            "site_domain": "shop.example.com",
            "integration_id": "PB-1",
            "subscriber_id": str(uuid.uuid4()),
            "consumer_id": str(uuid.uuid4()),
            "username": "api",
            "password": "api password here",
        },
    ]


async def test_shop_addresses_on_internal_hosts_are_refused_and_never_called(teams):
    with internal_listener() as (port, accepted):
        for host in SPELLINGS:
            for scheme in ("https", "http"):
                for body in connect_bodies(teams.a.id, f"{scheme}://{host}:{port}/"):
                    answer = await teams.call("operator", "POST", "/v1/stores", json=body)
                    assert answer.status_code == 422, (
                        f"{body['platform']} {scheme}://{host}: {answer.text[:300]}"
                    )
                    assert answer.headers["content-type"] == "application/problem+json"
                    assert "store" not in answer.json()
    assert accepted == []


async def test_postback_endpoints_on_internal_hosts_are_refused_on_create_and_update(teams):
    made = await teams.call(
        "operator",
        "POST",
        "/v1/postbacks/endpoints",
        json={"url": f"https://{PUBLIC}/hooks", "customer_id": teams.a.id},
    )
    assert made.status_code == 201, made.text
    endpoint = f"/v1/postbacks/endpoints/{made.json()['id']}"
    with internal_listener() as (port, accepted):
        for host in SPELLINGS:
            for scheme in ("https", "http"):
                url = f"{scheme}://{host}:{port}/hooks"
                created = await teams.call("operator", "POST", "/v1/postbacks/endpoints", json={"url": url})
                updated = await teams.call("operator", "PATCH", endpoint, json={"url": url})
                for answer in (created, updated):
                    assert answer.status_code == 422, f"{url}: {answer.text[:300]}"
                    assert answer.json()["errors"][0]["loc"] == ["body", "url"], answer.text
    assert accepted == []
    assert (await teams.call("operator", "GET", endpoint)).json()["url"] == f"https://{PUBLIC}/hooks"


async def test_print_files_on_internal_hosts_are_refused_or_fail_their_check_without_a_connection(teams):
    """Plain http is refused as given; an https address on an internal host is taken (a name may point
    elsewhere later) and its check fails without connecting."""
    world = teams
    manual = {"platform": "manual", "name": "Direct", "customer_id": world.a.id}
    store = await settled(
        lambda: world.call("operator", "POST", "/v1/stores", json=manual), unless="customer-unknown"
    )
    store_id = store.json()["store"]["id"]
    with internal_listener() as (port, accepted):
        await _files_refused(world, port, store_id)
    assert accepted == []


async def _files_refused(world, port: int, store_id: str) -> None:
    template = {"name": "t", "product_uid": PRODUCT_UID, "attributes": {"paper": "matte"}}
    for host in SPELLINGS:
        plain = {**template, "name": f"plain {host}", "files": {"front": f"http://{host}:{port}/f.pdf"}}
        refused = await world.call(
            "operator", "POST", "/v1/templates", json={**plain, "customer_id": world.a.id}
        )
        assert refused.status_code == 422, refused.text

        secure = {**template, "name": f"tls {host}", "files": {"front": f"https://{host}:{port}/f.pdf"}}
        taken = await world.call(
            "operator", "POST", "/v1/templates", json={**secure, "customer_id": world.a.id}
        )
        if taken.status_code == 422:  # no address at all (0177.0.0.1): refused as given
            assert taken.json()["errors"][0]["loc"] == ["body", "files", "front"], taken.text
            continue
        assert taken.status_code == 201, taken.text
        path = f"/v1/templates/{taken.json()['id']}"

        async def failed(path: str = path) -> bool:
            front = (await world.call("operator", "GET", path)).json()["files"]["front"]
            return bool(front["status"] == "failed")

        await eventually(failed, within=20)
        front = (await world.call("operator", "GET", path)).json()["files"]["front"]
        assert "private or local address" in front["message"], front

    order = {
        **MANUAL_ORDER,
        "line_items": [
            {"product_uid": PRODUCT_UID, "quantity": 1, "files": {"front": f"http://127.0.0.1:{port}/"}}
        ],
    }
    placed = await settled(
        lambda: world.call(
            "operator",
            "POST",
            f"/v1/stores/{store_id}/orders",
            json=order,
            headers={"Idempotency-Key": "ssrf"},
        ),
        unless="store-not-found",
    )
    assert placed.status_code == 422, placed.text
