"""Shopify's public endpoints (no bearer token: Shopify's signature authenticates them): the OAuth
callback the merchant's browser comes back to, and the webhook deliveries."""

import html
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from connectors.deps import OutboxDep, PlatformsDep, SessionDep
from connectors.platforms.registry import connector_for
from connectors.platforms.shopify import oauth, webhooks
from connectors.platforms.shopify.connector import CALLBACK_PATH, WEBHOOK_PATH, ShopifyConnector
from connectors.platforms.shopify.signatures import body_signed
from printbridge_shared.db import Database
from printbridge_shared.errors import problem
from printbridge_shared.events.contracts import Platform

log = structlog.get_logger(__name__)

router = APIRouter(tags=["shopify"])
NO_STORE = {"Cache-Control": "no-store"}


async def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DatabaseDep = Annotated[Database, Depends(_database)]


def _connector() -> ShopifyConnector:
    connector = connector_for(Platform.shopify)
    if not isinstance(connector, ShopifyConnector):
        raise TypeError("the registry's Shopify connector is not a ShopifyConnector")
    return connector


def _page(result: oauth.CallbackResult) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Printbridge</title>"
        f"<h1>{html.escape(result.title)}</h1><p>{html.escape(result.message)}</p></html>"
    )
    return HTMLResponse(body, status_code=result.status, headers=NO_STORE)


# Neither is an API operation (a browser follows the one, Shopify calls the other): they stay out of the
# OpenAPI document and are described in docs/connectors-shopify.md.
@router.get(CALLBACK_PATH, response_class=HTMLResponse, include_in_schema=False)
async def shopify_callback(
    request: Request, db: DatabaseDep, outbox: OutboxDep, platforms: PlatformsDep
) -> Response:
    """Where Shopify sends the merchant after granting access (public: Shopify's `hmac` signs it).
    Answers a small page saying whether the store is connected, or 303 to the connect's `return_url`."""
    params = [(str(k), str(v)) for k, v in request.query_params.multi_items()]
    result = await oauth.complete(db, outbox, platforms, _connector(), params)
    if result.redirect_to and result.status == 200:
        return RedirectResponse(result.redirect_to, status_code=303, headers=NO_STORE)
    return _page(result)


@router.post(WEBHOOK_PATH, status_code=200, include_in_schema=False)
async def shopify_webhook(
    request: Request, session: SessionDep, outbox: OutboxDep, platforms: PlatformsDep
) -> Response:
    """Shopify's webhook deliveries (public: `X-Shopify-Hmac-Sha256` signs the body). Verified, kept
    once per change, acted on; answered 200 at once (also for a repeat)."""
    body = await request.body()
    if not body_signed(body, request.headers.get("x-shopify-hmac-sha256"), oauth.client_secrets(platforms)):
        log.warning("shopify_webhook_forged", shop=request.headers.get("x-shopify-shop-domain"))
        return problem(
            401, "webhook-signature-invalid", "Unauthorized", "X-Shopify-Hmac-Sha256 does not sign this body."
        )
    topic = request.headers.get("x-shopify-topic", "").strip().lower()
    shop = request.headers.get("x-shopify-shop-domain", "").strip().lower()
    key = webhooks.change_key(
        topic, request.headers.get("x-shopify-event-id"), request.headers.get("x-shopify-webhook-id")
    )
    if not topic or not shop or key is None:
        return problem(
            400,
            "webhook-headers-missing",
            "Bad request",
            "A Shopify delivery names its topic, shop and event (X-Shopify-Topic, X-Shopify-Shop-Domain, "
            "X-Shopify-Event-Id or X-Shopify-Webhook-Id).",
        )
    headers = {name: value for name, value in request.headers.items() if name.startswith("x-shopify-")}
    outcome = await webhooks.receive(session, outbox, webhooks.Delivery(topic, shop, key, headers, body))
    if outcome.status != 200:
        return problem(outcome.status, "shop-not-connected", "Not connected", outcome.detail)
    return Response(status_code=200, headers=NO_STORE)
