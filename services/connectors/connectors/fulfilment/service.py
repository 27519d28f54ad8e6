"""Fulfilment back to the shop: orders asks (`shop_fulfillment.requested`) for a shipment to be recorded
in a store's shop; a durable job per request id (jobs.py) calls the platform and answers
`shop_fulfillment.succeeded` or `shop_fulfillment.failed` (the platform's words and the fix).

A request id never ships twice. One open job per request id; and each platform's `fulfil_order` first
looks in the shop for the shipment (Shopify: fulfillment orders with nothing left or a fulfillment with
the tracking number; WooCommerce: the order completed with a note naming the number; Etsy: a receipt
shipment with the tracking code; Pressero: item shipments with the tracking), so an attempt whose answer
was lost after the shop recorded it finds it instead of shipping again."""

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import Store, jobs
from connectors.platforms.registry import connector_for
from printbridge_shared import jobs as job_queue
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import (
    ShopFulfillmentFailed,
    ShopFulfillmentRequested,
    ShopFulfillmentSucceeded,
    StoreStatus,
)
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

SEND_FULFILMENT = "fulfilment.send"
# After a fix, the shop is asked again when production reports the parcel again (orders asks again for a
# parcel whose last answer was a failure).
AGAIN = "report the parcel's tracking again, or record the shipment in the shop by hand"
RECONNECT_FIX = f"Connect the shop again (POST /v1/stores), then {AGAIN}."


def again(request: ShopFulfillmentRequested) -> str:
    """What to do once the cause is fixed: a real parcel is reported again; a test order is never
    asked again by itself, so a new test order checks the shop once more."""
    if request.test:
        return f"place a test order again (POST /v1/stores/{request.store_id}/test-order) to check the shop"
    return AGAIN


async def fulfilment_requested(session: AsyncSession, data: ShopFulfillmentRequested) -> None:
    """Queues the request's job (none when one is open for the request id already)."""
    await job_queue.enqueue(
        session,
        jobs,
        SEND_FULFILMENT,
        data.model_dump(mode="json"),
        unique_key=f"{SEND_FULFILMENT}:{data.request_id}",
    )


async def answer_succeeded(
    session: AsyncSession,
    outbox: Outbox,
    request: ShopFulfillmentRequested,
    external_ids: tuple[str, ...],
    *,
    dry_run: bool = False,
) -> None:
    log.info(
        "shop_fulfillment_succeeded",
        request_id=str(request.request_id),
        external_ids=list(external_ids),
        dry_run=dry_run,
    )
    await outbox.record(
        session,
        ShopFulfillmentSucceeded(
            request_id=request.request_id,
            order_id=request.order_id,
            store_id=request.store_id,
            customer_id=request.customer_id,
            platform=request.platform,
            external_fulfillment_ids=external_ids,
            tracking_number=request.tracking.number,
            dry_run=dry_run,
            succeeded_at=utcnow(),
        ),
        customer_id=request.customer_id,
    )


async def answer_failed(
    session: AsyncSession, outbox: Outbox, request: ShopFulfillmentRequested, reason: str, fix: str
) -> None:
    log.info("shop_fulfillment_failed", request_id=str(request.request_id), reason=reason)
    await outbox.record(
        session,
        ShopFulfillmentFailed(
            request_id=request.request_id,
            order_id=request.order_id,
            store_id=request.store_id,
            customer_id=request.customer_id,
            platform=request.platform,
            tracking_number=request.tracking.number,
            reason=reason,
            fix=fix,
            failed_at=utcnow(),
        ),
        customer_id=request.customer_id,
    )


def not_sendable(store: Store | None, request: ShopFulfillmentRequested) -> tuple[str, str] | None:
    """Why the request cannot go to the shop at all, and the fix (no call is made then); None when it
    can."""
    if store is None or store.customer_id != request.customer_id:
        return (
            f"There is no store {request.store_id} for this customer.",
            "Nothing to do in Printbridge: the order's store is unknown to connectors.",
        )
    if store.status == StoreStatus.disconnected:
        return "The store is disconnected: the shop cannot be told.", RECONNECT_FIX
    if not connector_for(store.platform).fulfils_orders:
        return (
            f"{store.platform} stores have no shop to tell that an order shipped.",
            "Nothing to do: tell the buyer the tracking yourself.",
        )
    if store.credentials is None or store.status in (StoreStatus.pending, StoreStatus.auth_error):
        return (
            f"The store is not connected (its status is {store.status}).",
            f"Fix what GET /v1/stores/{store.id} lists, then {AGAIN}.",
        )
    return None
