"""Etsy's webhook signatures, as the Standard Webhooks spec defines them: `webhook-signature` is a
space-separated list of `v1,<base64 HMAC-SHA256>` over `{webhook-id}.{webhook-timestamp}.{raw body}`,
keyed with the base64-decoded part of the endpoint's `whsec_…` secret; a timestamp more than five
minutes away from now is refused (a replay)."""

import base64
import binascii
import hashlib
import hmac
import time

TOLERANCE_S = 5 * 60
PREFIX = "whsec_"


def secret_key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.strip().removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the webhook secret is not whsec_ followed by base64") from None


def sign(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The `v1,<base64>` signature of one delivery."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    secret: str,
    msg_id: str | None,
    timestamp: str | None,
    signatures: str | None,
    body: bytes,
    now: float | None = None,
) -> bool:
    """True when one of the listed v1 signatures signs this delivery and its timestamp is recent."""
    if not msg_id or not timestamp or not signatures:
        return False
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > TOLERANCE_S:
        return False
    expected = sign(secret, msg_id, timestamp, body).encode()
    return any(
        candidate.startswith("v1,") and hmac.compare_digest(candidate.encode(), expected)
        for candidate in signatures.split()
    )
