"""Shopify's two signatures: the OAuth redirect's query `hmac` (hex) and a webhook's
`X-Shopify-Hmac-Sha256` (base64 over the raw body), both HMAC-SHA256 keyed with the app's client secret,
compared in constant time."""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import quote

# shopify-api-js refuses a callback whose `timestamp` is further than this from now (both directions).
CALLBACK_TIMESTAMP_TOLERANCE_S = 90


def _sdk_escape(text: str) -> str:
    """shopify-api-js: URLSearchParams' form encoding with spaces as `%20`."""
    return quote(text, safe="*")


def _python_library_escape(text: str, *, key: bool = False) -> str:
    """Shopify's Python library: only `%` and `&` (and `=` in names) are escaped."""
    text = text.replace("%", "%25").replace("&", "%26")
    return text.replace("=", "%3D") if key else text


def query_messages(params: Iterable[tuple[str, str]]) -> set[str]:
    """The signed message of an OAuth redirect: every parameter but `hmac` (and `signature`), sorted by
    name, joined as `k=v&k=v`. Shopify's libraries escape the pairs differently (which matters only for
    values with spaces or reserved characters): a query signed either way verifies."""
    kept = sorted((key, value) for key, value in params if key not in ("hmac", "signature"))
    return {
        "&".join(f"{_sdk_escape(k)}={_sdk_escape(v)}" for k, v in kept),
        "&".join(f"{_python_library_escape(k, key=True)}={_python_library_escape(v)}" for k, v in kept),
    }


def query_signed(params: Sequence[tuple[str, str]], secrets: Sequence[str]) -> bool:
    """True when the query's `hmac` (exactly one) is the signature of the rest by one of `secrets`."""
    given = [value for key, value in params if key == "hmac"]
    if len(given) != 1 or not given[0]:
        return False
    expected = given[0].lower().encode()
    return any(
        hmac.compare_digest(
            hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest().encode(), expected
        )
        for secret in secrets
        if secret
        for message in query_messages(params)
    )


def body_hmac(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def body_signed(body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """True when `header` (X-Shopify-Hmac-Sha256) is the base64 signature of the exact `body` bytes."""
    if not header:
        return False
    return any(
        hmac.compare_digest(body_hmac(body, secret).encode(), header.strip().encode())
        for secret in secrets
        if secret
    )
