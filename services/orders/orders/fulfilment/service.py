"""Back to the shop: items shipped with tracking make orders ask connectors, by the command event
`shop_fulfillment.requested`, to record the shipment in the shop (which mails the buyer); the answer
(`shop_fulfillment.succeeded` / `…failed`) lands in the order's history and its `shop_fulfillment`.

The ask is recorded in the transaction of the move that brought the tracking. Its request id is derived
from the order and the tracking number, so the same parcel reported again (shipped, then in transit) is
one request; reported again after the shop failed it, it is asked again. A manual store has no shop:
the history says so and nothing is asked. A test order is asked too; connectors checks it against the
shop without sending it. Nothing here moves the order's status: a shop that refuses the shipment does
not hold up production."""

import datetime as dt
import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.fulfilment.schemas import ShopFulfillment, ShopFulfillmentParcel, ShopFulfillmentStatus
from orders.models import Order, OrderEvent, OrderEventKind, OrderStatus
from orders.order.repository import OrderRepository
from orders.resolution.repository import ResolutionRepository
from printbridge_shared.events.consumer import UnprocessableEvent
from printbridge_shared.events.contracts import (
    FulfillmentLine,
    FulfillmentTracking,
    Platform,
    ShopFulfillmentFailed,
    ShopFulfillmentRequested,
    ShopFulfillmentSucceeded,
)
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

# The namespace of fulfilment request ids (UUID v5 of order id and tracking number).
REQUEST_NAMESPACE = uuid.UUID("5b0f7d43-52a6-4f8e-9c51-0e8a7d2c6b19")
NOT_SHIPPED = (OrderStatus.cancelled, OrderStatus.failed)


def request_id_for(order_id: uuid.UUID, tracking_number: str) -> uuid.UUID:
    return uuid.uuid5(REQUEST_NAMESPACE, f"{order_id}/{tracking_number}")


async def _note(
    session: AsyncSession,
    order: Order,
    kind: OrderEventKind,
    detail: str,
    *,
    now: dt.datetime,
    source_event_id: uuid.UUID | None = None,
) -> None:
    repository = OrderRepository(session)
    await repository.add_history(
        OrderEvent(
            id=uuid.uuid4(),
            order_id=order.id,
            at=now,
            sequence=await repository.next_sequence(order.id),
            kind=kind,
            detail=detail,
            source_event_id=source_event_id,
        )
    )


async def ask_shop(
    session: AsyncSession,
    outbox: Outbox,
    order: Order,
    parcel: dict[str, Any],
    *,
    now: dt.datetime,
    probe: bool = False,
) -> None:
    """After `parcel` ({number, url, company, positions}) was added to the order (its lines loaded) and
    its items moved: asks for the shop to record it, unless it was asked for that parcel already (and
    did not fail: a parcel reported again after a failure is asked again, once the cause is fixed)."""
    number = str(parcel["number"])
    if order.platform == Platform.manual:
        await _note(
            session,
            order,
            OrderEventKind.shop_fulfillment_skipped,
            f"no shop to update with tracking {number}: the order was placed in a manual store",
            now=now,
        )
        return
    request_id = request_id_for(order.id, number)
    earlier = [entry for entry in order.shop_fulfillments if entry["request_id"] == str(request_id)]
    if earlier and earlier[0]["status"] != ShopFulfillmentStatus.failed:
        return
    by_position = {line.position: line for line in order.lines}
    shipped = [
        by_position[position]
        for position in parcel["positions"]
        if position in by_position
        and by_position[position].item_status not in NOT_SHIPPED
        and by_position[position].quantity > 0
    ]
    if not shipped:
        await _note(
            session,
            order,
            OrderEventKind.shop_fulfillment_skipped,
            f"no shop update for tracking {number}: none of its items is a live item to ship",
            now=now,
        )
        return
    request = ShopFulfillmentRequested(
        request_id=request_id,
        order_id=order.id,
        store_id=order.store_id,
        customer_id=order.customer_id,
        platform=order.platform,
        external_order_id=order.external_id,
        external_order_number=order.external_number,
        lines=tuple(
            FulfillmentLine(external_id=line.external_id, quantity=line.quantity) for line in shipped
        ),
        tracking=FulfillmentTracking(number=number, url=parcel.get("url"), company=parcel.get("company")),
        test=order.test,
        probe=probe,
        requested_at=now,
    )
    order.shop_fulfillments = [
        *(entry for entry in order.shop_fulfillments if entry["request_id"] != str(request_id)),
        {
            "request_id": str(request_id),
            "tracking_number": number,
            "status": ShopFulfillmentStatus.requested.value,
            "at": now.isoformat(),
        },
    ]
    items = ", ".join(str(line.position) for line in shipped)
    detail = f"the shop is asked to record the shipment of items {items} with tracking {number}"
    if order.test:
        detail += " (a test order: checked against the shop, not sent)"
    await _note(session, order, OrderEventKind.shop_fulfillment_requested, detail, now=now)
    await outbox.record(session, request, customer_id=order.customer_id)
    log.info("shop_fulfillment_requested", order_id=str(order.id), request_id=str(request_id))


