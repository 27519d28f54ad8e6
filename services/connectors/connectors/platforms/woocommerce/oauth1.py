"""OAuth 1.0a "one-legged" request signing, as WooCommerce requires for its REST API over plain HTTP
(RFC 5849 section 3.4, with no token: the key is the consumer secret followed by `&`).

WooCommerce's own notes: the parameters are sent in the query string (no `oauth_version`); the signature
base string uses the request's address without its query (the address of the site as WooCommerce knows
it: `www.` or not matters); every query parameter takes part; the timestamp must be within 15 minutes of
the shop's clock and the nonce unique per key; HMAC-SHA1 or HMAC-SHA256 (we use SHA-256)."""

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from urllib.parse import quote

import httpx

SIGNATURE_METHOD = "HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of everything but the unreserved characters (RFC 5849 3.6)."""
    return quote(value.encode(), safe="-._~")


def base_string_uri(url: httpx.URL) -> str:
    """Scheme and host in lower case, the port only when not the default, the path, no query."""
    default_port = {"http": 80, "https": 443}[url.scheme]
    port = f":{url.port}" if url.port and url.port != default_port else ""
    host = url.host.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{url.scheme.lower()}://{host}{port}{url.raw_path.split(b'?')[0].decode() or '/'}"


def signature_base_string(method: str, url: httpx.URL, params: Sequence[tuple[str, str]]) -> str:
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    normalised = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join([method.upper(), percent_encode(base_string_uri(url)), percent_encode(normalised)])


def sign(
    method: str,
    url: httpx.URL,
    params: Sequence[tuple[str, str]],
    consumer_key: str,
    consumer_secret: str,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> list[tuple[str, str]]:
    """The query parameters to send: `params` plus the OAuth ones and their signature."""
    oauth = [
        ("oauth_consumer_key", consumer_key),
        ("oauth_nonce", nonce or secrets.token_hex(16)),
        ("oauth_signature_method", SIGNATURE_METHOD),
        ("oauth_timestamp", str(timestamp if timestamp is not None else int(time.time()))),
    ]
    signed = [*params, *oauth]
    base = signature_base_string(method, url, signed)
    key = percent_encode(consumer_secret) + "&"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()
    return [*signed, ("oauth_signature", base64.b64encode(digest).decode())]
