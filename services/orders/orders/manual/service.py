"""Manual orders: placed by a customer into its manual store (by API or by CSV import) rather than taken
in from a shop. They become orders like any shop's, listed and read by the same API.

`build_order` is pure (no database): the single-order API and the CSV import both build their rows with
it, so an order reads the same whichever way it came."""

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.manual.exceptions import (
    IdempotencyKeyBusy,
    IdempotencyKeyReused,
    PlainHttpFile,
    ReferenceTaken,
    StoreDisconnected,
    StoreNotManual,
)
from orders.manual.repository import ManualOrderRepository
from orders.manual.schemas import ManualAddress, ManualLineIn, ManualOrderIn, plain_http_files
from orders.models import IdempotencyKey, OrderEventKind, OrderStatus, Store
from orders.order import service as orders
from orders.order.exceptions import StoreNotFound
from orders.resolution import service as resolution
from orders.store.repository import StoreRepository
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)
"""How long a key repeats its answer; after that the key is forgotten and may place a new order."""


@dataclass(frozen=True)
class Placed:
    """The answer to a placed order: its body (the order as `GET /v1/orders/{id}` shows it) and whether
    it is the stored answer to an earlier request with the same Idempotency-Key."""

    order: dict[str, Any]
    replayed: bool = False

    @property
    def order_id(self) -> str:
        return str(self.order["id"])


async def create_order(
    session: AsyncSession,
    outbox: Outbox,
    scope: Scope,
    store_id: uuid.UUID,
    data: ManualOrderIn,
    *,
    idempotency_key: str | None,
    allow_private: bool,
) -> Placed:
    """Places one order into the caller's manual store. With an `idempotency_key`, the first request
    places the order and keeps its answer; a repeat of the same request (the same body) gets that answer
    again, even while the first is still being written (it waits for it); another body with the same
    key is refused. Without a key every request places an order (a `reference` still stops doubles)."""
    store = await StoreRepository(session).get(store_id)
    if store is None or not scope.sees_store(store.customer_id, store.store_id):
        raise StoreNotFound(store_id)
    if not allow_private and (plain := plain_http_files(data)):
        raise PlainHttpFile(plain)
    repository = ManualOrderRepository(session)
    now = utcnow()
    order_id = uuid.uuid4()
    if idempotency_key is not None:
        request_hash = _fingerprint(data)
        await repository.forget_idempotency_keys(store_id, created_before=now - IDEMPOTENCY_KEY_LIFETIME)
        held = await repository.idempotency_key(store_id, idempotency_key)
        if held is not None:  # placed before: its answer stands, even if the store was disconnected since
            return _replay(held, request_hash)
    ensure_accepts_orders(store)
    if idempotency_key is not None and not await repository.claim_idempotency_key(
        {
            "store_id": store_id,
            "key": idempotency_key,
            "request_hash": request_hash,
            "order_id": order_id,
            "response": None,
            "created_at": now,
        }
    ):
        # Another request claimed the key meanwhile and was waited for: its answer is the answer.
        held = await repository.idempotency_key(store_id, idempotency_key)
        if held is None:
            raise IdempotencyKeyBusy()
        return _replay(held, request_hash)
    order, lines, history = build_order(store, data, now=now, source="the API", order_id=order_id)
    if not await repository.insert(order, lines, history):
        taken_by = await repository.order_id_of(store_id, order["external_id"])
        raise ReferenceTaken(order["external_id"], taken_by)
    await resolution.arrived(session, outbox, [order_id], cause="placed through the API")
    body = orders.to_read(await orders.get(session, scope, order_id)).model_dump(mode="json")
    if idempotency_key is not None:
        await repository.keep_response(store_id, idempotency_key, body)
    log.info("manual_order_placed", order_id=str(order_id), store_id=str(store_id), lines=len(lines))
    return Placed(order=body)


def _fingerprint(data: ManualOrderIn) -> str:
    """The request as validated (so key order, spacing and omitted defaults do not make it another)."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(held: IdempotencyKey, request_hash: str) -> Placed:
    if held.request_hash != request_hash:
        raise IdempotencyKeyReused()
    if held.response is None:
        raise IdempotencyKeyBusy()
    return Placed(order=held.response, replayed=True)


def ensure_accepts_orders(store: Store) -> None:
    """Refuses a store orders cannot be placed into: a shop's store (its orders come from the shop), or a
    disconnected one. Whether the caller may see the store is the caller's check (404 before this)."""
    if store.platform != Platform.manual:
        raise StoreNotManual(store.store_id, store.platform)
    if store.status == StoreStatus.disconnected:
        raise StoreDisconnected(store.store_id)


def build_order(
    store: Store,
    data: ManualOrderIn,
    *,
    now: dt.datetime,
    source: str,
    order_id: uuid.UUID | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The rows of one manual order, as plain dicts ready for an insert (one or many): the order, its
    lines (positions from 0, in the order given) and its first history entry.

    `external_id` and `external_number` are the caller's `reference`, or the order's id without one.
    `source` says how the order came, for its history (`"the API"`, `"CSV import orders.csv, row 12"`).
    The total is the sum of the priced lines (a line without `unit_price` counts 0: the producer prices
    it). Checking the store (`ensure_accepts_orders`) and the reference's uniqueness is the caller's."""
    order_id = order_id or uuid.uuid4()
    external_id = data.reference or str(order_id)
    lines = [_line(order_id, position, line) for position, line in enumerate(data.line_items)]
    total = sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0))
    order = {
        "id": order_id,
        "store_id": store.store_id,
        "customer_id": store.customer_id,
        "platform": Platform.manual,
        "external_id": external_id,
        "external_number": external_id,
        "status": OrderStatus.received,
        "currency": data.currency,
        "total_price": total,
        "subtotal_price": total,
        "total_tax": None,
        "shipping_price": None,
        "email": data.email,
        "financial_status": None,
        "test": False,
        "note": data.note,
        "shipping_address": _address(data.shipping_address),
        "billing_address": _address(data.billing_address),
        "placed_at": now,
        "source_updated_at": now,
        "source_revision": 1,
        "cancelled_at": None,
        "cancel_reason": None,
        "created_at": now,
        "updated_at": now,
    }
    history = {
        "id": uuid.uuid4(),
        "order_id": order_id,
        "at": now,
        "sequence": 1,
        "kind": OrderEventKind.received,
        "detail": f"placed into manual store {store.name!r} through {source}",
        "source_event_id": None,
        "source_updated_at": None,
    }
    return order, lines, history


def _line(order_id: uuid.UUID, position: int, line: ManualLineIn) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "order_id": order_id,
        "position": position,
        # A line's own id in its order: its number, 1 for the first, as a person counts them.
        "external_id": str(position + 1),
        "external_product_id": None,
        "external_variant_id": None,
        "sku": line.sku,
        "title": line.title or _default_title(line),
        "variant_title": None,
        "quantity": line.quantity,
        "unit_price": line.unit_price if line.unit_price is not None else Decimal(0),
        "properties": [],
        "product_uid": line.product_uid,
        "template_id": line.template_id,
        "files": dict(line.files),
        "options": dict(line.options),
    }


def _default_title(line: ManualLineIn) -> str:
    if line.product_uid is not None:
        return line.product_uid
    if line.sku is not None:
        return f"SKU {line.sku}"
    return f"template {line.template_id}"


def _address(address: ManualAddress | None) -> dict[str, Any] | None:
    """Stored like a shop's address (`ShopAddress`'s fields), so the read side shows both alike."""
    return None if address is None else address.model_dump(mode="json")
