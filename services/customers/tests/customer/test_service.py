"""The customer service inside a unit of work: each event about a customer is its next version, and a
lost race for a reference id rolls back only its own savepoint, never the unit of work around it."""

import json

import pytest
from sqlalchemy import select

from customers.customer import service
from customers.customer.exceptions import ReferenceIdTaken
from customers.customer.repository import CustomerRepository
from customers.customer.schemas import CustomerCreate, CustomerUpdate
from customers.models import Customer, messaging
from customers.storefront_access import service as storefront_access
from customers.storefront_access.schemas import StorefrontAccessUpdate
from printbridge_shared.events.envelope import Envelope


@pytest.fixture
def db(app):
    return app.state.db


async def recorded(db) -> list[Envelope]:
    async with db.sessionmaker() as session:
        table = messaging.outbox
        rows = await session.scalars(select(table.c.envelope).order_by(table.c.seq))
        return [Envelope.model_validate(json.loads(raw)) for raw in rows]


async def test_every_event_about_a_customer_carries_its_next_version(client, app, db):
    outbox = app.state.outbox
    async with db.sessionmaker() as session, session.begin():
        customer = await service.create(session, outbox, CustomerCreate(name="Acme"))
    async with db.sessionmaker() as session, session.begin():
        await service.update(session, outbox, customer.id, CustomerUpdate(name="Acme Prints"))
    admin = {"email": "anna@acme.example", "first_name": "Anna", "last_name": "Berg"}
    async with db.sessionmaker() as session, session.begin():
        await storefront_access.update(
            session, outbox, customer.id, StorefrontAccessUpdate(enabled=True, admin=admin)
        )
    async with db.sessionmaker() as session, session.begin():
        await service.archive(session, outbox, customer.id)

    events = [e for e in await recorded(db) if e.aggregate_id == customer.id]

    assert [(e.type, e.aggregate_version) for e in events] == [
        ("customer.created", 1),
        ("customer.updated", 2),
        ("storefront.access_enabled", 3),
        ("customer.archived", 4),
    ]
    async with db.sessionmaker() as session:
        assert (await session.get(Customer, customer.id)).version == 4


async def test_a_lost_reference_race_keeps_the_rest_of_the_unit_of_work(client, app, db, monkeypatch):
    outbox = app.state.outbox
    async with db.sessionmaker() as session, session.begin():
        taken = await service.create(session, outbox, CustomerCreate(name="First", reference_id="REF-1"))
    lookup = CustomerRepository.get_by_reference_key
    misses = []

    async def misses_once(self, reference_key):
        """The check runs before the other request committed: it sees nothing the first time."""
        if not misses:
            misses.append(reference_key)
            return None
        return await lookup(self, reference_key)

    monkeypatch.setattr(CustomerRepository, "get_by_reference_key", misses_once)

    async with db.sessionmaker() as session, session.begin():
        kept = await service.create(session, outbox, CustomerCreate(name="Kept"))
        with pytest.raises(ReferenceIdTaken) as lost:
            await service.create(session, outbox, CustomerCreate(name="Second", reference_id="ref-1"))
        assert await session.get(Customer, kept.id) is not None

    assert str(taken.id) in str(lost.value)
    async with db.sessionmaker() as session:
        names = sorted((await session.scalars(select(Customer.name))).all())
    assert names == ["First", "Kept"]
    assert [e.type for e in await recorded(db)] == ["customer.created", "customer.created"]
