"""Each version of a shop order is published once: the first as received, a newer one as updated, a
cancellation as cancelled; repeats and older versions publish nothing. Deliveries are kept once per change."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from connectors.intake import service as intake
from connectors.models import WebhookDelivery, jobs, messaging
from connectors.platforms.base import OrderVersion
from connectors.store.service import ref
from printbridge_shared.testing import recorded_events

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def version(
    at: dt.datetime,
    *,
    external_id: str = "5912345678901234567",
    cancelled: bool = False,
    total: str = "64.90",
):
    return OrderVersion(
        fields={
            "external_id": external_id,
            "external_number": "#1042",
            "currency": "EUR",
            "total_price": Decimal(total),
            "placed_at": T0,
            "source_updated_at": at,
            "line_items": [
                {
                    "external_id": "14123456789012345678",
                    "external_product_id": "8123456789012",
                    "external_variant_id": "45123456789012",
                    "sku": "POSTER-A2-MATT",
                    "title": "Poster",
                    "quantity": 2,
                    "unit_price": Decimal("24.95"),
                    "properties": [{"name": "_artwork_url", "value": "https://cdn.example.com/a.pdf"}],
                }
            ],
        },
        cancelled=cancelled,
        cancel_reason="customer" if cancelled else None,
    )


@pytest.fixture
async def accept(app, client, make_store):
    store = ref(await make_store(uuid.uuid4()))

    async def accept(v: OrderVersion) -> str:
        async with app.state.db.session() as session:
            return await intake.accept_order(session, app.state.outbox, store, v)

    accept.store = store  # type: ignore[attr-defined]
    return accept


async def published(app):
    return [
        (e.type, e.data["source_updated_at"], e.data["total_price"])
        for e in await recorded_events(app.state.db, messaging.outbox)
        if e.type.startswith("shop_order.")
    ]


async def test_the_first_version_is_received_and_a_newer_one_updated(app, accept):
    assert await accept(version(T0)) == intake.PUBLISHED
    assert await accept(version(T0 + dt.timedelta(minutes=1), total="70.00")) == intake.PUBLISHED
    assert await published(app) == [
        ("shop_order.received", "2026-11-30T09:00:00Z", "64.90"),
        ("shop_order.updated", "2026-11-30T09:01:00Z", "70.00"),
    ]


async def test_a_repeated_or_older_version_publishes_nothing(app, accept):
    await accept(version(T0 + dt.timedelta(minutes=5)))
    assert await accept(version(T0 + dt.timedelta(minutes=5))) == intake.STALE
    assert await accept(version(T0)) == intake.STALE
    assert len(await published(app)) == 1


async def test_a_cancellation_is_published_even_at_the_same_time_but_only_once(app, accept):
    await accept(version(T0))
    assert await accept(version(T0, cancelled=True)) == intake.PUBLISHED
    assert await accept(version(T0, cancelled=True)) == intake.STALE
    events = await recorded_events(app.state.db, messaging.outbox)
    cancelled = [e for e in events if e.type == "shop_order.cancelled"]
    assert len(cancelled) == 1 and cancelled[0].data["cancel_reason"] == "customer"


async def test_the_event_carries_the_store_customer_and_exact_ids_and_money(app, accept):
    await accept(version(T0))
    (event,) = [
        e for e in await recorded_events(app.state.db, messaging.outbox) if e.type.startswith("shop_order.")
    ]
    store = accept.store
    assert (event.data["store_id"], event.data["customer_id"], event.data["platform"]) == (
        str(store.id),
        str(store.customer_id),
        "shopify",
    )
    assert event.customer_id == store.customer_id
    assert event.data["external_id"] == "5912345678901234567"
    assert event.data["line_items"][0]["external_id"] == "14123456789012345678"
    assert event.data["line_items"][0]["unit_price"] == "24.95"


async def test_orders_of_different_stores_with_the_same_external_id_are_different_orders(
    app, accept, make_store
):
    await accept(version(T0))
    other = ref(await make_store(uuid.uuid4()))
    async with app.state.db.session() as session:
        assert await intake.accept_order(session, app.state.outbox, other, version(T0)) == intake.PUBLISHED
    assert [t for t, _, _ in await published(app)] == ["shop_order.received", "shop_order.received"]


async def test_a_delivery_is_kept_once_per_change(app, client, make_store):
    store = await make_store(uuid.uuid4())
    async with app.state.db.session() as session:
        first = await intake.keep_delivery(
            session, store.id, "shopify", "orders/create", "orders/create:e1", {"x": "1"}, b"{}"
        )
    async with app.state.db.session() as session:
        repeat = await intake.keep_delivery(
            session, store.id, "shopify", "orders/create", "orders/create:e1", {}, b"{}"
        )
    assert first is not None and repeat is None
    async with app.state.db.session() as session:
        kept = await session.get(WebhookDelivery, first)
    assert (kept.body, kept.headers, kept.outcome) == (b"{}", {"x": "1"}, intake.IGNORED)


async def test_a_version_that_makes_no_valid_event_raises_before_anything_is_written(app, accept):
    broken = version(T0)
    broken.fields["line_items"] = [{"external_id": "1"}]  # a line without title, quantity, price
    with pytest.raises(ValidationError):
        await accept(broken)
    # nothing was kept of it: the readable version that follows is still the first one
    assert await accept(version(T0)) == intake.PUBLISHED
    assert [t for t, _, _ in await published(app)] == ["shop_order.received"]


async def test_a_delivery_kept_with_its_outcome_dedupes_in_the_same_statement(app, client, make_store):
    store = await make_store(uuid.uuid4())
    async with app.state.db.session() as session:
        kept = await intake.keep_delivery(
            session,
            store.id,
            "shopify",
            "orders/create",
            "orders/create:e2",
            {"x": "1"},
            b"{}",
            outcome=intake.FAILED,
            error="unreadable",
        )
    async with app.state.db.session() as session:
        repeat = await intake.keep_delivery(
            session,
            store.id,
            "shopify",
            "orders/create",
            "orders/create:e2",
            {},
            b"{}",
            outcome=intake.PUBLISHED,
        )
        assert repeat is None
        assert kept is not None
        row = await session.get(WebhookDelivery, kept)
        assert row is not None
        assert (row.outcome, row.error, row.headers) == (intake.FAILED, "unreadable", {"x": "1"})
        await intake.set_outcome(session, kept, intake.STALE)
    async with app.state.db.read_session() as session:
        row = await session.get(WebhookDelivery, kept)
        assert row is not None and (row.outcome, row.error) == (intake.STALE, None)


async def test_each_published_version_carries_the_next_revision(app, accept):
    await accept(version(T0))
    await accept(version(T0 + dt.timedelta(minutes=1), total="70.00"))
    await accept(version(T0 + dt.timedelta(minutes=1), cancelled=True, total="70.00"))
    events = [
        e for e in await recorded_events(app.state.db, messaging.outbox) if e.type.startswith("shop_order.")
    ]
    assert [(e.type, e.data["revision"]) for e in events] == [
        ("shop_order.received", 1),
        ("shop_order.updated", 2),
        ("shop_order.cancelled", 3),
    ]


async def test_a_version_of_the_same_second_with_other_contents_is_fetched_again(app, accept):
    await accept(version(T0, total="64.90"))
    async with app.state.db.session() as session:
        outcome = await intake.accept_order(
            session, app.state.outbox, accept.store, version(T0, total="70.00")
        )
        # Seen inside the transaction: once committed, the job runs at once and is gone.
        kinds = (await session.scalars(select(jobs.jobs.c.kind))).all()
    assert outcome == intake.REFETCHING
    assert intake.REFETCH_ORDER in kinds
    assert len(await published(app)) == 1
    # A repeat of the published version is no reason to ask again.
    assert await accept(version(T0, total="64.90")) == intake.STALE


async def test_what_the_shop_has_now_is_published_as_the_next_revision_of_the_same_second(app, accept):
    await accept(version(T0, total="64.90"))
    store = accept.store
    async with app.state.db.session() as session:
        outcome = await intake.accept_order(
            session, app.state.outbox, store, version(T0, total="70.00"), current=True
        )
    assert outcome == intake.PUBLISHED
    async with app.state.db.session() as session:
        again = await intake.accept_order(
            session, app.state.outbox, store, version(T0, total="70.00"), current=True
        )
    assert again == intake.STALE
    events = [
        e for e in await recorded_events(app.state.db, messaging.outbox) if e.type.startswith("shop_order.")
    ]
    assert [(e.type, e.data["total_price"], e.data["revision"]) for e in events] == [
        ("shop_order.received", "64.90", 1),
        ("shop_order.updated", "70.00", 2),
    ]
