"""A Shopify shop as people name it, reduced to its one identity: `name.myshopify.com`."""

import re
from urllib.parse import urlsplit

from connectors.platforms.base import ConnectRefused

# Shopify's documented rule for a shop's hostname (the OAuth docs' example check).
SHOP_HOSTNAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-]*\.myshopify\.com$")
_HANDLE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-]*$")
_ADMIN_HOST = "admin.shopify.com"
SHOP_FIX = (
    "give the shop as `acme`, `acme.myshopify.com`, or its admin address "
    "(`https://acme.myshopify.com/admin` or `https://admin.shopify.com/store/acme`)"
)


class InvalidShop(ConnectRefused):
    def __init__(self, given: str) -> None:
        super().__init__("invalid-shop", f"{given!r} is not a Shopify shop: {SHOP_FIX}.", "shop")


def is_shop_hostname(value: str) -> bool:
    return bool(SHOP_HOSTNAME.fullmatch(value))


def normalise_shop(given: str) -> str:
    """`acme` | `acme.myshopify.com` | `https://acme.myshopify.com/admin` |
    `https://admin.shopify.com/store/acme` → `acme.myshopify.com` (lower case); anything else raises
    `InvalidShop` (422 naming `shop`)."""
    text = given.strip()
    if not text:
        raise InvalidShop(given)
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise InvalidShop(given) from None
    if parts.scheme not in ("http", "https") or parts.username or parts.password or port is not None:
        raise InvalidShop(given)
    if host == _ADMIN_HOST:
        segments = [segment for segment in parts.path.split("/") if segment]
        if len(segments) < 2 or segments[0] != "store" or not _HANDLE.fullmatch(segments[1]):
            raise InvalidShop(given)
        host = f"{segments[1].lower()}.myshopify.com"
    elif "." not in host:
        host = f"{host}.myshopify.com"
    if parts.query or parts.fragment or not is_shop_hostname(host):
        raise InvalidShop(given)
    return host
