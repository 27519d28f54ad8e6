"""Orders: taken in from the shop-order events connectors publishes (exactly once per store and
external id, the newest version kept, a cancellation winning), and read by the API in the caller's
scope."""

import dataclasses
import datetime as dt
import re
import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.fulfilment import service as fulfilment
from orders.models import Order, OrderEvent, OrderEventKind, OrderLine, OrderStatus
from orders.order.exceptions import OrderNotFound, StoreNotFound
from orders.order.repository import OrderFilters, OrderRepository
from orders.order.schemas import Order as OrderRead
from orders.order.schemas import OrderPage, OrderSummary
from orders.resolution import service as resolution
from orders.status import machine
from orders.store.repository import StoreRepository
from orders.testorders import shop_runs
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.events.consumer import UnprocessableEvent
from printbridge_shared.events.contracts import (
    ShopOrderCancelled,
    ShopOrderLine,
    ShopOrderReceived,
    ShopOrderUpdated,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import (
    decode_time_position,
    encode_position,
)

log = structlog.get_logger(__name__)

ShopOrderVersion = ShopOrderReceived | ShopOrderUpdated | ShopOrderCancelled

# The longest text each bounded column holds; a longer one can never be stored, so its event is
# dead-lettered at once instead of failing on every retry.
_ID_LENGTH = 255
_LIMITS = {"external_number": _ID_LENGTH, "currency": 16, "email": 320, "financial_status": 64}
_LINE_LIMITS = {
    "external_id": _ID_LENGTH,
    "external_product_id": _ID_LENGTH,
    "external_variant_id": _ID_LENGTH,
    "sku": _ID_LENGTH,
}
_MAX_QUANTITY = 2**31 - 1
# What no database stores: NUL (PostgreSQL's text) and lone surrogates (no encoding at all).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _check_storable(data: ShopOrderVersion) -> None:
    """Refuses, for good, a version that cannot be stored: an id or a bounded field too long, an id with
    characters no database stores, a quantity out of range."""
    problems = []
    if not 0 < len(data.external_id) <= _ID_LENGTH:
        problems.append(f"external_id must have 1 to {_ID_LENGTH} characters")
    ids = [("external_id", data.external_id)] + [
        (f"line_items[{position}].{name}", getattr(line, name))
        for position, line in enumerate(data.line_items)
        for name in _LINE_LIMITS
    ]
    problems += [
        f"{name} contains a NUL or a lone surrogate"
        for name, value in ids
        if value and _UNSTORABLE.search(value)
    ]
    for name, limit in _LIMITS.items():
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            problems.append(f"{name} longer than {limit} characters")
    for position, line in enumerate(data.line_items):
        for name, limit in _LINE_LIMITS.items():
            value = getattr(line, name)
            if value is not None and len(value) > limit:
                problems.append(f"line_items[{position}].{name} longer than {limit} characters")
        if not 0 <= line.quantity <= _MAX_QUANTITY:
            problems.append(f"line_items[{position}].quantity out of range")
    if problems:
        raise UnprocessableEvent(f"order {data.external_id[:_ID_LENGTH]!r}: " + "; ".join(problems))


def _storable_text(data: ShopOrderVersion) -> ShopOrderVersion:
    """The version with each NUL or lone surrogate in its free text (a note, a title, an address)
    replaced by U+FFFD: the order is worth more than the character (ids with them are refused)."""
    dumped = data.model_dump()
    cleaned = _cleaned(dumped)
    return data if cleaned == dumped else type(data).model_validate(cleaned)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


def _details(data: ShopOrderVersion) -> dict[str, Any]:
    """The columns a newer version replaces."""
    return {
        "external_number": data.external_number,
        "currency": data.currency,
        "total_price": data.total_price,
        "subtotal_price": data.subtotal_price,
        "total_tax": data.total_tax,
        "shipping_price": data.shipping_price,
        "email": data.email,
        "financial_status": data.financial_status,
        "test": data.test,
        "note": data.note,
        "shipping_address": _address(data.shipping_address),
        "billing_address": _address(data.billing_address),
        "placed_at": data.placed_at,
        "source_updated_at": data.source_updated_at,
        "source_revision": data.revision,
    }


def _address(address: Any) -> dict[str, Any] | None:
    return None if address is None else address.model_dump(mode="json")


def _lines(order_id: uuid.UUID, lines: tuple[ShopOrderLine, ...]) -> list[OrderLine]:
    return [
        OrderLine(
            id=uuid.uuid4(),
            order_id=order_id,
            position=position,
            external_id=line.external_id,
            external_product_id=line.external_product_id,
            external_variant_id=line.external_variant_id,
            sku=line.sku,
            title=line.title,
            variant_title=line.variant_title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            properties=[p.model_dump(mode="json") for p in line.properties],
        )
        for position, line in enumerate(lines)
    ]


def _cancellation(data: ShopOrderVersion) -> tuple[dt.datetime, str | None] | None:
    """When and why this version says the order was cancelled; None when it does not. A
    `shop_order.cancelled` is a cancellation (deleted in the shop: at its `source_updated_at`), and so
    is any version that carries a `cancelled_at`."""
    if isinstance(data, ShopOrderCancelled):
        return data.cancelled_at or data.source_updated_at, data.cancel_reason
    if data.cancelled_at is not None:
        return data.cancelled_at, None
    return None


async def _check_store_owner(session: AsyncSession, data: ShopOrderVersion) -> None:
    store = await StoreRepository(session).get(data.store_id)
    if store is not None and store.customer_id != data.customer_id:
        raise UnprocessableEvent(
            f"order {data.external_id!r} names customer {data.customer_id}, but store {data.store_id} "
            f"belongs to customer {store.customer_id}"
        )


async def take_in(
    session: AsyncSession, outbox: Outbox, data: ShopOrderVersion, *, event_id: uuid.UUID
) -> OrderEventKind:
    """Applies one version of a shop order and notes in the order's history what became of it; returns
    that (`received`, `updated`, `cancelled`, `ignored_stale`, `ignored_same_version`).

    The first version of an order creates it, whatever event brought it. Later ones replace its details
    only when their `source_updated_at` is later than the one held; an older or equal version changes
    nothing but the history. A cancellation always wins: it cancels the order even when its details are
    older than the ones held, and no later version takes the cancellation back — unless the order has
    gone to production: then the cancellation is flagged for production to decide, and its lines stay
    as they are produced. A new order, or a newer version of one not yet in production, is resolved
    (orders/resolution/)."""
    _check_storable(data)
    data = _storable_text(data)
    await _check_store_owner(session, data)
    repository = OrderRepository(session)
    now = utcnow()
    cancellation = _cancellation(data)
    via = data.event_type
    created = await repository.insert_if_absent(
        {
            "id": uuid.uuid4(),
            "store_id": data.store_id,
            "customer_id": data.customer_id,
            "platform": data.platform,
            "external_id": data.external_id,
            **_details(data),
            "status": OrderStatus.cancelled if cancellation else OrderStatus.received,
            "cancelled_at": cancellation[0] if cancellation else None,
            "cancel_reason": cancellation[1] if cancellation else None,
            "created_at": now,
            "updated_at": now,
        }
    )
    if created is not None:
        await repository.add_lines(_lines(created, data.line_items))
        outcomes = [(OrderEventKind.received, f"first seen through {via}")]
        if cancellation:
            outcomes.append((OrderEventKind.cancelled, _cancelled_detail(cancellation)))
        for kind, detail in outcomes:
            await _note(repository, created, kind, detail, event_id=event_id, data=data, now=now)
        log.info("order_received", order_id=str(created), external_id=data.external_id, via=via)
        if data.test:
            shop_runs.start(
                session,
                order_id=created,
                store_id=data.store_id,
                customer_id=data.customer_id,
                platform=data.platform,
                now=now,
            )
        await resolution.arrived(session, outbox, [created], cause=f"received through {via}")
        if data.test and not cancellation:
            await fulfilment.check_shop(session, outbox, created, probe=False, now=now)
        return outcomes[-1][0]

    order = await repository.lock(data.store_id, data.external_id)
    if order.customer_id != data.customer_id:
        raise UnprocessableEvent(
            f"order {data.external_id!r} of store {data.store_id} belongs to customer {order.customer_id}, "
            f"not {data.customer_id}"
        )
    kind, detail = await _apply_version(repository, order, data, cancellation)
    if kind in (OrderEventKind.updated, OrderEventKind.cancelled, OrderEventKind.cancel_flagged):
        order.updated_at = now
    await _note(repository, order.id, kind, detail, event_id=event_id, data=data, now=now)
    log.info("order_version_taken_in", order_id=str(order.id), outcome=kind.value, via=via)
    if kind == OrderEventKind.cancelled:
        await resolution.cancel(session, outbox, order.id, message=detail)
    elif kind == OrderEventKind.cancel_flagged:
        await resolution.flag_cancellation(session, outbox, order.id, message=detail)
    elif kind == OrderEventKind.updated and order.status in machine.BEFORE_PRODUCTION:
        await resolution.resolve_again(
            session, outbox, [order.id], cause="a newer version came from the shop"
        )
    return kind


async def _apply_version(
    repository: OrderRepository,
    order: Order,
    data: ShopOrderVersion,
    cancellation: tuple[dt.datetime, str | None] | None,
) -> tuple[OrderEventKind, str]:
    """Applies a version of an order held (locked) and says what became of it, for its history."""
    held, version = order.source_updated_at.isoformat(), data.source_updated_at.isoformat()
    newer = data.source_updated_at > order.source_updated_at or (
        data.source_updated_at == order.source_updated_at and data.revision > order.source_revision
    )
    in_production = order.status not in machine.BEFORE_PRODUCTION and order.status != OrderStatus.cancelled
    if newer:
        for name, value in _details(data).items():
            setattr(order, name, value)
        if not in_production:
            await repository.replace_lines(order.id, _lines(order.id, data.line_items))
    kept = (
        f"; it is {order.status} in production, so its line items stay as produced" if in_production else ""
    )
    if cancellation and order.status != OrderStatus.cancelled and order.cancel_requested_at is None:
        order.cancelled_at, order.cancel_reason = cancellation
        details = (
            f"its details, of {version}, replace those of {held}"
            if newer
            else f"its details, of {version}, are older than those held, of {held}, which stay"
        )
        if in_production:
            order.cancel_requested_at = utcnow()
            return OrderEventKind.cancel_flagged, (
                f"{_cancelled_detail(cancellation)} ({details}), after it went to production "
                f"({order.status}): production decides whether it can still be stopped"
            )
        return OrderEventKind.cancelled, f"{_cancelled_detail(cancellation)} ({details})"
    if newer:
        detail = f"{data.event_type}: the version of {version} replaces that of {held}{kept}"
        if cancellation:
            order.cancelled_at = cancellation[0]
            order.cancel_reason = cancellation[1] or order.cancel_reason
        elif order.status == OrderStatus.cancelled:
            detail += "; the order stays cancelled"
        return OrderEventKind.updated, detail
    if (data.source_updated_at, data.revision) < (order.source_updated_at, order.source_revision):
        return OrderEventKind.ignored_stale, (
            f"{data.event_type}: the version of {version} is older than the one held, of {held}; "
            "nothing changed"
        )
    return OrderEventKind.ignored_same_version, (
        f"{data.event_type}: the version of {version} is the one held; nothing changed"
    )


def _cancelled_detail(cancellation: tuple[dt.datetime, str | None]) -> str:
    at, reason = cancellation
    return f"cancelled in the shop at {at.isoformat()}" + (f": {reason}" if reason else "")


async def _note(
    repository: OrderRepository,
    order_id: uuid.UUID,
    kind: OrderEventKind,
    detail: str,
    *,
    event_id: uuid.UUID,
    data: ShopOrderVersion,
    now: dt.datetime,
) -> None:
    await repository.add_history(
        OrderEvent(
            id=uuid.uuid4(),
            order_id=order_id,
            at=now,
            sequence=await repository.next_sequence(order_id),
            kind=kind,
            detail=detail,
            source_event_id=event_id,
            source_updated_at=data.source_updated_at,
        )
    )


async def note(session: AsyncSession, order_id: uuid.UUID, kind: OrderEventKind, detail: str) -> None:
    """An entry in the order's history that is not a status move (e.g. an address corrected)."""
    repository = OrderRepository(session)
    await repository.add_history(
        OrderEvent(
            id=uuid.uuid4(),
            order_id=order_id,
            at=utcnow(),
            sequence=await repository.next_sequence(order_id),
            kind=kind,
            detail=detail,
        )
    )


def to_summary(order: Order) -> OrderSummary:
    return OrderSummary.model_validate(order)


def to_read(order: Order) -> OrderRead:
    return OrderRead.model_validate(
        {
            **OrderSummary.model_validate(order).model_dump(),
            "email": order.email,
            "financial_status": order.financial_status,
            "note": order.note,
            "subtotal_price": order.subtotal_price,
            "total_tax": order.total_tax,
            "shipping_price": order.shipping_price,
            "shipping_address": order.shipping_address,
            "billing_address": order.billing_address,
            "source_updated_at": order.source_updated_at,
            "cancelled_at": order.cancelled_at,
            "cancel_reason": order.cancel_reason,
            "created_at": order.created_at,
            "line_items": order.lines,
            "hold_reasons": order.hold_reasons,
            "tracking": order.tracking,
            "cancel_requested_at": order.cancel_requested_at,
            "shop_fulfillment": fulfilment.summary(order),
            "status_changed_at": order.status_changed_at,
            "version": order.version,
            "history": order.history,
        }
    )


async def list_orders(
    session: AsyncSession, scope: Scope, filters: OrderFilters, *, cursor: str | None, limit: int
) -> OrderPage:
    rows = await OrderRepository(session).list(
        scope, filters, before=decode_time_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].placed_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return OrderPage(items=[to_summary(order) for order in items], next_cursor=next_cursor)


async def list_store_orders(
    session: AsyncSession,
    scope: Scope,
    store_id: uuid.UUID,
    filters: OrderFilters,
    *,
    cursor: str | None,
    limit: int,
) -> OrderPage:
    """The orders of one store; 404 when the caller knows no such store (neither from connectors nor
    from an order of it it may see)."""
    store = await StoreRepository(session).get(store_id)
    known = store is not None and scope.sees_store(store.customer_id, store_id)
    if not known and not await OrderRepository(session).has_orders_of_store(scope, store_id):
        raise StoreNotFound(store_id)
    filters = dataclasses.replace(filters, store_id=store_id)
    return await list_orders(session, scope, filters, cursor=cursor, limit=limit)


async def get(session: AsyncSession, scope: Scope, order_id: uuid.UUID) -> Order:
    order = await OrderRepository(session).get_with_details(scope, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order
