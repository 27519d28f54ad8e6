"""Etsy's webhook notices (`order.paid`, …), once their signature is verified. A notice carries no
receipt, only the shop and the receipt's address: it is kept once (its `webhook-id`), and a job fetches
that receipt now through the same intake as the poll (which stays the source of truth)."""

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.store import service as stores
from connectors.store.repository import StoreRepository
from printbridge_shared.events.contracts import Platform, StoreStatus

log = structlog.get_logger(__name__)

FETCHING, DUPLICATE, NOT_CONNECTED = "fetching", "duplicate", "not_connected"
RECEIPT_IN_URL = re.compile(r"/receipts/(\d+)(?:[/?#]|$)")


class NoticeUnreadable(ValueError):
    """A body that is not an Etsy notice (JSON with a shop_id)."""


@dataclass(frozen=True)
class Notice:
    event_type: str
    shop_id: str
    receipt_id: str | None


def _digits(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        return None
    return str(value)


def read_notice(body: bytes) -> Notice:
    """The flat shape Etsy sends (`event_type`, `shop_id`, `resource_url` ending in the receipt id),
    also the nested `data` of Etsy's first documentation, which etsy/open-api#1564 calls outdated."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NoticeUnreadable("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise NoticeUnreadable("the body is not a JSON object")
    nested = payload.get("data")
    data: dict[str, Any] = nested if isinstance(nested, dict) else {}
    shop_id = _digits(payload.get("shop_id")) or _digits(data.get("shop_id"))
    if shop_id is None:
        raise NoticeUnreadable("the notice names no shop_id")
    receipt_id = _digits(payload.get("receipt_id")) or _digits(data.get("receipt_id"))
    resource = payload.get("resource_url") or data.get("resource_url")
    if receipt_id is None and isinstance(resource, str):
        found = RECEIPT_IN_URL.search(resource)
        receipt_id = found.group(1) if found else None
    event_type = str(payload.get("event_type") or payload.get("type") or "unknown")[:100]
    return Notice(event_type, shop_id, receipt_id)


async def receive(
    session: AsyncSession, notice: Notice, msg_id: str, headers: dict[str, str], body: bytes
) -> str:
    """Kept once per `webhook-id`, then the receipt fetched by a job (the shop polled soon when the notice
    names no receipt). A shop no live store has is answered without keeping anything: Etsy would only
    retry (the app's endpoint serves every shop that ever granted access), and a store connected later
    finds its orders by polling."""
    found = await StoreRepository(session).latest_ref_for_shop(Platform.etsy, notice.shop_id)
    if found is None or found[1] in (StoreStatus.disconnected, StoreStatus.pending):
        log.info("etsy_notice_for_unknown_shop", shop_id=notice.shop_id, event_type=notice.event_type)
        return NOT_CONNECTED
    store, _status = found
    kept: uuid.UUID | None = await intake.keep_delivery(
        session, store.id, Platform.etsy, notice.event_type, f"webhook:{msg_id}", headers, body
    )
    if kept is None:
        return DUPLICATE
    if notice.receipt_id is not None:
        await intake.enqueue_refetch(session, store, notice.receipt_id)
    else:
        await stores.enqueue_reconcile(session, store.id)
    return FETCHING
