"""An order's history entries are numbered 1, 2, … without gaps: a transaction asks the database for the
latest number once per order and counts on, and asks again after its commit or a rollback."""

import uuid

from sqlalchemy import select

from orders.models import Order, OrderEvent, OrderEventKind
from orders.order.repository import OrderRepository
from printbridge_shared.db import Database, utcnow


def entry(order_id: uuid.UUID, sequence: int) -> OrderEvent:
    return OrderEvent(
        order_id=order_id, at=utcnow(), sequence=sequence, kind=OrderEventKind.updated, detail="a test entry"
    )


async def numbers(db: Database, order_id: uuid.UUID) -> list[int]:
    async with db.read_session() as session:
        query = (
            select(OrderEvent.sequence).where(OrderEvent.order_id == order_id).order_by(OrderEvent.sequence)
        )
        return list((await session.scalars(query)).all())


async def test_the_next_number_is_counted_on_within_a_transaction_and_asked_again_after_a_rollback_or_commit(
    client, deliver, shop_order, database_url
):
    assert await deliver(shop_order("received"))
    db = Database(database_url)
    try:
        async with db.session() as session:
            order_id = await session.scalar(select(Order.id).with_for_update())
            repository = OrderRepository(session)
            held = len(await numbers(db, order_id))
            first = await repository.next_sequence(order_id)
            await repository.add_history(entry(order_id, first))
            savepoint = await session.begin_nested()
            undone = await repository.next_sequence(order_id)
            await repository.add_history(entry(order_id, undone))
            await savepoint.rollback()
            after_rollback = await repository.next_sequence(order_id)
            await repository.add_history(entry(order_id, after_rollback))
            await session.commit()
            async with db.session() as other:
                await OrderRepository(other).add_history(entry(order_id, after_rollback + 1))
            after_commit = await repository.next_sequence(order_id)

        assert (first, undone, after_rollback, after_commit) == (held + 1, held + 2, held + 2, held + 4)
        assert await numbers(db, order_id) == list(range(1, held + 4))
    finally:
        await db.dispose()
