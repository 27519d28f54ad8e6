"""Moving an order's status: the one road every move takes — resolution, production, a person — so each
is checked against the machine (machine.py), written to the order's history with who made it, raises the
order's version and is published as `order.status_changed` in the same transaction."""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Order, OrderEvent, OrderEventKind, OrderLine, OrderStatus
from orders.order.repository import OrderRepository
from orders.postbacks import deliveries as postbacks
from orders.status import machine
from orders.status.exceptions import IllegalMove
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import OrderStatusChanged
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

SYSTEM = "system"


def actor_of(principal: Principal) -> str:
    """Who, in the order's history: an operator by login or API key, or a customer user by e-mail."""
    if principal.is_operator:
        if principal.api_key_id is not None:
            return f"operator API key {principal.api_key_id}"
        return f"operator {principal.email or principal.subject_id}"
    return f"user {principal.email or principal.subject_id}"


def check_move(order: Order, to: OrderStatus) -> None:
    current = OrderStatus(order.status)
    if not machine.allowed(current, to):
        raise IllegalMove(current, to, machine.ALLOWED[current], f"Order {order.id}")


async def move(
    session: AsyncSession,
    outbox: Outbox,
    order: Order,
    to: OrderStatus,
    *,
    actor: str,
    message: str,
    positions: Sequence[int] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Moves the order (its lines loaded) — or, with `positions`, those items, the order then standing
    where its least advanced live item stands. Raises IllegalMove for a move the machine does not allow
    (for the order, or for any item named)."""
    now = now or utcnow()
    previous = OrderStatus(order.status)
    if positions is None:
        check_move(order, to)
        for line in order.lines:
            if line.item_status not in (OrderStatus.cancelled, OrderStatus.failed) or to in (
                OrderStatus.received,
                OrderStatus.on_hold,
                OrderStatus.routed,
            ):
                line.item_status = to
        order.status = to
    else:
        by_position = {line.position: line for line in order.lines}
        for position in positions:
            line = by_position[position]
            current = OrderStatus(line.item_status)
            if not machine.allowed(current, to):
                raise IllegalMove(
                    current, to, machine.ALLOWED[current], f"Item {position} of order {order.id}"
                )
            line.item_status = to
        order.status = machine.order_status_of([OrderStatus(line.item_status) for line in order.lines])
    kind = OrderEventKind.status_changed if order.status != previous else OrderEventKind.items_changed
    await record(session, outbox, order, previous=previous, actor=actor, message=message, kind=kind, now=now)


async def record(
    session: AsyncSession,
    outbox: Outbox,
    order: Order,
    *,
    previous: OrderStatus | None,
    actor: str,
    message: str,
    kind: OrderEventKind | None = OrderEventKind.status_changed,
    now: dt.datetime | None = None,
    source_event_id: uuid.UUID | None = None,
) -> None:
    """Notes the order's status as it now is in its history (as `kind`; None: the caller noted it
    already) and publishes it (version raised); a new status also goes to the postback endpoints that
    take it (a delivery each, in this transaction)."""
    now = now or utcnow()
    order.version = (order.version or 0) + 1
    order.updated_at = now
    if previous != order.status:
        order.status_changed_at = now
    if kind is not None:
        repository = OrderRepository(session)
        await repository.add_history(
            OrderEvent(
                id=uuid.uuid4(),
                order_id=order.id,
                at=now,
                sequence=await repository.next_sequence(order.id),
                kind=kind,
                detail=message,
                source_event_id=source_event_id,
                source_updated_at=None,
                status=order.status,
                actor=actor,
            )
        )
    change = snapshot(order, previous=previous, actor=actor, message=message, now=now)
    await outbox.record(
        session, change, customer_id=order.customer_id, aggregate_id=order.id, aggregate_version=order.version
    )
    if previous != order.status:
        await postbacks.record_status_change(session, change, version=order.version, now=now)
    log.info(
        "order_status", order_id=str(order.id), status=str(order.status), previous=str(previous), actor=actor
    )


def snapshot(
    order: Order, *, previous: OrderStatus | None, actor: str, message: str | None, now: dt.datetime
) -> OrderStatusChanged:
    return OrderStatusChanged(
        order_id=order.id,
        store_id=order.store_id,
        customer_id=order.customer_id,
        platform=order.platform,
        external_id=order.external_id,
        external_number=order.external_number,
        test=order.test,
        status=order.status,
        previous_status=previous,
        items=tuple(_items(order.lines)),
        hold_reasons=tuple(order.hold_reasons or ()),
        production_line_id=order.production_line_id,
        tracking=tuple(order.tracking or ()),
        message=message,
        actor=actor,
        changed_at=now,
    )


def _items(lines: Iterable[OrderLine]) -> Iterable[dict[str, Any]]:
    for line in lines:
        yield {
            "position": line.position,
            "external_id": line.external_id,
            "sku": line.sku,
            "quantity": line.quantity,
            "status": line.item_status,
            "product_uid": (line.item or {}).get("product_uid"),
        }
