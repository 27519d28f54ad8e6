"""The end of a Shopify connect: the merchant's browser comes back to
`GET /v1/connectors/shopify/callback` with Shopify's signed query. Checked in order — the signature (hex
HMAC of the sorted parameters), the time (within 90 s), the single-use unexpired `state`, the shop —
then the code is exchanged for an expiring offline token, the granted scopes compared with what was
asked, the webhooks registered, and the store connected (or, for a reconnect, given its new credentials)
in one transaction. A callback that fails a check changes nothing."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import httpx
import structlog
from sqlalchemy import CursorResult, update

from connectors.models import ConnectAttempt, Store
from connectors.platforms.base import Connection, PlatformProblem, PlatformUnavailable
from connectors.platforms.context import Platforms
from connectors.platforms.shopify import problems
from connectors.platforms.shopify.client import ShopifyError, TokenRefused
from connectors.platforms.shopify.connector import ShopifyConnector, missing_scopes
from connectors.platforms.shopify.shop import is_shop_hostname
from connectors.platforms.shopify.signatures import CALLBACK_TIMESTAMP_TOLERANCE_S, query_signed
from connectors.store import service as stores
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CallbackResult:
    status: int
    title: str
    message: str
    redirect_to: str | None = None


def _refused(status: int, message: str) -> CallbackResult:
    return CallbackResult(status, "The store was not connected", message)


START_AGAIN = "Start connecting the store again from Printbridge."


def client_secrets(platforms: Platforms) -> list[str]:
    settings = platforms.settings
    return [
        settings.shopify_client_secret.get_secret_value(),
        settings.shopify_previous_client_secret.get_secret_value(),
    ]


async def complete(
    db: Database,
    outbox: Outbox,
    platforms: Platforms,
    connector: ShopifyConnector,
    params: list[tuple[str, str]],
) -> CallbackResult:
    settings = platforms.settings
    values = dict(params)
    if "error" in values and "code" not in values:
        reason = values.get("error_description") or values["error"]
        return _refused(400, f"Access was not granted in Shopify ({reason}). Nothing changed. {START_AGAIN}")
    if not settings.shopify_client_secret.get_secret_value():
        return _refused(
            404, "Shopify stores are not connected here (PRINTBRIDGE_SHOPIFY_CLIENT_SECRET is unset)."
        )
    if not query_signed(params, client_secrets(platforms)):
        log.warning("shopify_callback_forged", shop=values.get("shop"))
        return _refused(401, "This link is not signed by Shopify. Nothing changed.")
    try:
        sent_at = dt.datetime.fromtimestamp(int(values.get("timestamp", "")), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return _refused(400, f"This link has no valid timestamp. Nothing changed. {START_AGAIN}")
    if abs((utcnow() - sent_at).total_seconds()) > CALLBACK_TIMESTAMP_TOLERANCE_S:
        return _refused(400, f"This link has expired. Nothing changed. {START_AGAIN}")
    shop, state, code = values.get("shop", ""), values.get("state", ""), values.get("code", "")
    if not is_shop_hostname(shop) or not state or not code:
        return _refused(400, "This link lacks the shop, the state or the code. Nothing changed.")

    async with db.session() as session:
        attempt = await session.get(ConnectAttempt, stores.state_hash(state))
        if attempt is None or attempt.platform != Platform.shopify:
            return _refused(400, f"This connect link is unknown here. Nothing changed. {START_AGAIN}")
        if attempt.used_at is not None:
            return _refused(409, "This connect link was used already. Nothing changed.")
        if attempt.expires_at < utcnow():
            return _refused(
                400, f"This connect link has expired (10 minutes). Nothing changed. {START_AGAIN}"
            )
        store = await session.get(Store, attempt.store_id)
        if store is None or store.status == StoreStatus.disconnected:
            return _refused(409, "This store was disconnected meanwhile; connect the shop as a new store.")
        if store.shop_key != shop:
            log.warning("shopify_callback_wrong_shop", expected=store.shop_key, shop=shop)
            return _refused(400, f"This link is for another shop than {store.shop_key}. Nothing changed.")
        claimed = await session.execute(
            update(ConnectAttempt)
            .where(ConnectAttempt.state_hash == attempt.state_hash, ConnectAttempt.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if cast(CursorResult[Any], claimed).rowcount != 1:
            return _refused(409, "This connect link was used already. Nothing changed.")
        store_id, return_url = store.id, attempt.return_url

    client = connector.client(platforms.context(), shop)
    try:
        credentials = await client.exchange_code(code)
    except TokenRefused as refused:
        log.warning("shopify_code_refused", shop=shop, detail=str(refused))
        return _refused(400, f"Shopify refused the grant ({refused}). {START_AGAIN}")
    except (PlatformProblem, PlatformUnavailable, ShopifyError) as failure:
        log.warning("shopify_code_exchange_failed", shop=shop, detail=str(failure))
        return _refused(502, f"Shopify could not be reached to finish ({failure}). {START_AGAIN}")
    granted = str(credentials.get("scope", ""))
    lacking = missing_scopes(settings.shopify_scopes, granted)
    found: list[PlatformProblem] = []
    try:
        await connector.register_webhooks(client, granted)
    except PlatformProblem as webhook_problem:
        found.append(webhook_problem)
    except (PlatformUnavailable, ShopifyError) as failure:
        found.append(problems.webhooks_missing(str(failure)))
    if lacking:
        found.append(problems.scope_missing(lacking))

    async with db.session() as session:
        store = await session.get(Store, store_id)
        if store is None or store.status == StoreStatus.disconnected:
            return _refused(409, "This store was disconnected meanwhile; connect the shop as a new store.")
        connection = Connection(
            shop_key=shop,
            name=store.name,
            status=StoreStatus.connected,
            credentials=client.credentials,
            granted_scopes=granted,
        )
        await stores.complete_connect(session, outbox, platforms.box, store, connection)
        for each in found:
            await stores.report_problem(session, outbox, store, each)
        status = store.status

    log.info("shopify_connected", shop=shop, store_id=str(store_id), status=status)
    message = f"{shop} is connected to Printbridge; its orders now arrive."
    if found:
        message = f"{shop} is connected, with problems: " + " ".join(f"{p.message} {p.fix}" for p in found)
    return CallbackResult(
        200, "Store connected", message, redirect_to=_with_result(return_url, store_id, status)
    )


def _with_result(return_url: str | None, store_id: object, status: str) -> str | None:
    if not return_url:
        return None
    return str(httpx.URL(return_url).copy_merge_params({"store_id": str(store_id), "status": status}))
