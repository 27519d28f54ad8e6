"""The end of an Etsy connect: the seller's browser comes back to `GET /v1/connectors/etsy/callback`
with `code` and `state` (or `error`). The single-use unexpired state is claimed, the code exchanged with
the PKCE verifier kept since the start, the shop of the granting user looked up (its id becomes the
store's `shop`), and the store connected — or, for a reconnect, given its new credentials — in one
transaction. A callback that fails a check changes nothing but using up its state."""

from dataclasses import dataclass
from typing import Any, cast

import httpx
import structlog
from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError

from connectors.models import ConnectAttempt, Store
from connectors.platforms.base import Connection, PlatformProblem, PlatformUnavailable
from connectors.platforms.context import Platforms
from connectors.platforms.etsy.client import EtsyError, TokenRefused
from connectors.platforms.etsy.connector import EtsyConnector
from connectors.platforms.shopify.oauth import CallbackResult
from connectors.store import service as stores
from connectors.store.repository import StoreRepository
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

START_AGAIN = "Start connecting the store again from Printbridge."


def _with_result(return_url: str | None, store_id: object, status: str) -> str | None:
    if not return_url:
        return None
    return str(httpx.URL(return_url).copy_merge_params({"store_id": str(store_id), "status": status}))


def _refused(status: int, message: str) -> CallbackResult:
    return CallbackResult(status, "The store was not connected", message)


async def _stored_with_the_store(_credentials: dict[str, Any]) -> None:
    """A refresh during the callback (a 401 right after the exchange) needs no storing of its own: the
    client's credentials are what the callback stores with the store it connects."""


@dataclass(frozen=True)
class Claimed:
    store_id: Any
    reconnect: bool
    shop_key: str
    flow: dict[str, Any]
    return_url: str | None


async def _claim(db: Database, platforms: Platforms, state: str) -> Claimed | CallbackResult:
    """The attempt of this state, used up (once: a second use of the link is refused)."""
    async with db.session() as session:
        attempt = await session.get(ConnectAttempt, stores.state_hash(state))
        if attempt is None or attempt.platform != Platform.etsy:
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
        claimed = await session.execute(
            update(ConnectAttempt)
            .where(ConnectAttempt.state_hash == attempt.state_hash, ConnectAttempt.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if cast(CursorResult[Any], claimed).rowcount != 1:
            return _refused(409, "This connect link was used already. Nothing changed.")
        flow = platforms.box.open(attempt.secret) if attempt.secret else {}
        return Claimed(
            store.id, store.status != StoreStatus.pending, store.shop_key, flow, attempt.return_url
        )


async def complete(
    db: Database, outbox: Outbox, platforms: Platforms, connector: EtsyConnector, values: dict[str, str]
) -> CallbackResult:
    if values.get("error") and not values.get("code"):
        reason = values.get("error_description") or values["error"]
        if values["error"] == "access_denied":
            reason = "the shop owner declined"
        return _refused(400, f"Access was not granted in Etsy ({reason}). Nothing changed. {START_AGAIN}")
    if not platforms.settings.etsy_keystring:
        return _refused(404, "Etsy shops are not connected here (PRINTBRIDGE_ETSY_KEYSTRING is unset).")
    state, code = values.get("state", ""), values.get("code", "")
    if not state or not code:
        return _refused(400, "This link lacks the state or the code. Nothing changed.")
    claimed = await _claim(db, platforms, state)
    if isinstance(claimed, CallbackResult):
        return claimed

    context = platforms.context()
    context.save_credentials = _stored_with_the_store
    client = connector.client(context)
    try:
        await client.exchange_code(code, str(claimed.flow.get("code_verifier", "")))
        shop = await connector.find_shop(client)
    except TokenRefused as refused:
        log.warning("etsy_code_refused", detail=str(refused))
        return _refused(400, f"Etsy refused the grant ({refused}). {START_AGAIN}")
    except (PlatformProblem, PlatformUnavailable, EtsyError) as failure:
        log.warning("etsy_code_exchange_failed", detail=str(failure))
        return _refused(502, f"Etsy could not be reached to finish ({failure}). {START_AGAIN}")
    if shop is None:
        return _refused(400, "The Etsy account that granted access has no shop. Nothing changed.")
    shop_id, shop_name = str(shop["shop_id"]), str(shop.get("shop_name") or shop["shop_id"])
    if claimed.reconnect and shop_id != claimed.shop_key:
        return _refused(
            400,
            f"Access was granted for another Etsy shop ({shop_name}) than this store's; sign in to Etsy as "
            "the owner of the store's shop. Nothing changed.",
        )

    async with db.session() as session:
        store = await session.get(Store, claimed.store_id)
        if store is None or store.status == StoreStatus.disconnected:
            return _refused(409, "This store was disconnected meanwhile; connect the shop as a new store.")
        if store.status == StoreStatus.pending:
            other = await StoreRepository(session).live_for_shop(Platform.etsy, shop_id)
            if other is not None and other.id != store.id:
                return _refused(409, f"The Etsy shop {shop_name} is connected already (store {other.id}).")
            try:
                async with session.begin_nested():
                    store.shop_key = shop_id
                    if not claimed.flow.get("named"):
                        store.name, store.name_key = shop_name, shop_name.lower()
            except IntegrityError:
                return _refused(409, f"The Etsy shop {shop_name} was connected meanwhile as another store.")
        connection = Connection(
            shop_key=shop_id,
            name=store.name,
            status=StoreStatus.connected,
            credentials=client.credentials,
            granted_scopes=" ".join(platforms.settings.etsy_scopes.split()),
        )
        await stores.complete_connect(session, outbox, platforms.box, store, connection)
        status = store.status

    log.info("etsy_connected", shop_id=shop_id, store_id=str(claimed.store_id), status=status)
    return CallbackResult(
        200,
        "Store connected",
        f"The Etsy shop {shop_name} is connected to Printbridge; its paid orders now arrive.",
        redirect_to=_with_result(claimed.return_url, claimed.store_id, status),
    )
