"""Etsy's public endpoints (no bearer token): the OAuth callback the seller's browser comes back to
(its single-use `state` authenticates it) and the app's webhook notices (signed, Standard Webhooks)."""

import html
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from connectors.deps import OutboxDep, PlatformsDep, SessionDep
from connectors.platforms.etsy import oauth, webhooks
from connectors.platforms.etsy.connector import WEBHOOK_PATH, EtsyConnector
from connectors.platforms.etsy.pkce import CALLBACK_PATH
from connectors.platforms.etsy.schemas import EtsyWebhookReceived
from connectors.platforms.registry import connector_for
from printbridge_shared import standard_webhooks as signatures
from printbridge_shared.db import Database
from printbridge_shared.errors import problem
from printbridge_shared.events.contracts import Platform

log = structlog.get_logger(__name__)

router = APIRouter(tags=["etsy"])
NO_STORE = {"Cache-Control": "no-store"}
KEPT_HEADERS = ("webhook-id", "webhook-timestamp", "content-type", "user-agent")


async def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DatabaseDep = Annotated[Database, Depends(_database)]


def _connector() -> EtsyConnector:
    connector = connector_for(Platform.etsy)
    if not isinstance(connector, EtsyConnector):
        raise TypeError("the registry's Etsy connector is not an EtsyConnector")
    return connector


# Neither is an API operation (a browser follows the one, Etsy calls the other): they stay out of the
# OpenAPI document and are described in docs/connectors-etsy.md.
@router.get(CALLBACK_PATH, response_class=HTMLResponse, include_in_schema=False)
async def etsy_callback(
    request: Request, db: DatabaseDep, outbox: OutboxDep, platforms: PlatformsDep
) -> Response:
    """Where Etsy sends the seller after the consent screen. Answers a small page saying whether the
    store is connected, or 303 to the connect's `return_url`."""
    values = {str(k): str(v) for k, v in request.query_params.items()}
    result = await oauth.complete(db, outbox, platforms, _connector(), values)
    if result.redirect_to and result.status == 200:
        return RedirectResponse(result.redirect_to, status_code=303, headers=NO_STORE)
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Printbridge</title>"
        f"<h1>{html.escape(result.title)}</h1><p>{html.escape(result.message)}</p></html>"
    )
    return HTMLResponse(body, status_code=result.status, headers=NO_STORE)


@router.post(WEBHOOK_PATH, response_model=EtsyWebhookReceived, include_in_schema=False)
async def etsy_webhook(
    request: Request, session: SessionDep, platforms: PlatformsDep
) -> Response | EtsyWebhookReceived:
    """A notice from Etsy: 401 unless signed with PRINTBRIDGE_ETSY_WEBHOOK_SECRET within five minutes;
    then 200 — for a repeat, and for a shop no store has (a retry would not change that) — and the
    receipt is fetched by a job."""
    secret = platforms.settings.etsy_webhook_secret.get_secret_value()
    try:
        signatures.secret_key(secret)
    except ValueError:
        secret = ""
    if not secret:
        return problem(
            503,
            "etsy-webhooks-not-configured",
            "Etsy webhooks are not configured",
            "PRINTBRIDGE_ETSY_WEBHOOK_SECRET is unset or not whsec_… base64: set it to the signing secret "
            "of the app's webhook endpoint in Etsy's developer portal and restart.",
        )
    body = await request.body()
    msg_id = request.headers.get("webhook-id")
    if not signatures.verify(
        secret,
        msg_id,
        request.headers.get("webhook-timestamp"),
        request.headers.get("webhook-signature"),
        body,
    ):
        log.warning("etsy_webhook_forged", webhook_id=msg_id)
        return problem(
            401,
            "webhook-signature-invalid",
            "Unauthorized",
            "webhook-signature does not sign this notice with the app's webhook secret, or its "
            "webhook-timestamp is more than five minutes away; nothing was kept.",
        )
    try:
        notice = webhooks.read_notice(body)
    except webhooks.NoticeUnreadable as error:
        return problem(400, "webhook-unreadable", "Bad request", f"Not an Etsy notice: {error}.")
    headers = {name: value for name, value in request.headers.items() if name in KEPT_HEADERS}
    assert msg_id is not None
    return EtsyWebhookReceived(outcome=await webhooks.receive(session, notice, msg_id, headers, body))
