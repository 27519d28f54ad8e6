"""The one guarded HTTP client for addresses that users give us (shop URLs, postback targets, design
files): it refuses plain `http://`, and any host that resolves to a loopback, private, link-local,
multicast, reserved or unspecified address, unless `PRINTBRIDGE_ALLOW_PRIVATE_URLS` is set (tests, the
local sandbox, a shop on a LAN).

The check is made on the addresses the connection will use: the request is sent to the address that was
checked (with the original `Host` header and TLS server name), so a name that resolves to a public
address for the check and to a private one for the connection (DNS rebinding) cannot get through."""

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx

# Connect fast, answer reasonably fast: a platform that takes longer is treated as unreachable.
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class UrlNotAllowed(Exception):
    """An address the guarded client will not call; the message says why and what would allow it."""


class ResponseTooLarge(httpx.ReadError):
    """An answer longer than the client takes (a transport error, as a connection that broke off)."""


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, url: httpx.URL, max_bytes: int) -> None:
        self.inner, self.url, self.max_bytes = inner, url, max_bytes

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in self.inner:
            received += len(chunk)
            if received > self.max_bytes:
                raise ResponseTooLarge(f"{self.url.host} answered more than {self.max_bytes} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url_shape(url: str | httpx.URL, *, allow_private: bool) -> httpx.URL:
    """The parts of the rules that need no DNS: scheme and a host; returns the parsed URL."""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except httpx.InvalidURL as invalid:  # e.g. an IPv4 address with octal parts, 0177.0.0.1
        raise UrlNotAllowed(f"{url} is no valid address ({invalid})") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise UrlNotAllowed(f"{url} is not an http(s) address with a host")
    if parsed.scheme == "http" and not allow_private:
        raise UrlNotAllowed(f"{url} is plain http; give the https:// address")
    if parsed.userinfo:
        raise UrlNotAllowed(f"{url} carries a user name or password; leave them out of the address")
    return parsed


async def resolve_allowed(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for `host`: the first one it resolves to, after checking that every one
    is public (or that private ones are allowed)."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpx.ConnectError(f"{host} does not resolve: {exc.strerror}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not allow_private:
        for address in addresses:
            if not _is_public(address):
                raise UrlNotAllowed(
                    f"{host} resolves to {address}, a private or local address; only public addresses "
                    "are called (PRINTBRIDGE_ALLOW_PRIVATE_URLS allows others)"
                )
    return str(addresses[0])


class GuardedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        allow_private: bool,
        inner: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.max_response_bytes = max_response_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = check_url_shape(request.url, allow_private=self.allow_private)
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await resolve_allowed(url.host, port, allow_private=self.allow_private)
        if address != url.host:
            request.extensions = {**request.extensions, "sni_hostname": url.host}
            request.url = url.copy_with(host=address)
        response = await self.inner.handle_async_request(request)
        cap = self.max_response_bytes
        if cap is None:
            return response
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            await response.aclose()
            raise ResponseTooLarge(
                f"{url.host} would answer {declared} bytes, more than {cap}", request=request
            )
        response.stream = _CappedStream(response.stream, url, cap)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def guarded_client(
    *, allow_private: bool, max_response_bytes: int | None = None, **options: Any
) -> httpx.AsyncClient:
    """An httpx client whose every request (redirects too) goes through the rules above. Redirects are
    not followed unless asked for; `options` are httpx.AsyncClient's. With `max_response_bytes`, a longer
    answer (as declared, or as it arrives) raises ResponseTooLarge instead of filling the memory."""
    options.setdefault("timeout", DEFAULT_TIMEOUT)
    transport = GuardedTransport(
        allow_private=allow_private,
        inner=options.pop("transport", None),
        max_response_bytes=max_response_bytes,
    )
    return httpx.AsyncClient(transport=transport, **options)
