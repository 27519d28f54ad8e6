"""A person's actions on an order before production (docs/orders-lifecycle.md): operators, and a
customer's admin and order manager (`orders:manage`); viewers get 403, store managers too."""

import uuid

from fastapi import APIRouter

from orders.deps import OrdersManager, OutboxDep, SessionDep
from orders.lifecycle import service
from orders.lifecycle.schemas import CancelIn, HoldIn, OrderPatch
from orders.order import service as orders
from orders.order.schemas import Order

router = APIRouter(tags=["orders"])


@router.post("/v1/orders/{order_id}/hold", response_model=Order)
async def hold_order(
    order_id: uuid.UUID, body: HoldIn, session: SessionDep, outbox: OutboxDep, principal: OrdersManager
) -> Order:
    """Puts an order not yet in production on hold, with the reason; only a release lifts it."""
    return orders.to_read(await service.hold(session, outbox, principal, order_id, body.reason))


@router.post("/v1/orders/{order_id}/release", response_model=Order)
async def release_order(
    order_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: OrdersManager
) -> Order:
    """Lifts a hold by hand (and production's refusal of an item) and resolves the order again: it is
    routed, or stays on hold with the reasons that remain."""
    return orders.to_read(await service.release(session, outbox, principal, order_id))


@router.post("/v1/orders/{order_id}/cancel", response_model=Order)
async def cancel_order(
    order_id: uuid.UUID, body: CancelIn, session: SessionDep, outbox: OutboxDep, principal: OrdersManager
) -> Order:
    """Cancels an order not yet in production (409 once production has it: ask the producer)."""
    return orders.to_read(await service.cancel(session, outbox, principal, order_id, body.reason))


@router.patch("/v1/orders/{order_id}", response_model=Order)
async def correct_order(
    order_id: uuid.UUID, body: OrderPatch, session: SessionDep, outbox: OutboxDep, principal: OrdersManager
) -> Order:
    """Corrects the shipping address of an order not yet in production; the order is resolved again
    (an `address_invalid` hold is released)."""
    return orders.to_read(await service.correct(session, outbox, principal, order_id, body))
