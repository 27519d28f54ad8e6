"""Resolution: an order that arrived becomes a production order — every line a production item through
the projections orders keeps of mapping's events, the order routed to a production line — or it goes on
hold with a reason per problem. It runs when an order arrives or changes, when a projection it depends on
changes, when its address is corrected and when a person releases it; a fixed cause releases the order
without anyone touching it (docs/orders-resolution.md)."""

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.files import service as files
from orders.models import Order, OrderStatus
from orders.resolution.address import address_holds
from orders.resolution.holds import Hold, HoldCode
from orders.resolution.items import Lookup, Resolution, resolve_line
from orders.resolution.repository import UNRESOLVED, ResolutionRepository
from orders.routing import service as routing
from orders.routing.matching import RoutingDecision
from orders.status import service as status
from printbridge_shared.db import utcnow
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)


async def resolve(
    session: AsyncSession,
    outbox: Outbox,
    order_ids: Collection[uuid.UUID],
    *,
    cause: str,
    actor: str = status.SYSTEM,
    include_routed: bool = False,
) -> None:
    """Resolves the orders not yet routed among `order_ids` (others keep what they were resolved to;
    `include_routed`: a routed one too, e.g. put on hold by hand). `cause` says why now, for the
    history."""
    if not order_ids:
        return
    statuses = (*UNRESOLVED, OrderStatus.routed) if include_routed else UNRESOLVED
    orders = await ResolutionRepository(session).lock_orders(order_ids)
    await _resolve_locked(
        session, outbox, [o for o in orders if o.status in statuses], cause=cause, actor=actor
    )


async def arrived(
    session: AsyncSession, outbox: Outbox, order_ids: Collection[uuid.UUID], *, cause: str
) -> None:
    """New orders: each one's first `order.status_changed` (received, or cancelled when it came
    cancelled), then resolution."""
    orders = await ResolutionRepository(session).lock_orders(order_ids)
    for order in orders:
        await status.record(
            session, outbox, order, previous=None, actor=status.SYSTEM, message=cause, kind=None
        )
    unresolved = [order for order in orders if order.status in UNRESOLVED]
    await _guarded(session, outbox, unresolved, cause=cause)


async def resolve_in_background(
    session: AsyncSession, outbox: Outbox, order_ids: Collection[uuid.UUID], *, cause: str
) -> None:
    """`resolve` for what no person waits on (a projection's change, a file's check): a resolution that
    fails unexpectedly must not take its cause down with it (the projection's event would be retried and
    dead-lettered), so it is undone on its own and left to the sweep."""
    if order_ids:
        orders = await ResolutionRepository(session).lock_orders(order_ids)
        await _guarded(
            session, outbox, [order for order in orders if order.status in UNRESOLVED], cause=cause
        )


async def sweep(session: AsyncSession, outbox: Outbox, *, older_than: dt.timedelta, limit: int = 500) -> int:
    """The schedule's work: orders still `received` a while after their last move (a resolution that
    failed, a check or a catalog product that never came) are resolved again; how many were tried."""
    waiting = await ResolutionRepository(session).waiting_since(utcnow() - older_than, limit=limit)
    await resolve_in_background(session, outbox, waiting, cause="resolved again by the periodic sweep")
    return len(waiting)


async def _guarded(session: AsyncSession, outbox: Outbox, orders: Sequence[Order], *, cause: str) -> None:
    """Resolution in a savepoint: an unexpected error undoes only the resolution (the order stays as it
    is, `received`, and the sweep tries again) and is logged, instead of failing the order's intake and
    with it, after the retries, the shop order itself."""
    if not orders:
        return
    order_ids = [str(order.id) for order in orders]
    try:
        async with session.begin_nested():
            await _resolve_locked(session, outbox, orders, cause=cause, actor=status.SYSTEM)
    except Exception:
        log.exception("order_resolution_failed", order_ids=order_ids, cause=cause)


async def _resolve_locked(
    session: AsyncSession, outbox: Outbox, orders: Sequence[Order], *, cause: str, actor: str
) -> None:
    """Resolves orders already locked with their lines: the projections they need are loaded once for
    all of them, and so is the routing table, when one of them is to be routed."""
    if not orders:
        return
    lookup = await ResolutionRepository(session).lookup(orders)
    table: list[routing.RoutingTable] = []

    async def route(order: Order) -> RoutingDecision:
        if not table:
            table.append(await routing.routing_table(session))
        return table[0].decide(routing.facts_of(order))

    for order in orders:
        await _resolve_one(session, outbox, order, lookup, route, cause=cause, actor=actor)


