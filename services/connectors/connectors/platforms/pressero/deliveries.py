"""Pressero's webhook deliveries: `MessageHash` checked on the raw bytes before anything is parsed, each
message kept once (its `MessageID`), and the order pulled through the API by a job (the delivery is a
thin notice; Pressero's answer waits for nothing).

`MessageHash`: Aleyant says Pressero "concatenates [the security key] with the hook payload" and sends
the SHA-1 hash. We read that as SHA-1(key UTF-8 bytes + raw body bytes), key first, and accept it in
hex (any case) or base64 (the encoding is not stated either)."""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.credentials import CredentialBox
from connectors.intake import service as intake
from connectors.models import Store, jobs
from connectors.platforms.pressero.client import lower_keys
from printbridge_shared import jobs as job_queue
from printbridge_shared.errors import AppError
from printbridge_shared.events.contracts import Platform, StoreStatus

log = structlog.get_logger(__name__)

HASH_HEADER = "messagehash"
KEPT_HEADERS = ("content-type", "user-agent", HASH_HEADER)
PULL_ORDER_JOB = "pressero.pull_order"
QUEUED, DUPLICATE, NOT_CONNECTED = "queued", "duplicate", "not_connected"


class WebhookNotAuthentic(AppError):
    status, code, title = 401, "webhook-signature-invalid", "Webhook signature invalid"

    def __init__(self) -> None:
        super().__init__(
            "The delivery's MessageHash is not SHA-1 of this store's security key followed by the body, "
            "or the store is unknown; nothing was stored. Enter the security key shown for the store "
            "(GET /v1/stores/{id}/webhook-setup) in Pressero's webhook settings."
        )


def message_hash(key: str, body: bytes) -> bytes:
    return hashlib.sha1(key.encode() + body).digest()


def hash_matches(key: str, body: bytes, given: str | None) -> bool:
    if not given or not given.strip():
        return False
    expected = message_hash(key, body)
    text = given.strip()
    try:
        sent = bytes.fromhex(text)
    except ValueError:
        try:
            sent = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return False
    return hmac.compare_digest(expected, sent)


def order_number(envelope: dict[str, Any]) -> str | None:
    """The order a notice names: `Data.OrderNumber` (the integrator's model), else a top-level one."""
    data = envelope.get("data")
    if isinstance(data, str):  # Data serialised twice, as some senders do
        try:
            data = json.loads(data)
        except ValueError:
            data = None
    data = lower_keys(data)
    number = data.get("ordernumber", envelope.get("ordernumber"))
    text = str(number).strip() if number is not None else ""
    return text if text.isdigit() else None


def change_key(envelope: dict[str, Any], body: bytes) -> str:
    message_id = envelope.get("messageid")
    if isinstance(message_id, str | int) and str(message_id).strip():
        return f"message:{str(message_id).strip()}"
    return f"sha256:{hashlib.sha256(body).hexdigest()}"


async def _authentic_store(
    session: AsyncSession, box: CredentialBox, store_id: str, headers: Mapping[str, str], body: bytes
) -> Store:
    found = await intake.store_and_secret(session, box, store_id, Platform.pressero, "webhook_key")
    if found is None or not hash_matches(found[1], body, headers.get(HASH_HEADER)):
        raise WebhookNotAuthentic()
    return found[0]


async def receive(
    session: AsyncSession,
    box: CredentialBox,
    store_id: str,
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """What became of the delivery: `duplicate`, `not_connected`, `queued` (an order to pull) or
    `ignored`."""
    store = await _authentic_store(session, box, store_id, headers, body)
    if store.status == StoreStatus.disconnected:
        return NOT_CONNECTED
    try:
        envelope = lower_keys(json.loads(body))
    except ValueError:
        envelope = {}
    topic = str(envelope.get("typename") or envelope.get("type") or "unknown").strip()[:100]
    kept = {k: v for k, v in headers.items() if k in KEPT_HEADERS}
    number = order_number(envelope)
    outcome = QUEUED if number is not None else intake.IGNORED
    delivery_id = await intake.keep_delivery(
        session, store.id, Platform.pressero, topic, change_key(envelope, body), kept, body, outcome=outcome
    )
    if delivery_id is None:
        return DUPLICATE
    if number is None:
        return intake.IGNORED
    await job_queue.enqueue(session, jobs, PULL_ORDER_JOB, {"delivery_id": str(delivery_id)})
    return QUEUED
