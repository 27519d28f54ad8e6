"""WooCommerce's webhook deliveries: the unsigned ping answered, the signature checked on the raw bytes
before anything is parsed, each change kept once (the resource id with its `date_modified_gmt`:
WooCommerce's delivery id is not an identity of the change), orders published through the intake in the
same transaction, `order.deleted` re-fetched by a job (its payload has only the id)."""

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.credentials import CredentialBox
from connectors.intake import service as intake
from connectors.models import Store, WebhookDelivery, jobs
from connectors.platforms.base import OrderVersion
from connectors.platforms.woocommerce.normalise import NotAnOrder, order_version
from connectors.products import service as products
from connectors.store.service import ref
from printbridge_shared import jobs as job_queue
from printbridge_shared.errors import AppError
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "x-wc-webhook-signature"
TOPIC_HEADER = "x-wc-webhook-topic"
KEPT_HEADERS = ("content-type", "user-agent")
PING = re.compile(rb"webhook_id=\d+")
ORDER_DELETED_JOB = "woocommerce.order_deleted"
ORDER_TOPICS = ("order.created", "order.updated")
PRODUCT_TOPICS = ("product.created", "product.updated", "product.deleted", "product.restored")

PING_ANSWERED, DUPLICATE, NOT_CONNECTED = "ping", "duplicate", "not_connected"


class WebhookNotAuthentic(AppError):
    status, code, title = 401, "webhook-signature-invalid", "Webhook signature invalid"

    def __init__(self) -> None:
        super().__init__(
            "The delivery is not signed with this store's webhook secret (X-WC-Webhook-Signature), or the "
            "store is unknown; nothing was stored."
        )


def is_ping(headers: Mapping[str, str], body: bytes) -> bool:
    """WooCommerce's ping when a webhook is created or activated: form-encoded `webhook_id=N`, unsigned.
    It must get 200, or WooCommerce refuses to create the webhook."""
    return SIGNATURE_HEADER not in headers and PING.fullmatch(body.strip()) is not None


def signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(raw body, webhook secret)), as WooCommerce signs."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_matches(secret: str, body: bytes, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(signature(secret, body).encode(), given.strip().encode())


def change_key(topic: str, payload: Any, body: bytes) -> str:
    """The change a delivery announces: `order:7231:2025-05-14T09:13:02` (a repeat of the same version
    finds its first copy), `order:7231:deleted` for a deletion (which carries no time); a product's also
    names its bytes."""
    resource, _, event = topic.partition(".")
    resource_id = payload.get("id") if isinstance(payload, dict) else None
    if resource_id is None or resource_id == "":
        return f"{topic}:sha256:{hashlib.sha256(body).hexdigest()}"
    if event == "deleted":
        return f"{resource}:{resource_id}:deleted"
    modified = payload.get("date_modified_gmt") if isinstance(payload, dict) else None
    if not modified:
        return f"{resource}:{resource_id}:sha256:{hashlib.sha256(body).hexdigest()}"
    if resource == "product":
        # Times have seconds: two changes of a product in one second are two deliveries to act on (each
        # only has the product read again); a repeat of one delivery has the same bytes.
        return f"{resource}:{resource_id}:{modified}:{hashlib.sha256(body).hexdigest()[:16]}"
    return f"{resource}:{resource_id}:{modified}"


async def _authentic_store(
    session: AsyncSession, box: CredentialBox, store_id: str, headers: Mapping[str, str], body: bytes
) -> Store:
    found = await intake.store_and_secret(session, box, store_id, Platform.woocommerce, "webhook_secret")
    if found is None or not signature_matches(found[1], body, headers.get(SIGNATURE_HEADER)):
        raise WebhookNotAuthentic()
    return found[0]


async def receive(
    session: AsyncSession,
    outbox: Outbox,
    box: CredentialBox,
    store_id: str,
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """What became of the delivery: `ping`, `duplicate`, `not_connected`, or the stored delivery's
    outcome (`published`, `stale`, `ignored`, `failed`)."""
    if is_ping(headers, body):
        return PING_ANSWERED
    store = await _authentic_store(session, box, store_id, headers, body)
    if store.status == StoreStatus.disconnected:
        return NOT_CONNECTED  # our webhooks are being removed; nothing more is taken in
    topic = (headers.get(TOPIC_HEADER) or "unknown").strip().lower()[:100]
    try:
        payload: Any = json.loads(body)
    except ValueError:
        payload = None
    kept = {k: v for k, v in headers.items() if k.startswith("x-wc-webhook-") or k in KEPT_HEADERS}
    delivery_id = await intake.keep_delivery(
        session, store.id, Platform.woocommerce, topic, change_key(topic, payload, body), kept, body
    )
    if delivery_id is None:
        return DUPLICATE
    if payload is None:
        return await _failed(session, store.id, topic, delivery_id, "the body is not JSON")
    if topic in ORDER_TOPICS:
        try:
            version = order_version(payload)
        except NotAnOrder as exc:
            return await _failed(session, store.id, topic, delivery_id, str(exc))
        outcome = await intake.accept_order(session, outbox, ref(store), version)
        await intake.set_outcome(session, delivery_id, outcome)
        return outcome
    if topic == "order.deleted":
        await job_queue.enqueue(session, jobs, ORDER_DELETED_JOB, {"delivery_id": str(delivery_id)})
    if topic in PRODUCT_TOPICS:
        product_id = _product_of(payload)
        if product_id is None:
            return await _failed(session, store.id, topic, delivery_id, "a product delivery without an id")
        await products.enqueue_fetch(session, store.id, product_id)
        await intake.set_outcome(session, delivery_id, intake.REFETCHING)
        return intake.REFETCHING
    return intake.IGNORED


def _product_of(payload: Any) -> str | None:
    """The product a `product.*` delivery is about: a variation's changes come as the variation itself,
    whose `parent_id` is its product."""
    if not isinstance(payload, dict):
        return None
    for key in ("parent_id", "id"):
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return str(value)
        if isinstance(value, str) and value.isdigit() and int(value) > 0:
            return value
    return None


async def _failed(
    session: AsyncSession, store_id: uuid.UUID, topic: str, delivery_id: uuid.UUID, error: str
) -> str:
    """Kept, answered 200 (a retry by the shop would not help); the next poll fetches the order again."""
    await intake.set_outcome(session, delivery_id, intake.FAILED, error)
    log.warning(
        "woocommerce_webhook_unreadable",
        store_id=str(store_id),
        topic=topic,
        delivery_id=str(delivery_id),
        error=error,
    )
    return intake.FAILED


async def last_known_version(
    session: AsyncSession, store_id: uuid.UUID, order_id: str
) -> OrderVersion | None:
    """The newest version of an order that a webhook brought (and we published or found stale), read
    again from its kept delivery: what a shop that deleted the order for good no longer has."""
    statement = (
        select(WebhookDelivery.body)
        .where(
            WebhookDelivery.store_id == store_id,
            WebhookDelivery.topic.in_(ORDER_TOPICS),
            WebhookDelivery.change_key.startswith(f"order:{order_id}:", autoescape=True),
            WebhookDelivery.outcome.in_((intake.PUBLISHED, intake.STALE)),
        )
        .order_by(WebhookDelivery.received_at.desc())
        .limit(20)
    )
    versions = []
    for body in (await session.scalars(statement)).all():
        try:
            versions.append(order_version(json.loads(body)))
        except (ValueError, NotAnOrder):
            continue
    return max(versions, key=lambda v: v.source_updated_at, default=None)
