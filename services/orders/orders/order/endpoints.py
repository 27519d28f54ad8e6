import dataclasses
import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from orders.deps import OrdersReader, ReadSessionDep
from orders.models import OrderStatus
from orders.order import service
from orders.order.exceptions import PlacedRangeEmpty, TimeOutOfRange
from orders.order.repository import OrderFilters
from orders.order.schemas import Order, OrderPage
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.fields import Text
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["orders"])

PlacedAt = Annotated[
    dt.datetime | None,
    Query(description="ISO 8601 time, inclusive; without a zone it is read as UTC."),
]


def _utc(name: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except OverflowError:
        raise TimeOutOfRange(name) from None


async def order_filters(
    status: Annotated[OrderStatus | None, Query(description="Only orders in this status.")] = None,
    external_id: Annotated[
        Text | None, Query(max_length=255, description="The shop's id of the order (exact).")
    ] = None,
    customer_id: Annotated[
        uuid.UUID | None,
        Query(description="Operators: one customer's orders. A customer user only ever sees its own."),
    ] = None,
    placed_after: PlacedAt = None,
    placed_before: PlacedAt = None,
) -> OrderFilters:
    after, before = _utc("placed_after", placed_after), _utc("placed_before", placed_before)
    if after is not None and before is not None and after > before:
        raise PlacedRangeEmpty()
    return OrderFilters(
        customer_id=customer_id,
        status=status,
        external_id=external_id,
        placed_after=after,
        placed_before=before,
    )


Filters = Annotated[OrderFilters, Depends(order_filters)]


@router.get("/v1/orders", response_model=OrderPage)
async def list_orders(
    session: ReadSessionDep,
    principal: OrdersReader,
    filters: Filters,
    store_id: Annotated[uuid.UUID | None, Query(description="Only this store's orders.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> OrderPage:
    """The orders the caller may see, newest placed first."""
    filtered = dataclasses.replace(filters, store_id=store_id)
    return await service.list_orders(session, Scope.of(principal), filtered, cursor=cursor, limit=limit)


@router.get("/v1/stores/{store_id}/orders", response_model=OrderPage)
async def list_store_orders(
    store_id: uuid.UUID,
    session: ReadSessionDep,
    principal: OrdersReader,
    filters: Filters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> OrderPage:
    """One store's orders, newest placed first (404 for a store the caller does not know)."""
    return await service.list_store_orders(
        session, Scope.of(principal), store_id, filters, cursor=cursor, limit=limit
    )


@router.get("/v1/orders/{order_id}", response_model=Order)
async def get_order(order_id: uuid.UUID, session: ReadSessionDep, principal: OrdersReader) -> Order:
    """One order with its line items, addresses and history."""
    return service.to_read(await service.get(session, Scope.of(principal), order_id))
