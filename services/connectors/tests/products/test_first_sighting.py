"""A product the shop shows for the first time to two transactions at once (a sync and a publish, or two
connectors replicas) is published once: the second waits for the first and finds it unchanged."""

import asyncio
import datetime as dt
import uuid

from connectors.platforms.base import ProductVersion
from connectors.products import service as products
from connectors.store import service as stores

SEEN_AT = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


async def test_a_new_product_accepted_by_two_transactions_at_once_is_published_once(app, make_store):
    store = stores.ref(await make_store(uuid.uuid4()))
    version = ProductVersion(
        external_id="7513594",
        title="Flyer",
        active=True,
        platform_status="ACTIVE",
        variants=(),
        source_updated_at=SEEN_AT,
    )

    async def accept() -> tuple[str, int]:
        async with app.state.db.session() as session:
            return await products.accept_product(session, app.state.outbox, store, version)

    outcomes = await asyncio.gather(accept(), accept())

    assert sorted(outcomes) == sorted([(products.PUBLISHED, 1), (products.UNCHANGED, 1)])
