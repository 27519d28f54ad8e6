"""Test runs: placing a store's test order and reading its report.

A test order is a real order of the store (flagged `test`), taken in, resolved, checked and routed as
any other; production sees it (`test: true`) but may not claim it. Its report is read from the order as
it stands each time it is asked for (report.py), so it follows the order step by step."""

import uuid
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from orders.fulfilment import service as fulfilment
from orders.manual.exceptions import StoreDisconnected
from orders.manual.repository import ManualOrderRepository
from orders.models import (
    DeliveryStatus,
    OrderEventKind,
    OrderStatus,
    PostbackDelivery,
    Store,
    TestRun,
    TestRunOrigin,
)
from orders.order import service as orders
from orders.order.exceptions import OrderNotFound, StoreNotFound
from orders.postbacks.repository import PostbackRepository
from orders.resolution import service as resolution
from orders.routing.repository import RoutingRepository
from orders.status.service import actor_of
from orders.store.repository import StoreRepository
from orders.testorders import report
from orders.testorders.exceptions import TestRunNotFound, WrongLineKind
from orders.testorders.repository import TestRunRepository
from orders.testorders.schemas import TestOrderIn, TestRunPage, TestRunRead
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_time_position, encode_position

log = structlog.get_logger(__name__)

SAMPLE_ADDRESS: dict[str, Any] = {
    "first_name": "Test",
    "last_name": "Order",
    "company": None,
    "address1": "Teststraße 1",
    "address2": None,
    "city": "Berlin",
    "province": None,
    "province_code": None,
    "country": "Germany",
    "country_code": "DE",
    "zip": "10115",
    "phone": None,
    "email": None,
}


async def place(
    session: AsyncSession, outbox: Outbox, principal: Principal, store_id: uuid.UUID, data: TestOrderIn
) -> TestRun:
    """Places the store's test order and starts its run. 404 for a store the caller does not see."""
    store = await StoreRepository(session).get(store_id)
    if store is None or not Scope.of(principal).sees_store(store.customer_id, store.store_id):
        raise StoreNotFound(store_id)
    if store.status == StoreStatus.disconnected:
        raise StoreDisconnected(store_id)
    now = utcnow()
    run_id, order_id = uuid.uuid4(), uuid.uuid4()
    line = await _line(session, store, data, order_id)
    number = f"TEST-{run_id.hex[:8].upper()}"
    order = {
        "id": order_id,
        "store_id": store.store_id,
        "customer_id": store.customer_id,
        "platform": store.platform,
        "external_id": f"printbridge-test-{run_id}",
        "external_number": number,
        "status": OrderStatus.received,
        "currency": "EUR",
        "total_price": Decimal(0),
        "subtotal_price": Decimal(0),
        "total_tax": None,
        "shipping_price": None,
        "email": None,
        "financial_status": "paid",
        "test": True,
        "note": "A test order placed by Printbridge to verify this store's integration.",
        "shipping_address": (
            data.shipping_address.model_dump(mode="json") if data.shipping_address else SAMPLE_ADDRESS
        ),
        "billing_address": None,
        "placed_at": now,
        "source_updated_at": now,
        "source_revision": 1,
        "cancelled_at": None,
        "cancel_reason": None,
        "created_at": now,
        "updated_at": now,
    }
    actor = actor_of(principal)
    history = {
        "id": uuid.uuid4(),
        "order_id": order_id,
        "at": now,
        "sequence": 1,
        "kind": OrderEventKind.received,
        "detail": f"placed as test order {number} by {actor}",
        "source_event_id": None,
        "source_updated_at": None,
    }
    await ManualOrderRepository(session).insert(order, [line], history)
    run = TestRun(
        id=run_id,
        order_id=order_id,
        store_id=store.store_id,
        customer_id=store.customer_id,
        origin=TestRunOrigin.requested,
        requested_by=actor,
        created_at=now,
    )
    session.add(run)
    await resolution.arrived(session, outbox, [order_id], cause="placed as a test order")
    await fulfilment.check_shop(session, outbox, order_id, probe=True, now=now)
    log.info("test_order_placed", run_id=str(run_id), order_id=str(order_id), store_id=str(store_id))
    return run


