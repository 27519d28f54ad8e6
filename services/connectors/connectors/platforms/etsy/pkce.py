"""Etsy's authorization-code grant with PKCE (RFC 7636, S256 only): the verifier and the state are made
at connect, kept encrypted with the connect attempt, and the verifier is sent with the code."""

import base64
import hashlib
import secrets
from urllib.parse import quote, urlencode

CALLBACK_PATH = "/v1/connectors/etsy/callback"


def new_verifier() -> str:
    """43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 4.1): 64 random bytes as base64url → 86."""
    return secrets.token_urlsafe(64)


def challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    connect_url: str, keystring: str, redirect_uri: str, scopes: str, state: str, verifier: str
) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": keystring,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes.split()),
            "state": state,
            "code_challenge": challenge(verifier),
            "code_challenge_method": "S256",
        },
        quote_via=quote,  # spaces as %20, as Etsy's documentation writes the scope list
    )
    return f"{connect_url}?{query}"
