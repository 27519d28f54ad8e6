"""A WooCommerce shop's address as we keep it: its identity (`shop_key`) and the base of every call."""

import ipaddress

import httpx

from connectors.platforms.base import ConnectRefused
from printbridge_shared.outbound import UrlNotAllowed, check_url_shape


def _is_private_literal(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def normalise_site_url(raw: str, *, allow_private: bool) -> str:
    """`https://shop.example[/subdir]`: lower-case scheme and host, default port dropped, no trailing
    slash, no query or fragment. Plain http and loopback/private hosts only when `allow_private` (names
    that resolve to private addresses are refused later, when the guarded client calls them).

    Raises `ConnectRefused` (`url-invalid`, `url-not-allowed`) naming the `url` field."""
    text = raw.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ConnectRefused("url-invalid", f"{raw!r} is not a web address: {exc}", "url") from None
    dotted = "." in url.host or ":" in url.host or url.host == "localhost"
    if url.scheme not in ("http", "https") or not url.host or not dotted:
        raise ConnectRefused(
            "url-invalid", f"{raw!r} is not a shop's web address such as https://shop.example", "url"
        )
    try:
        check_url_shape(url, allow_private=allow_private)
    except UrlNotAllowed as exc:
        raise ConnectRefused("url-not-allowed", str(exc), "url") from None
    if not allow_private and _is_private_literal(url.host):
        raise ConnectRefused(
            "url-not-allowed",
            f"{url.host} is a private or local address; only public shops are called "
            "(PRINTBRIDGE_ALLOW_PRIVATE_URLS allows others)",
            "url",
        )
    host = url.host.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if url.scheme == "https" else 80
    port = f":{url.port}" if url.port and url.port != default_port else ""
    path = url.path
    for admin_part in ("/wp-json", "/wp-admin"):  # an address copied from the API or the dashboard
        if admin_part in path:
            path = path[: path.index(admin_part)]
    path = path.rstrip("/")
    return f"{url.scheme}://{host}{port}{path}"
