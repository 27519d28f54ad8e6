"""What a person does to an order before production: hold it, release it, correct its address, cancel
it. Each goes through resolution and the status machine, so the history says who did it."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orders.lifecycle.exceptions import OrderInProduction, OrderNotOnHold
from orders.lifecycle.schemas import OrderPatch
from orders.models import Order, OrderEventKind, OrderStatus
from orders.order import service as orders
from orders.resolution import service as resolution
from orders.resolution.repository import ResolutionRepository
from orders.status import machine
from orders.status import service as status
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import utcnow
from printbridge_shared.events.outbox import Outbox


async def _locked(session: AsyncSession, scope: Scope, order_id: uuid.UUID, action: str) -> Order:
    """The order (404 outside the caller's scope), locked, with its lines; refused once in production."""
    await orders.get(session, scope, order_id)
    (order,) = await ResolutionRepository(session).lock_orders([order_id])
    if order.status not in machine.BEFORE_PRODUCTION:
        raise OrderInProduction(order_id, OrderStatus(order.status), action)
    return order


async def hold(
    session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID, reason: str
) -> Order:
    order = await _locked(session, Scope.of(principal), order_id, "put on hold")
    actor = status.actor_of(principal)
    order.manual_hold = {"reason": reason, "by": actor, "at": utcnow().isoformat()}
    order.production_line_id = order.routing_rule_id = None
    await resolution.resolve(
        session, outbox, [order_id], cause="put on hold by hand", actor=actor, include_routed=True
    )
    return await orders.get(session, Scope.of(principal), order_id)


async def release(session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID) -> Order:
    """Lifts a hold put on by hand and a refusal by production; the order is resolved again, so causes
    that remain (an unmapped item, a failing file) keep it on hold."""
    order = await _locked(session, Scope.of(principal), order_id, "released")
    if order.status != OrderStatus.on_hold:
        raise OrderNotOnHold(order_id, OrderStatus(order.status))
    order.manual_hold = None
    for line in order.lines:
        line.rejection = None
    await resolution.resolve(
        session, outbox, [order_id], cause="released by hand", actor=status.actor_of(principal)
    )
    return await orders.get(session, Scope.of(principal), order_id)


async def cancel(
    session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID, reason: str
) -> Order:
    order = await _locked(session, Scope.of(principal), order_id, "cancelled")
    order.cancelled_at, order.cancel_reason = utcnow(), reason
    actor = status.actor_of(principal)
    await status.move(
        session, outbox, order, OrderStatus.cancelled, actor=actor, message=f"cancelled: {reason}"
    )
    return await orders.get(session, Scope.of(principal), order_id)


async def correct(
    session: AsyncSession, outbox: Outbox, principal: Principal, order_id: uuid.UUID, patch: OrderPatch
) -> Order:
    order = await _locked(session, Scope.of(principal), order_id, "changed")
    address = patch.shipping_address.model_dump(mode="json")
    if address == order.shipping_address:
        return await orders.get(session, Scope.of(principal), order_id)
    order.shipping_address = address
    actor = status.actor_of(principal)
    await orders.note(
        session, order.id, OrderEventKind.address_corrected, f"shipping address corrected by {actor}"
    )
    await resolution.resolve_again(
        session, outbox, [order_id], cause=f"address corrected by {actor}", actor=actor
    )
    return await orders.get(session, Scope.of(principal), order_id)
