"""Etsy's OAuth 2.0 authorization-code grant with PKCE (developers.etsy.com, Authentication):

- `GET /oauth/connect` (www.etsy.com in reality): the signed-in seller (chosen through the control API)
  consents or refuses; 302 to the registered `redirect_uri` with `code` and `state`, or with
  `error=access_denied`. A `client_id` or `redirect_uri` that is not registered gets an error page and
  no redirect, as Etsy shows ("The requested redirect URL is not permitted.").
- `POST /v3/public/oauth/token`, form-encoded: `authorization_code` (code, code_verifier checked
  against the S256 challenge, codes single use) and `refresh_token` (each refresh rotates the refresh
  token). Errors are RFC 6749's `{"error", "error_description"}` with status 400 (401 for the client)."""

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.etsy.state import AccessToken, AuthorizationCode, RefreshToken, State

SCOPES = {
    "address_r",
    "address_w",
    "billing_r",
    "cart_r",
    "cart_w",
    "email_r",
    "favorites_r",
    "favorites_w",
    "feedback_r",
    "listings_d",
    "listings_r",
    "listings_w",
    "profile_r",
    "profile_w",
    "recommend_r",
    "recommend_w",
    "shops_r",
    "shops_w",
    "transactions_r",
    "transactions_w",
}
# base64url without padding of a SHA-256 digest (RFC 7636 §4.2).
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# 43 to 128 unreserved characters (RFC 7636 §4.1).
VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
CONNECT_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def token_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _page(message: str, status: int = 400) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><title>Etsy</title><h1>An error occurred</h1><p>{message}</p>", status_code=status
    )


def _redirect(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(params), status_code=302)


