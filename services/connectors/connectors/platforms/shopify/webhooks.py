"""Shopify's webhook deliveries, once their signature is verified: each is kept once per change (topic +
X-Shopify-Event-Id), then acted on in the same transaction — an order version goes through the intake,
app/uninstalled disconnects the store, a product topic has the product read again (a job: what the shop
has then is published), compliance topics are kept only."""

import uuid
from dataclasses import dataclass

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.intake import service as intake
from connectors.platforms.base import StoreRef
from connectors.platforms.shopify import normalise
from connectors.products import service as products
from connectors.store import service as stores
from connectors.store.repository import StoreRepository
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled"})
PRODUCT_TOPICS = frozenset({"products/create", "products/update", "products/delete"})
COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
UNINSTALLED = "app/uninstalled"
# Kept for a store that is disconnected already: the shop's last words, and what the law asks of us.
AFTER_DISCONNECT = COMPLIANCE_TOPICS | {UNINSTALLED}


@dataclass(frozen=True)
class Delivery:
    topic: str
    shop: str
    change_key: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Outcome:
    """`status` is the HTTP answer: 200 kept (or a repeat), 404 a shop no store knows, 410 a store that
    is disconnected (non-2xx makes Shopify retry, then delete the subscription: what we want)."""

    status: int
    detail: str


def change_key(topic: str, event_id: str | None, webhook_id: str | None) -> str | None:
    """The change's identity: every delivery of one merchant action has the same X-Shopify-Event-Id
    (X-Shopify-Webhook-Id, unique per delivery, where no event id came)."""
    identity = event_id or webhook_id
    return f"{topic}:{identity}" if identity else None


async def receive(session: AsyncSession, outbox: Outbox, delivery: Delivery) -> Outcome:
    repository = StoreRepository(session)
    found = await repository.latest_ref_for_shop(Platform.shopify, delivery.shop)
    if found is None:
        if delivery.topic in COMPLIANCE_TOPICS:
            log.info("shopify_compliance_for_unknown_shop", shop=delivery.shop, topic=delivery.topic)
            return Outcome(200, "no store of this shop: nothing is kept about it")
        log.info("shopify_webhook_unknown_shop", shop=delivery.shop, topic=delivery.topic)
        return Outcome(404, f"no store is connected for {delivery.shop}")
    store, status = found
    if status == StoreStatus.disconnected and delivery.topic not in AFTER_DISCONNECT:
        return Outcome(410, f"the store of {delivery.shop} is disconnected")
    if delivery.topic in ORDER_TOPICS:
        return await _receive_order(session, outbox, store, delivery)
    if delivery.topic in PRODUCT_TOPICS:
        return await _receive_product(session, store, delivery)
    kept = await _keep(session, store, delivery, intake.IGNORED)
    if kept is None:
        return Outcome(200, "delivered before")
    if delivery.topic == UNINSTALLED:
        row = await repository.get(store.id)
        if row is not None and row.status != StoreStatus.disconnected:
            await stores.disconnect(session, outbox, row, "uninstalled")
            await intake.set_outcome(session, kept, intake.PUBLISHED)
        return Outcome(200, "uninstalled")
    return Outcome(200, "kept")


async def _receive_order(
    session: AsyncSession, outbox: Outbox, store: StoreRef, delivery: Delivery
) -> Outcome:
    """An order version: read and its event built first, so the delivery is kept with its outcome in the
    one statement that dedupes it (failed when unreadable, else published), then the version is acted on;
    only a stale version (the rare case) updates the kept row. Nothing is written for a repeat."""
    try:
        version = normalise.from_rest(normalise.parse_json(delivery.body))
        event = intake.order_event(store, version)
    except (normalise.OrderUnreadable, ValidationError) as error:
        if await _keep(session, store, delivery, intake.FAILED, str(error)[:2000]) is None:
            return Outcome(200, "delivered before")
        log.warning("shopify_order_unreadable", shop=delivery.shop, topic=delivery.topic, error=str(error))
        return Outcome(200, "kept; the order is fetched again by the next poll")
    kept = await _keep(session, store, delivery, intake.PUBLISHED)
    if kept is None:
        return Outcome(200, "delivered before")
    outcome = await intake.accept_order(session, outbox, store, version, event=event)
    if outcome != intake.PUBLISHED:
        await intake.set_outcome(session, kept, outcome)
    return Outcome(200, outcome)


async def _receive_product(session: AsyncSession, store: StoreRef, delivery: Delivery) -> Outcome:
    """A product was created, changed or deleted: it is read again from the shop (one job per product,
    however many deliveries come), which publishes what the shop has then, or the product's removal."""
    try:
        product_id = normalise.product_id(normalise.parse_json(delivery.body))
    except normalise.OrderUnreadable as error:
        if await _keep(session, store, delivery, intake.FAILED, str(error)[:2000]) is None:
            return Outcome(200, "delivered before")
        log.warning("shopify_product_unreadable", shop=delivery.shop, topic=delivery.topic, error=str(error))
        return Outcome(200, "kept; the product is read again by the next sync")
    if await _keep(session, store, delivery, intake.REFETCHING) is None:
        return Outcome(200, "delivered before")
    await products.enqueue_fetch(session, store.id, product_id)
    return Outcome(200, "product fetch queued")


async def _keep(
    session: AsyncSession, store: StoreRef, delivery: Delivery, outcome: str, error: str | None = None
) -> uuid.UUID | None:
    return await intake.keep_delivery(
        session,
        store.id,
        Platform.shopify,
        delivery.topic,
        delivery.change_key,
        delivery.headers,
        delivery.body,
        outcome=outcome,
        error=error,
    )
