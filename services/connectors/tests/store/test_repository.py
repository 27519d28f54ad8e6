"""The webhook path's store lookup: a shop's live store, else the one disconnected last."""

import uuid

from connectors.store.repository import StoreRepository
from printbridge_shared.events.contracts import Platform, StoreStatus

SHOP = "lookup.myshopify.com"


async def lookup(app, shop: str = SHOP):
    async with app.state.db.read_session() as session:
        return await StoreRepository(session).latest_ref_for_shop(Platform.shopify, shop)


async def test_a_shop_no_store_knows_finds_nothing(app):
    assert await lookup(app, "nobody.myshopify.com") is None


async def test_the_live_store_is_found_before_a_disconnected_one(app, make_store):
    customer = uuid.uuid4()
    await make_store(customer, shop_key=SHOP, status=StoreStatus.disconnected)
    live = await make_store(customer, name="Acme Again", shop_key=SHOP, status=StoreStatus.pending)
    await make_store(customer, name="Acme Later", shop_key=SHOP, status=StoreStatus.disconnected)
    ref, status = await lookup(app)
    assert (ref.id, ref.customer_id, ref.platform, ref.shop_key, ref.name) == (
        live.id,
        customer,
        Platform.shopify,
        SHOP,
        "Acme Again",
    )
    assert status == StoreStatus.pending


async def test_without_a_live_store_the_one_disconnected_last_is_found(app, make_store):
    customer = uuid.uuid4()
    await make_store(customer, shop_key=SHOP, status=StoreStatus.disconnected)
    last = await make_store(customer, name="Acme Later", shop_key=SHOP, status=StoreStatus.disconnected)
    ref, status = await lookup(app)
    assert (ref.id, status) == (last.id, StoreStatus.disconnected)
