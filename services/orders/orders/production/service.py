"""The production API: what production works on, claiming an order, reporting its steps (per order or
per item, with tracking) and refusing an item it cannot make (docs/production-api.md)."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.fulfilment import service as fulfilment
from orders.models import Order, OrderStatus
from orders.order.exceptions import OrderNotFound
from orders.production.exceptions import AlreadyClaimed, NoSuchItem, TrackingNeedsShipment
from orders.production.repository import ProductionRepository
from orders.production.schemas import ProductionOrder, ProductionOrderPage, RejectIn, StatusIn
from orders.resolution.holds import HoldCode
from orders.resolution.repository import ResolutionRepository
from orders.status import service as status
from orders.testorders.exceptions import TestOrderNotClaimable
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import utcnow
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_time_position, encode_position


def to_read(order: Order) -> ProductionOrder:
    return ProductionOrder.model_validate(
        {
            **{name: getattr(order, name) for name in ProductionOrder.model_fields if hasattr(order, name)},
            "items": [
                {
                    "position": line.position,
                    "external_id": line.external_id,
                    "sku": line.sku,
                    "title": line.title,
                    "quantity": line.quantity,
                    "status": line.item_status,
                    "item": line.item,
                }
                for line in order.lines
            ],
        }
    )


async def list_orders(
    session: AsyncSession,
    *,
    status_filter: OrderStatus | None,
    line_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> ProductionOrderPage:
    rows = await ProductionRepository(session).list(
        status=status_filter, line_id=line_id, after=decode_time_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = None
    if len(rows) > limit and items[-1].status_changed_at is not None:
        next_cursor = encode_position(items[-1].status_changed_at.isoformat(), items[-1].id)
    return ProductionOrderPage(items=[to_read(order) for order in items], next_cursor=next_cursor)


async def get(session: AsyncSession, order_id: uuid.UUID) -> Order:
    order = await ProductionRepository(session).get(order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order


async def _locked(session: AsyncSession, order_id: uuid.UUID) -> Order:
    """The order, locked for a production step; a test order is refused (it is never produced)."""
    found = await ResolutionRepository(session).lock_orders([order_id])
    if not found:
        raise OrderNotFound(order_id)
    if found[0].test:
        raise TestOrderNotClaimable(order_id)
    return found[0]


async def claim(session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID) -> Order:
    order = await _locked(session, order_id)
    if order.status != OrderStatus.routed:
        raise AlreadyClaimed(order_id, OrderStatus(order.status))
    actor = status.actor_of(principal)
    await status.move(
        session, outbox, order, OrderStatus.accepted, actor=actor, message=f"claimed by {actor}"
    )
    return order


def _check_positions(order: Order, field: str, positions: list[int]) -> None:
    count = len(order.lines)
    for index, position in enumerate(positions):
        if position >= count:
            raise NoSuchItem(field, index, position, count)


async def report(
    session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID, body: StatusIn
) -> Order:
    order = await _locked(session, order_id)
    if body.items is not None:
        _check_positions(order, "items", body.items)
    if body.tracking is not None and body.status not in (OrderStatus.shipped, OrderStatus.in_transit):
        raise TrackingNeedsShipment(body.status)
    now = utcnow()
    message = f"{body.status.value}" + (f": {body.message}" if body.message else "")
    parcel: dict[str, Any] | None = None
    if body.tracking is not None:
        parcel = {
            **body.tracking.model_dump(mode="json"),
            "positions": body.items if body.items is not None else [line.position for line in order.lines],
            "at": now.isoformat(),
        }
        order.tracking = [*order.tracking, parcel]
        message += f" (tracking {body.tracking.number}" + (
            f", {body.tracking.company})" if body.tracking.company else ")"
        )
    if body.status == OrderStatus.cancelled:
        order.cancelled_at = order.cancelled_at or now
    await status.move(
        session,
        outbox,
        order,
        body.status,
        actor=status.actor_of(principal),
        message=message,
        positions=body.items,
        now=now,
    )
    if parcel is not None:
        await fulfilment.ask_shop(session, outbox, order, parcel, now=now)
    return order


async def reject(
    session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID, body: RejectIn
) -> Order:
    """Production cannot make these items as they are: the order goes on hold with `cannot_produce` for
    each, for the customer to change the item (which releases it) or someone to release it by hand."""
    order = await _locked(session, order_id)
    _check_positions(order, "items", body.items)
    status.check_move(order, OrderStatus.on_hold)
    now = utcnow()
    by_position = {line.position: line for line in order.lines}
    reasons = []
    for position in body.items:
        line = by_position[position]
        line.rejection = {"message": body.message, "at": now.isoformat(), "item": line.item}
        reasons.append(
            {
                "code": HoldCode.cannot_produce.value,
                "position": position,
                "message": f"production cannot produce item {position}: {body.message}",
                "fix": "change what the item is made of (its mapping, template or files) or talk to the "
                "producer; the order is released when the item changes or when it is released by hand",
            }
        )
    order.hold_reasons = reasons
    order.production_line_id = order.routing_rule_id = None
    actor = status.actor_of(principal)
    positions = ", ".join(str(position) for position in body.items)
    await status.move(
        session,
        outbox,
        order,
        OrderStatus.on_hold,
        actor=actor,
        message=f"items {positions} refused: {body.message}",
        now=now,
    )
    return order