async def _line(
    session: AsyncSession, store: Store, data: TestOrderIn, order_id: uuid.UUID
) -> dict[str, Any]:
    """The test order's one line: what the caller named, else what the store has mapped (a mapped
    variant; for a manual store, the customer's first template), else an item nothing maps — which the
    report then names as the step to fix."""
    repository = TestRunRepository(session)
    line: dict[str, Any] = {
        "id": uuid.uuid4(),
        "order_id": order_id,
        "position": 0,
        "external_id": "1",
        "external_product_id": None,
        "external_variant_id": None,
        "sku": None,
        "title": "Test item",
        "variant_title": None,
        "quantity": data.quantity,
        "unit_price": Decimal(0),
        "properties": [],
        "product_uid": None,
        "template_id": None,
        "files": {},
        "options": {},
    }
    if store.platform == Platform.manual:
        if data.external_variant_id is not None:
            raise WrongLineKind("external_variant_id", store.platform)
        template_id = data.template_id
        if data.sku is None and template_id is None:
            template = await repository.first_template(store.customer_id)
            template_id = template.template_id if template is not None else None
        return {**line, "sku": data.sku, "template_id": template_id}
    for field in ("sku", "template_id"):
        if getattr(data, field) is not None:
            raise WrongLineKind(field, store.platform)
    mapping = await repository.mapping(store.store_id, data.external_variant_id)
    if mapping is None:
        named = f"Test item (variant {data.external_variant_id})" if data.external_variant_id else "Test item"
        return {**line, "external_variant_id": data.external_variant_id, "title": named}
    return {
        **line,
        "external_product_id": mapping.external_product_id,
        "external_variant_id": mapping.external_variant_id,
        "sku": mapping.sku,
        "title": f"Test item ({mapping.product_uid or 'variant ' + mapping.external_variant_id})",
    }


async def read(session: AsyncSession, scope: Scope, run_id: uuid.UUID) -> TestRunRead:
    run = await TestRunRepository(session).get(scope, run_id)
    if run is None:
        raise TestRunNotFound(run_id)
    return await _report(session, run)


async def list_runs(
    session: AsyncSession, scope: Scope, store_id: uuid.UUID | None, *, cursor: str | None, limit: int
) -> TestRunPage:
    rows = await TestRunRepository(session).list(
        scope, store_id, before=decode_time_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return TestRunPage(items=[await _report(session, run) for run in items], next_cursor=next_cursor)


async def _postbacks(session: AsyncSession, order_id: uuid.UUID) -> report.PostbackFacts:
    """Per endpoint that the order's events went to: delivered (any of them), or failing (the endpoint
    answered but never took one: its last answer), or still on its way."""
    by_endpoint: dict[str, list[PostbackDelivery]] = {}
    for url, delivery in await PostbackRepository(session).of_order(order_id):
        by_endpoint.setdefault(url, []).append(delivery)
    delivered, failing = 0, []
    for url, deliveries in by_endpoint.items():
        if any(d.status == DeliveryStatus.delivered for d in deliveries):
            delivered += 1
            continue
        attempts = sorted((a for d in deliveries for a in d.attempt_log), key=lambda a: a.at)
        if attempts:
            last = attempts[-1]
            answer = f"answered {last.status_code}" if last.status_code is not None else last.error
            failing.append(f"{url} {answer}")
    return report.PostbackFacts(endpoints=len(by_endpoint), delivered=delivered, failing=tuple(failing))


async def _report(session: AsyncSession, run: TestRun) -> TestRunRead:
    customer_view = Scope(customer_id=run.customer_id, store_ids=None)
    try:
        order = await orders.get(session, customer_view, run.order_id)
    except OrderNotFound:
        order = None
    line = None
    if order is not None and order.production_line_id is not None:
        line = await RoutingRepository(session).get_line(order.production_line_id)
    facts = report.Facts(
        order=order,
        production_line_name=line.name if line is not None else None,
        shop_fulfillment=fulfilment.summary(order) if order is not None else None,
        postbacks=await _postbacks(session, run.order_id),
    )
    steps = report.steps(facts)
    return TestRunRead(
        id=run.id,
        store_id=run.store_id,
        customer_id=run.customer_id,
        order_id=run.order_id,
        origin=run.origin,
        requested_by=run.requested_by,
        created_at=run.created_at,
        status=report.overall(steps),
        steps=steps,
    )