class OAuth:
    def __init__(self, state: State, settings: EtsySettings) -> None:
        self.state = state
        self.settings = settings

    def issue(self, keystring: str, user_id: int, scopes: list[str]) -> dict[str, Any]:
        """A new access and refresh token pair; both start with the user id and a dot, as Etsy's do."""
        now = self.state.clock.now()
        access = AccessToken(
            value=f"{user_id}.{secrets.token_urlsafe(48)}",
            keystring=keystring,
            user_id=user_id,
            scopes=scopes,
            expires_at=now + self.settings.access_token_ttl,
        )
        refresh = RefreshToken(
            value=f"{user_id}.{secrets.token_urlsafe(48)}",
            keystring=keystring,
            user_id=user_id,
            scopes=scopes,
            expires_at=now + self.settings.refresh_token_ttl,
        )
        self.state.access_tokens[access.value] = access
        self.state.refresh_tokens[refresh.value] = refresh
        return {
            "access_token": access.value,
            "token_type": "Bearer",
            "expires_in": self.settings.access_token_ttl,
            "refresh_token": refresh.value,
        }

    def connect(self, request: Request) -> Response:
        query = request.query_params
        app = self.state.apps.get(query.get("client_id", ""))
        if app is None:
            return _page("The application (client_id) is not known: check the keystring.")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            return _page("The requested redirect URL is not permitted.")
        state = query.get("state", "")

        def refuse(error: str, description: str) -> Response:
            return _redirect(redirect_uri, {"error": error, "error_description": description, "state": state})

        for name in CONNECT_PARAMS:
            if len(query.getlist(name)) > 1:
                return refuse("invalid_request", f"{name} is given more than once")
            if not query.get(name):
                return refuse("invalid_request", f"{name} is required")
        if query["response_type"] != "code":
            return refuse("unsupported_response_type", "response_type must be code")
        if query["code_challenge_method"] != "S256":
            return refuse("invalid_request", "code_challenge_method must be S256")
        challenge = query["code_challenge"]
        if not CHALLENGE.match(challenge):
            return refuse("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier")
        scopes = query["scope"].split()
        if not scopes:
            return refuse("invalid_scope", "scope must name at least one scope")
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown:
            return refuse("invalid_scope", f"unknown scope(s): {' '.join(unknown)}")
        consent = self.state.consent
        if consent.user_id is None or consent.user_id not in self.state.users:
            return _page("Sign in to Etsy to continue (sandbox: PUT /_sandbox/etsy/consent).", status=200)
        if not consent.approve:
            return _redirect(redirect_uri, {"error": "access_denied", "state": state})
        code = AuthorizationCode(
            code=secrets.token_urlsafe(64),
            keystring=app.keystring,
            user_id=consent.user_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=challenge,
            expires_at=self.state.clock.now() + self.settings.authorization_code_ttl,
        )
        self.state.codes[code.code] = code
        return _redirect(redirect_uri, {"code": code.code, "state": state})

    async def token(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return token_error("invalid_request", "the body must be application/x-www-form-urlencoded")
        try:
            form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            return token_error("invalid_request", "the body is not UTF-8")
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return token_error("invalid_request", "grant_type is required")
        if grant_type not in ("authorization_code", "refresh_token"):
            return token_error("unsupported_grant_type", f"grant_type {grant_type} is not supported")
        client_id = form.get("client_id", "")
        if not client_id:
            return token_error("invalid_request", "client_id is required")
        if client_id not in self.state.apps:
            return token_error("invalid_client", "Invalid API key", status=401)
        if grant_type == "authorization_code":
            return self._code_grant(client_id, form)
        return self._refresh_grant(client_id, form)

    def _code_grant(self, client_id: str, form: dict[str, str]) -> Response:
        for name in ("redirect_uri", "code", "code_verifier"):
            if not form.get(name):
                return token_error("invalid_request", f"{name} is required")
        if not VERIFIER.match(form["code_verifier"]):
            return token_error(
                "invalid_request", "code_verifier must be 43 to 128 characters A-Z a-z 0-9 - . _ ~"
            )
        code = self.state.codes.get(form["code"])
        if code is None or code.keystring != client_id:
            return token_error("invalid_grant", "code is invalid")
        if code.used:
            return token_error("invalid_grant", "code has already been used")
        code.used = True  # a failed attempt uses the code up too (RFC 6749 §10.5: single use)
        if code.expires_at <= self.state.clock.now():
            return token_error("invalid_grant", "code has expired")
        if form["redirect_uri"] != code.redirect_uri:
            return token_error("invalid_grant", "redirect_uri does not match the authorization request")
        if not secrets.compare_digest(s256(form["code_verifier"]), code.code_challenge):
            return token_error("invalid_grant", "code_verifier is invalid")
        return JSONResponse(self.issue(client_id, code.user_id, code.scopes))

    def _refresh_grant(self, client_id: str, form: dict[str, str]) -> Response:
        value = form.get("refresh_token", "")
        if not value:
            return token_error("invalid_request", "refresh_token is required")
        token = self.state.refresh_tokens.get(value)
        if token is None or token.keystring != client_id:
            return token_error("invalid_grant", "refresh_token is invalid")
        now = self.state.clock.now()
        if token.revoked:
            return token_error("invalid_grant", "refresh_token is revoked")
        if token.expires_at <= now:
            return token_error("invalid_grant", "refresh_token has expired")
        if token.rotated_at is not None and now - token.rotated_at >= self.settings.refresh_grace_seconds:
            return token_error("invalid_grant", "refresh_token is revoked")
        if token.rotated_at is None:
            token.rotated_at = now
        return JSONResponse(self.issue(client_id, token.user_id, token.scopes))

    def revoke_user(self, user_id: int) -> int:
        """A password change: every token of the seller stops working. Returns how many were revoked."""
        tokens: list[AccessToken | RefreshToken] = [
            *self.state.access_tokens.values(),
            *self.state.refresh_tokens.values(),
        ]
        revoked = [token for token in tokens if token.user_id == user_id and not token.revoked]
        for token in revoked:
            token.revoked = True
        return len(revoked)


def router(oauth: OAuth) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/oauth/connect")
    def connect(request: Request) -> Response:
        return oauth.connect(request)

    @routes.post("/v3/public/oauth/token")
    async def token(request: Request) -> Response:
        return await oauth.token(request)

    return routes
