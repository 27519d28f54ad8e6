"""The production API, for the producer's MIS: operators and API keys (`producer:manage`); customer users
get 403 (docs/production-api.md)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from orders.deps import OutboxDep, ProducerManager, ReadSessionDep, SessionDep
from orders.models import OrderStatus
from orders.production import service
from orders.production.schemas import ProductionOrder, ProductionOrderPage, RejectIn, StatusIn
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["production"])


@router.get("/v1/production/orders", response_model=ProductionOrderPage)
async def list_production_orders(
    session: ReadSessionDep,
    _principal: ProducerManager,
    status: Annotated[
        OrderStatus | None,
        Query(description="Only orders in this status; left out: routed, accepted, in_production, printed."),
    ] = None,
    line: Annotated[uuid.UUID | None, Query(description="Only the orders of this production line.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ProductionOrderPage:
    """The orders production works on, the one waiting longest first."""
    return await service.list_orders(session, status_filter=status, line_id=line, cursor=cursor, limit=limit)


@router.get("/v1/production/orders/{order_id}", response_model=ProductionOrder)
async def get_production_order(
    order_id: uuid.UUID, session: ReadSessionDep, _principal: ProducerManager
) -> ProductionOrder:
    return service.to_read(await service.get(session, order_id))


@router.post("/v1/production/orders/{order_id}/claim", response_model=ProductionOrder)
async def claim_production_order(
    order_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: ProducerManager
) -> ProductionOrder:
    """Takes a routed order into production (`accepted`); 409 when it is not routed (e.g. claimed)."""
    return service.to_read(await service.claim(session, outbox, principal, order_id))


@router.post("/v1/production/orders/{order_id}/reject", response_model=ProductionOrder)
async def reject_production_items(
    order_id: uuid.UUID, body: RejectIn, session: SessionDep, outbox: OutboxDep, principal: ProducerManager
) -> ProductionOrder:
    """Production cannot make these items: the order goes on hold (`cannot_produce`) with the message."""
    return service.to_read(await service.reject(session, outbox, principal, order_id, body))


@router.post("/v1/orders/{order_id}/status", response_model=ProductionOrder)
async def report_order_status(
    order_id: uuid.UUID, body: StatusIn, session: SessionDep, outbox: OutboxDep, principal: ProducerManager
) -> ProductionOrder:
    """Reports a production step for the order or some of its items, with tracking when shipped; 409
    for a move the order's status does not allow (the answer names the allowed ones)."""
    return service.to_read(await service.report(session, outbox, principal, order_id, body))
