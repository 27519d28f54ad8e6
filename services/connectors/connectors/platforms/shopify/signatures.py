"""Shopify's two signatures: the OAuth redirect's query `hmac` (hex) and a webhook's
`X-Shopify-Hmac-Sha256` (base64 over the raw body), both HMAC-SHA256 keyed with the app's client secret,
compared in constant time."""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

# shopify-api-js refuses a callback whose `timestamp` is further than this from now (both directions).
CALLBACK_TIMESTAMP_TOLERANCE_S = 90


def query_message(params: Iterable[tuple[str, str]]) -> str:
    """The signed message of an OAuth redirect: every parameter but `hmac` (and `signature`), sorted by
    name, URL-encoded as `k=v&k=v`."""
    kept = sorted((key, value) for key, value in params if key not in ("hmac", "signature"))
    return urlencode(kept)


def query_hmac(params: Iterable[tuple[str, str]], secret: str) -> str:
    return hmac.new(secret.encode(), query_message(params).encode(), hashlib.sha256).hexdigest()


def query_signed(params: Sequence[tuple[str, str]], secrets: Sequence[str]) -> bool:
    """True when the query's `hmac` (exactly one) is the signature of the rest by one of `secrets`."""
    given = [value for key, value in params if key == "hmac"]
    if len(given) != 1 or not given[0]:
        return False
    return any(
        hmac.compare_digest(query_hmac(params, secret).encode(), given[0].lower().encode())
        for secret in secrets
        if secret
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
