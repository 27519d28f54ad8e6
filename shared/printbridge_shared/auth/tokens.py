"""The access-token format: EdDSA (Ed25519) JWTs, verified with keys from storefront-auth's JWKS.
Issuing lives in storefront-auth; this module is the one definition of the claims both sides use."""

import datetime as dt
import hashlib
import json
import secrets
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from printbridge_shared.auth.principal import Principal, PrincipalKind

ISSUER = "printbridge"
AUDIENCE = "printbridge"
ALGORITHM = "EdDSA"
API_KEY_PREFIX = "pbk_"
API_KEY_MAX_LENGTH = 200
"""Longer than any key Printbridge makes (`new_api_key`): such a credential is a wrong key, not looked up."""


def public_jwk(private_key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return jwk


def encode_access_token(
    principal: Principal,
    *,
    private_key: Ed25519PrivateKey,
    kid: str,
    ttl: dt.timedelta,
    issued_at: dt.datetime | None = None,
) -> str:
    now = issued_at or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(principal.subject_id),
        "kind": principal.kind.value,
        # Fractional seconds: a token issued just after a revocation (`TokenVerifier`) must count as newer.
        "iat": now.timestamp(),
        "exp": (now + ttl).timestamp(),
        "jti": uuid.uuid4().hex,
    }
    if principal.email:
        claims["email"] = principal.email
    if principal.customer_id:
        claims["cid"] = str(principal.customer_id)
    if principal.role:
        claims["role"] = principal.role
    if principal.store_ids:
        claims["stores"] = [str(s) for s in principal.store_ids]
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The caller a verified token names. A customer user's token without its customer or role is refused
    (ValueError): every scope check reads "no customer" as "every customer", which is an operator's."""
    kind = PrincipalKind(claims["kind"])
    if kind is PrincipalKind.customer_user and not (claims.get("cid") and claims.get("role")):
        raise ValueError("a customer user's token must name its customer and role")
    return Principal(
        kind=kind,
        subject_id=uuid.UUID(claims["sub"]),
        email=claims.get("email"),
        customer_id=uuid.UUID(claims["cid"]) if claims.get("cid") else None,
        role=claims.get("role"),
        store_ids=[uuid.UUID(s) for s in claims.get("stores", [])],
    )


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """SHA-256 for high-entropy secrets (API keys, refresh and invitation tokens); never for passwords."""
    return hashlib.sha256(value.encode()).hexdigest()