async def record_outcome(
    session: AsyncSession, data: ShopFulfillmentSucceeded | ShopFulfillmentFailed, *, event_id: uuid.UUID
) -> None:
    """Connectors' answer: into the order's history and its parcel's state. An answer older than the
    state the parcel holds (a late redelivery) changes nothing but is noted."""
    found = await ResolutionRepository(session).lock_orders([data.order_id])
    if not found or found[0].store_id != data.store_id:
        raise UnprocessableEvent(f"no order {data.order_id} in store {data.store_id}")
    order = found[0]
    at = data.succeeded_at if isinstance(data, ShopFulfillmentSucceeded) else data.failed_at
    entries = [dict(entry) for entry in order.shop_fulfillments]
    entry = next((e for e in entries if e["request_id"] == str(data.request_id)), None)
    if entry is None:
        entry = {"request_id": str(data.request_id), "tracking_number": data.tracking_number}
        entries.append(entry)
    elif entry["status"] != ShopFulfillmentStatus.requested and dt.datetime.fromisoformat(entry["at"]) > at:
        log.info("shop_fulfillment_outcome_stale", order_id=str(order.id), request_id=str(data.request_id))
        return
    if isinstance(data, ShopFulfillmentSucceeded):
        entry.update(
            status=ShopFulfillmentStatus.succeeded.value,
            reason=None,
            fix=None,
            dry_run=data.dry_run,
            external_fulfillment_ids=list(data.external_fulfillment_ids),
            at=at.isoformat(),
        )
        kind = OrderEventKind.shop_fulfillment_succeeded
        if data.dry_run:
            detail = (
                f"the shop would accept the shipment with tracking {data.tracking_number} "
                "(a test order: not sent)"
            )
        else:
            ids = ", ".join(data.external_fulfillment_ids)
            detail = f"the shop recorded the shipment with tracking {data.tracking_number}" + (
                f" ({ids})" if ids else ""
            )
    else:
        entry.update(
            status=ShopFulfillmentStatus.failed.value, reason=data.reason, fix=data.fix, at=at.isoformat()
        )
        kind = OrderEventKind.shop_fulfillment_failed
        detail = (
            f"the shop was not updated with tracking {data.tracking_number}: {data.reason} Fix: {data.fix}"
        )
    order.shop_fulfillments = entries
    await _note(session, order, kind, detail, now=at, source_event_id=event_id)
    log.info("shop_fulfillment_outcome", order_id=str(order.id), kind=str(kind))


async def check_shop(
    session: AsyncSession, outbox: Outbox, order_id: uuid.UUID, *, probe: bool, now: dt.datetime
) -> None:
    """A test run asks at once whether the shop would take the test order's shipment (checked, never
    sent), since a test order never ships: with `probe`, Printbridge's own test order, which the shop
    does not have (only the connection and its write permission are checked)."""
    [order] = await ResolutionRepository(session).lock_orders([order_id])
    if order.platform == Platform.manual:
        return  # no shop: the report says so
    parcel = {
        "number": f"TEST-{order.external_number or order.id}",
        "positions": [line.position for line in order.lines],
    }
    await ask_shop(session, outbox, order, parcel, now=now, probe=probe)


def summary(order: Order) -> ShopFulfillment | None:
    """The order's `shop_fulfillment`: None while the shop was never asked."""
    if not order.shop_fulfillments:
        return None
    parcels = [ShopFulfillmentParcel.model_validate(entry) for entry in order.shop_fulfillments]
    failed = [parcel for parcel in parcels if parcel.status == ShopFulfillmentStatus.failed]
    if failed:
        status = ShopFulfillmentStatus.failed
    elif any(parcel.status == ShopFulfillmentStatus.requested for parcel in parcels):
        status = ShopFulfillmentStatus.requested
    else:
        status = ShopFulfillmentStatus.succeeded
    last_failure = max(failed, key=lambda parcel: parcel.at) if failed else None
    return ShopFulfillment(
        status=status,
        reason=last_failure.reason if last_failure else None,
        fix=last_failure.fix if last_failure else None,
        at=max(parcel.at for parcel in parcels),
        parcels=parcels,
    )
