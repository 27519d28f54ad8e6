"""The guarded client refuses private and plain-http targets unless allowed, and connects to the
address it checked."""

from collections.abc import AsyncIterator

import httpx
import pytest

from printbridge_shared.outbound import UrlNotAllowed, check_url_shape, guarded_client, resolve_allowed


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "172.16.5.4",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "localhost",
        "224.0.0.1",
    ],
)
async def test_private_loopback_and_link_local_targets_are_refused(host: str) -> None:
    with pytest.raises(UrlNotAllowed, match="PRINTBRIDGE_ALLOW_PRIVATE_URLS"):
        await resolve_allowed(host, 443, allow_private=False)


async def test_public_addresses_pass_and_private_ones_pass_when_allowed() -> None:
    assert await resolve_allowed("93.184.215.14", 443, allow_private=False) == "93.184.215.14"
    assert await resolve_allowed("127.0.0.1", 443, allow_private=True) == "127.0.0.1"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://shop.example", "plain http"),
        ("ftp://shop.example", "not an http"),
        ("https://user:pw@shop.example", "user name or password"),
        ("https://0177.0.0.1/", "no valid address"),
        ("https://[::1/", "no valid address"),
    ],
)
def test_urls_of_the_wrong_shape_are_refused_before_any_lookup(url: str, reason: str) -> None:
    with pytest.raises(UrlNotAllowed, match=reason):
        check_url_shape(url, allow_private=False)


async def test_a_refused_target_is_never_contacted() -> None:
    contacted = []

    async def record(request: httpx.Request) -> httpx.Response:
        contacted.append(request)
        return httpx.Response(200)

    async with guarded_client(allow_private=False, transport=httpx.MockTransport(record)) as client:
        with pytest.raises(UrlNotAllowed):
            await client.get("https://127.0.0.1/admin")
    assert contacted == []


async def test_the_request_goes_to_the_checked_address_with_the_original_host_and_tls_name() -> None:
    seen = []

    async def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    async with guarded_client(allow_private=True, transport=httpx.MockTransport(record)) as client:
        await client.get("https://localhost:8443/wp-json/")
    (request,) = seen
    assert request.url.host in ("127.0.0.1", "::1")
    assert request.headers["host"] == "localhost:8443"
    assert request.extensions["sni_hostname"] == "localhost"


async def test_an_answer_longer_than_the_cap_is_a_transport_error_as_declared_or_as_it_arrives() -> None:
    from printbridge_shared.outbound import ResponseTooLarge

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"[" * 65536

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/declared":
            return httpx.Response(200, headers={"Content-Length": str(10**10)}, content=b"")
        if request.url.path == "/streamed":
            return httpx.Response(200, content=endless())
        return httpx.Response(200, content=b"[]")

    transport = httpx.MockTransport(answer)
    async with guarded_client(
        allow_private=True, transport=transport, max_response_bytes=1_000_000
    ) as client:
        for path in ("/declared", "/streamed"):
            with pytest.raises(ResponseTooLarge, match="1000000") as raised:
                await client.get(f"https://127.0.0.1{path}")
            assert isinstance(raised.value, httpx.TransportError)
        assert (await client.get("https://127.0.0.1/small")).json() == []