async def resolve_again(
    session: AsyncSession,
    outbox: Outbox,
    order_ids: Collection[uuid.UUID],
    *,
    cause: str,
    actor: str = status.SYSTEM,
) -> None:
    """Orders whose content changed (a newer version from the shop, a corrected address): a routed one
    goes back to `received` and is resolved (and routed) again like the others not yet in production."""
    for order in await ResolutionRepository(session).lock_orders(order_ids):
        if order.status == OrderStatus.routed:
            order.production_line_id = order.routing_rule_id = None
            await status.move(session, outbox, order, OrderStatus.received, actor=actor, message=cause)
    await resolve(session, outbox, order_ids, cause=cause, actor=actor)


async def cancel(
    session: AsyncSession, outbox: Outbox, order_id: uuid.UUID, *, message: str, actor: str = status.SYSTEM
) -> None:
    """Cancels an order not yet in production (IllegalMove otherwise)."""
    (order,) = await ResolutionRepository(session).lock_orders([order_id])
    await status.move(session, outbox, order, OrderStatus.cancelled, actor=actor, message=message)


async def flag_cancellation(
    session: AsyncSession, outbox: Outbox, order_id: uuid.UUID, *, message: str
) -> None:
    """The shop cancelled an order production already has: it keeps its status, and production (and
    everyone following the order) is told."""
    (order,) = await ResolutionRepository(session).lock_orders([order_id])
    await status.record(
        session,
        outbox,
        order,
        previous=OrderStatus(order.status),
        actor=status.SYSTEM,
        message=message,
        kind=None,  # intake noted it
    )


async def _resolve_one(
    session: AsyncSession,
    outbox: Outbox,
    order: Order,
    lookup: Lookup,
    route: Callable[[Order], Awaitable[RoutingDecision]],
    *,
    cause: str,
    actor: str,
) -> None:
    resolutions = {line.position: resolve_line(order, line, lookup) for line in order.lines}
    holds = address_holds(order.id, order.shipping_address)
    waiting: list[str] = []
    for line in order.lines:
        resolved = resolutions[line.position]
        if resolved.to_check:
            await files.request_checks(session, order.id, line.position, resolved.to_check)
        holds += resolved.holds
        if resolved.waiting:
            waiting.append(resolved.waiting)
        if line.rejection is not None and resolved.item is not None:
            if resolved.item == line.rejection.get("item"):
                holds.append(_rejected(line.position, line.rejection))
            else:  # the item changed since production refused it: it may be produced now
                line.rejection = None
    if not order.lines:
        holds.append(Hold(HoldCode.cannot_produce, None, "the order has no line items", "cancel the order"))
    if order.manual_hold is not None:
        hold = order.manual_hold
        holds.insert(
            0,
            Hold(
                HoldCode.held_by_user,
                None,
                f"put on hold by {hold['by']}: {hold['reason']}",
                f"release the order (POST /v1/orders/{order.id}/release) when it may be produced",
            ),
        )
    previous = OrderStatus(order.status)
    reasons = [hold.as_dict() for hold in holds]
    if holds:
        if previous == OrderStatus.on_hold and reasons == order.hold_reasons:
            return
        _set_items(order, resolutions)
        order.hold_reasons = reasons
        summary = "; ".join(f"{hold.code.value}: {hold.message}" for hold in holds)
        await _move(session, outbox, order, OrderStatus.on_hold, f"{cause} — on hold: {summary}", actor)
        return
    order.hold_reasons = []
    if waiting:
        _set_items(order, resolutions)
        if previous == OrderStatus.received:
            return
        await _move(
            session, outbox, order, OrderStatus.received, f"{cause} — waiting: {'; '.join(waiting)}", actor
        )
        return
    _set_items(order, resolutions)
    decision = await route(order)
    order.production_line_id = decision.production_line_id
    order.routing_rule_id = decision.rule_id
    await _move(
        session,
        outbox,
        order,
        OrderStatus.routed,
        f"{cause} — every item resolved; routed to production line '{decision.production_line_code}': "
        f"{decision.explanation}",
        actor,
    )


def _rejected(position: int, rejection: dict[str, Any]) -> Hold:
    return Hold(
        HoldCode.cannot_produce,
        position,
        f"production cannot produce item {position}: {rejection['message']}",
        "change what the item is made of (its mapping, template or files) or talk to the producer; the "
        "order is released when the item changes or when it is released by hand",
    )


def _set_items(order: Order, resolutions: dict[int, Resolution]) -> None:
    for line in order.lines:
        line.item = resolutions[line.position].item


async def _move(
    session: AsyncSession, outbox: Outbox, order: Order, to: OrderStatus, message: str, actor: str
) -> None:
    previous = OrderStatus(order.status)
    if previous == to:
        await status.record(session, outbox, order, previous=previous, actor=actor, message=message)
    else:
        await status.move(session, outbox, order, to, actor=actor, message=message)
    log.info("order_resolved", order_id=str(order.id), status=to.value)
