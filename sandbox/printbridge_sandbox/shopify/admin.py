"""The Admin side a Shopify app talks to: OAuth (authorize, access_token with expiring offline tokens and
refresh) and the GraphQL Admin API, under `/shops/{shop}` so one server stands in for every shop."""

import asyncio
import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from printbridge_sandbox.shopify import graphql_api
from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.shopify.state import (
    AccessToken,
    ApiCall,
    AuthorizationCode,
    Installation,
    RefreshToken,
    Shop,
    State,
    now,
)
from printbridge_sandbox.shopify.webhooks import Webhooks

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
SLOW_DOWN = "Reduce request rates to resume uninterrupted service."
VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")


def query_hmac(params: dict[str, str], secret: str) -> str:
    """Shopify's callback signature: drop `hmac` (and `signature`), sort by key, join `k=v` with `&` (escaping
    `%`, `&` and, in keys, `=`), hex HMAC-SHA256 keyed with the client secret."""

    def escape(text: str, key: bool = False) -> str:
        text = text.replace("%", "%25").replace("&", "%26")
        return text.replace("=", "%3D") if key else text

    message = "&".join(
        f"{escape(key, True)}={escape(value)}"
        for key, value in sorted(params.items())
        if key not in ("hmac", "signature")
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class Admin:
    def __init__(self, state: State, settings: ShopifySettings, webhooks: Webhooks) -> None:
        self.state = state
        self.settings = settings
        self.webhooks = webhooks

    # ---- tokens ------------------------------------------------------------------------------------------

    def issue(self, shop: str, client_id: str, *, expiring: bool, online: bool) -> dict[str, Any]:
        moment = now()
        installation = self.state.installations[(shop, client_id)]
        body: dict[str, Any] = {"scope": ",".join(installation.scopes)}
        if online:
            token = AccessToken(
                value="shpua_" + secrets.token_hex(16),
                shop=shop,
                client_id=client_id,
                expires_at=moment + timedelta(seconds=self.settings.online_token_ttl),
                online=True,
            )
            self.state.access_tokens[token.value] = token
            body.update(
                access_token=token.value,
                expires_in=self.settings.online_token_ttl,
                associated_user_scope=body["scope"],
                associated_user={
                    "id": 902541635,
                    "first_name": "Sandbox",
                    "last_name": "Merchant",
                    "email": "merchant@example.com",
                    "email_verified": True,
                    "account_owner": True,
                    "locale": "en",
                    "collaborator": False,
                },
            )
            return {"access_token": body.pop("access_token"), **body}
        if not expiring:
            token = AccessToken(
                value="shpat_" + secrets.token_hex(16), shop=shop, client_id=client_id, expires_at=None
            )
            self.state.access_tokens[token.value] = token
            return {"access_token": token.value, **body}
        # Only one expiring offline token per app and shop: a new one revokes the earlier ones.
        for other in self.state.access_tokens.values():
            if other.shop == shop and other.client_id == client_id and other.expires_at and not other.online:
                other.revoked = True
        token = AccessToken(
            value="shpat_" + secrets.token_hex(16),
            shop=shop,
            client_id=client_id,
            expires_at=moment + timedelta(seconds=self.settings.access_token_ttl),
        )
        refresh = RefreshToken(
            value="shprt_" + secrets.token_hex(16),
            shop=shop,
            client_id=client_id,
            expires_at=moment + timedelta(seconds=self.settings.refresh_token_ttl),
            access_token=token.value,
        )
        self.state.access_tokens[token.value] = token
        self.state.refresh_tokens[refresh.value] = refresh
        return {
            "access_token": token.value,
            **body,
            "expires_in": self.settings.access_token_ttl,
            "refresh_token": refresh.value,
            "refresh_token_expires_in": self.settings.refresh_token_ttl,
        }

    def _retire_previous(self, refresh: RefreshToken) -> None:
        """The replacement is in use: the refresh token it replaced stops working."""
        refresh.used = True
        if refresh.previous and refresh.previous in self.state.refresh_tokens:
            self.state.refresh_tokens[refresh.previous].revoked = True

    def authenticate(self, shop: str, header: str | None) -> Installation | None:
        token = self.state.access_tokens.get(header or "")
        if token is None or token.revoked or token.shop != shop:
            return None
        if token.expires_at is not None and token.expires_at <= now():
            return None
        installation = self.state.installations.get((shop, token.client_id))
        if installation is None:
            return None
        if not token.used:
            token.used = True
            for refresh in self.state.refresh_tokens.values():
                if refresh.access_token == token.value:
                    self._retire_previous(refresh)
        return installation

    def expire_tokens(self, shop: str) -> int:
        count = 0
        for token in self.state.access_tokens.values():
            if token.shop == shop and token.expires_at is not None and not token.revoked:
                token.expires_at = now() - timedelta(seconds=1)
                count += 1
        return count

    def uninstall(self, shop: Shop, client_id: str) -> bool:
        """The merchant removes the app: tokens stop working, app/uninstalled goes out, then the app's
        subscriptions of the shop are deleted."""
        if self.state.installations.pop((shop.domain, client_id), None) is None:
            return False
        for token in self.state.access_tokens.values():
            if token.shop == shop.domain and token.client_id == client_id:
                token.revoked = True
        for refresh in self.state.refresh_tokens.values():
            if refresh.shop == shop.domain and refresh.client_id == client_id:
                refresh.revoked = True
        from printbridge_sandbox.shopify.payloads import shop_json

        self.webhooks.emit(shop, "app/uninstalled", shop_json(shop), client_id=client_id)
        for sub_id, sub in list(self.state.subscriptions.items()):
            if sub.shop == shop.domain and sub.client_id == client_id:
                del self.state.subscriptions[sub_id]
        return True

    # ---- misbehaviour on API calls -----------------------------------------------------------------------

    async def misbehave(self, shop: Shop) -> Response | None:
        behaviour = shop.misbehaviour
        if behaviour.api_delay_seconds:
            await asyncio.sleep(behaviour.api_delay_seconds)
        if behaviour.api_fail_count > 0:
            behaviour.api_fail_count -= 1
            headers = {}
            if behaviour.api_fail_retry_after is not None:
                headers["Retry-After"] = f"{behaviour.api_fail_retry_after:.1f}"
            if behaviour.api_fail_status == 429:
                body: Any = {"errors": "Exceeded 2 calls per second for api client. " + SLOW_DOWN}
            else:
                body = {"errors": "Internal Server Error"}
            return JSONResponse(body, status_code=behaviour.api_fail_status, headers=headers)
        return None

    def record(
        self, request: Request, shop: str, status: int, client_id: str | None, fields: list[str] | None = None
    ) -> None:
        self.state.calls.append(
            ApiCall(
                at=now(),
                shop=shop,
                method=request.method,
                path=request.url.path,
                has_access_token=bool(request.headers.get("x-shopify-access-token")),
                client_id=client_id,
                status=status,
                fields=fields or [],
            )
        )


def _not_found() -> JSONResponse:
    return JSONResponse({"errors": "Not Found"}, status_code=404)


async def _form_or_json(request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {key: value for key, value in request.query_params.items()}
    raw = await request.body()
    if not raw:
        return values
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except ValueError:
            return values
        if isinstance(parsed, dict):
            values.update(parsed)
        return values
    for key, items in parse_qs(raw.decode(errors="replace"), keep_blank_values=True).items():
        values[key] = items[-1]
    return values


def router(admin: Admin) -> APIRouter:
    api = APIRouter(prefix="/shops/{shop}")
    state, settings = admin.state, admin.settings

    @api.get("/admin/oauth/authorize", include_in_schema=False)
    async def authorize(shop: str, request: Request) -> Response:
        params = request.query_params
        the_shop = state.shops.get(shop)
        app = state.apps.get(params.get("client_id", ""))
        status = 302
        try:
            if the_shop is None:
                status = 404
                return PlainTextResponse("There is no store at this address.", status_code=404)
            if app is None:
                status = 400
                return PlainTextResponse(
                    "Oauth error invalid_request: The client_id is not recognized or the app is unavailable.",
                    status_code=400,
                )
            redirect_uri = params.get("redirect_uri", "")
            if not redirect_uri or (app.redirect_urls and redirect_uri not in app.redirect_urls):
                status = 400
                return PlainTextResponse(
                    "Oauth error invalid_request: The redirect_uri is missing or not allowed for this app.",
                    status_code=400,
                )
            behaviour = the_shop.misbehaviour
            state_param = params.get("state", "")
            if behaviour.oauth_decline:
                query = {
                    "error": "access_denied",
                    "error_description": "The merchant declined the installation.",
                    "shop": shop,
                }
                if state_param:
                    query["state"] = state_param
                return RedirectResponse(_join(redirect_uri, query), status_code=302)
            requested = [scope.strip() for scope in params.get("scope", "").split(",") if scope.strip()]
            granted = [scope for scope in requested if scope not in behaviour.oauth_withhold_scopes]
            online = "per-user" in params.getlist("grant_options[]")
            installation = state.installations.get((shop, app.client_id))
            if installation is None:
                installation = state.installations[(shop, app.client_id)] = Installation(
                    id=state.ids.next("AppInstallation"), shop=shop, client_id=app.client_id, scopes=granted
                )
            else:
                installation.scopes = granted
            code = AuthorizationCode(
                value=secrets.token_hex(16),
                shop=shop,
                client_id=app.client_id,
                scopes=granted,
                online=online,
                expires_at=now() + timedelta(seconds=settings.authorization_code_ttl),
            )
            state.codes[code.value] = code
            host = (
                base64.b64encode(f"admin.shopify.com/store/{shop.split('.')[0]}".encode())
                .decode()
                .rstrip("=")
            )
            query = {
                "code": code.value,
                "host": host,
                "shop": shop,
                "state": state_param,
                "timestamp": str(int(time.time())),
            }
            signature = query_hmac(query, app.client_secret)
            if behaviour.oauth_forge_hmac:
                signature = query_hmac(query, "not-the-client-secret")
            query["hmac"] = signature
            return RedirectResponse(_join(redirect_uri, query), status_code=302)
        finally:
            admin.record(request, shop, status, None)

    @api.post("/admin/oauth/access_token", include_in_schema=False)
    async def access_token(shop: str, request: Request) -> Response:
        values = await _form_or_json(request)
        client_id = str(values.get("client_id") or "")
        response = await _access_token(admin, shop, values)
        admin.record(request, shop, response.status_code, client_id or None)
        return response

    @api.post("/admin/api/{version}/graphql.json", include_in_schema=False)
    async def graphql(shop: str, version: str, request: Request) -> Response:
        the_shop = state.shops.get(shop)
        if the_shop is None or not VERSION.match(version):
            admin.record(request, shop, 404, None)
            return _not_found()
        failure = await admin.misbehave(the_shop)
        if failure is not None:
            admin.record(request, shop, failure.status_code, None)
            return failure
        installation = admin.authenticate(shop, request.headers.get("x-shopify-access-token"))
        if installation is None:
            admin.record(request, shop, 401, None)
            return JSONResponse({"errors": INVALID_TOKEN}, status_code=401)
        served = _serve_version(version, settings.api_versions)
        raw = await request.body()
        query: str | None = None
        variables: Any = None
        operation_name: str | None = None
        if "application/graphql" in request.headers.get("content-type", ""):
            query = raw.decode(errors="replace")
        else:
            try:
                payload = json.loads(raw or b"null")
            except ValueError:
                payload = None
            if isinstance(payload, dict):
                query, variables, operation_name = (
                    payload.get("query"),
                    payload.get("variables"),
                    payload.get("operationName"),
                )
        if (
            not isinstance(query, str)
            or not query.strip()
            or (variables is not None and not isinstance(variables, dict))
        ):
            admin.record(request, shop, 400, installation.client_id)
            return JSONResponse(
                {"errors": {"query": "Required parameter missing or invalid"}},
                status_code=400,
                headers={"X-Shopify-API-Version": served},
            )
        ctx = graphql_api.Context(state, settings, admin.webhooks, the_shop, installation, served)
        body = graphql_api.run(ctx, query, variables, operation_name)
        fields = graphql_api.root_fields(query, operation_name)
        if the_shop.misbehaviour.api_lose_mutation_answers > 0 and graphql_api.is_mutation(query):
            the_shop.misbehaviour.api_lose_mutation_answers -= 1
            admin.record(request, shop, 504, installation.client_id, fields)
            return JSONResponse({"errors": "Gateway Timeout"}, status_code=504)
        admin.record(request, shop, 200, installation.client_id, fields)
        return JSONResponse(body, headers={"X-Shopify-API-Version": served})

    return api


def _serve_version(requested: str, supported: list[str]) -> str:
    if requested == "unstable" or requested in supported:
        return requested
    later = [version for version in supported if version > requested]
    return later[0] if later else supported[-1]


def _join(uri: str, query: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(query)


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


async def _access_token(admin: Admin, shop: str, values: dict[str, Any]) -> Response:
    state = admin.state
    the_shop = state.shops.get(shop)
    if the_shop is None:
        return _not_found()
    failure = await admin.misbehave(the_shop)
    if failure is not None:
        return failure
    client_id = str(values.get("client_id") or "")
    app = state.apps.get(client_id)
    if app is None or not hmac.compare_digest(str(values.get("client_secret") or ""), app.client_secret):
        return _oauth_error(
            "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret."
        )
    grant_type = str(values.get("grant_type") or "")
    if grant_type == "refresh_token":
        refresh = state.refresh_tokens.get(str(values.get("refresh_token") or ""))
        if (
            refresh is None
            or refresh.revoked
            or refresh.shop != shop
            or refresh.client_id != client_id
            or refresh.expires_at <= now()
            or (shop, client_id) not in state.installations
        ):
            return _oauth_error("invalid_grant", "The refresh token is invalid, expired or revoked.")
        # The new pair replaces this refresh token, which stays valid until the new pair is first used.
        for other in state.refresh_tokens.values():
            if other.previous == refresh.value:
                other.revoked = True
        issued = admin.issue(shop, client_id, expiring=True, online=False)
        state.refresh_tokens[issued["refresh_token"]].previous = refresh.value
        if refresh.previous and refresh.previous in state.refresh_tokens:
            state.refresh_tokens[refresh.previous].revoked = True
        return JSONResponse(issued)
    code = state.codes.get(str(values.get("code") or ""))
    if (
        code is None
        or code.used
        or code.shop != shop
        or code.client_id != client_id
        or code.expires_at <= now()
    ):
        return _oauth_error("invalid_request", "The authorization code was not found or was already used")
    if (shop, client_id) not in state.installations:
        return _oauth_error("invalid_request", "The authorization code was not found or was already used")
    code.used = True
    expiring = str(values.get("expiring") or "").lower() in ("1", "true")
    return JSONResponse(admin.issue(shop, client_id, expiring=expiring, online=code.online))
