"""Standard Webhooks (https://www.standardwebhooks.com) signatures, both ways: Etsy's notices to us are
verified with them, and orders signs its postbacks to the producer's systems with them.

`webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>` over
`{webhook-id}.{webhook-timestamp}.{raw body}`, keyed with the base64-decoded part of a `whsec_…` secret;
a receiver accepts a delivery when one of the listed signatures is right (so a sender signs with the old
and the new secret during a rotation) and refuses a timestamp more than five minutes away from now (a
replay)."""

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

TOLERANCE_S = 5 * 60
PREFIX = "whsec_"
SECRET_BYTES = 24


def generate_secret() -> str:
    """A new signing secret: `whsec_` and the base64 of 24 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


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


def signature_header(secrets_: Iterable[str], msg_id: str, timestamp: str, body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret, space-separated."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets_)


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
