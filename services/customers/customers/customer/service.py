import contextlib
import uuid
from collections.abc import AsyncIterator

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from customers.customer.exceptions import CustomerArchived, CustomerNotFound, ReferenceIdTaken
from customers.customer.repository import CustomerRepository
from customers.customer.schemas import Customer as CustomerRead
from customers.customer.schemas import CustomerCreate, CustomerPage, CustomerUpdate
from customers.models import Customer
from printbridge_shared.db import next_version, utcnow
from printbridge_shared.events.contracts import (
    CustomerArchived as CustomerArchivedEvent,
)
from printbridge_shared.events.contracts import (
    CustomerCreated,
    CustomerUpdated,
    EventData,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_position, encode_position


def to_read(customer: Customer) -> CustomerRead:
    return CustomerRead.model_validate(
        {
            "id": customer.id,
            "name": customer.name,
            "reference_id": customer.reference_id,
            "description": customer.description,
            "archived": customer.archived,
            "archived_at": customer.archived_at,
            "created_at": customer.created_at,
            "updated_at": customer.updated_at,
            "storefront_access": {
                "enabled": customer.storefront_enabled,
                "invitation_status": customer.invitation_status,
            },
        }
    )


def _snapshot(customer: Customer) -> dict[str, object]:
    return {
        "customer_id": customer.id,
        "name": customer.name,
        "reference_id": customer.reference_id,
        "description": customer.description,
        "archived": customer.archived,
        "updated_at": customer.updated_at,
    }


async def _ensure_reference_free(
    repository: CustomerRepository, reference_id: str, *, own_id: uuid.UUID | None = None
) -> None:
    existing = await repository.get_by_reference_key(reference_id.lower())
    if existing is not None and existing.id != own_id:
        raise ReferenceIdTaken(reference_id, existing.id)


@contextlib.asynccontextmanager
async def _guarding_reference(
    session: AsyncSession, repository: CustomerRepository, reference_id: str | None
) -> AsyncIterator[None]:
    """The changes made inside are written in a savepoint, where the unique index decides races between
    concurrent requests: exactly one wins, the others get 409. Only the savepoint is rolled back, never
    the unit of work around it (a consumer's batch keeps its other events' effects)."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError:
        if reference_id is None:
            raise
        existing = await repository.get_by_reference_key(reference_id.lower())
        if existing is None:
            raise
        raise ReferenceIdTaken(reference_id, existing.id) from None


async def record_event(session: AsyncSession, outbox: Outbox, customer: Customer, data: EventData) -> None:
    """Records an event about the customer as the next version of it (see docs/events.md)."""
    version = await next_version(session, customer)
    await outbox.record(
        session, data, customer_id=customer.id, aggregate_id=customer.id, aggregate_version=version
    )


async def create(session: AsyncSession, outbox: Outbox, payload: CustomerCreate) -> Customer:
    repository = CustomerRepository(session)
    if payload.reference_id is not None:
        await _ensure_reference_free(repository, payload.reference_id)
    now = utcnow()
    customer = Customer(
        id=uuid.uuid4(),
        name=payload.name,
        name_key=payload.name.lower(),
        reference_id=payload.reference_id,
        reference_key=payload.reference_id.lower() if payload.reference_id else None,
        description=payload.description,
        storefront_enabled=False,
        created_at=now,
        updated_at=now,
        # Its first event: nobody can change a customer before the transaction that creates it commits.
        version=1,
    )
    if payload.reference_id is None:
        repository.add(customer)  # nothing unique to race for: the id is new
        await session.flush()
    else:
        async with _guarding_reference(session, repository, payload.reference_id):
            repository.add(customer)
    created = CustomerCreated(**_snapshot(customer))
    await outbox.record(
        session, created, customer_id=customer.id, aggregate_id=customer.id, aggregate_version=1
    )
    return customer


async def get(session: AsyncSession, customer_id: uuid.UUID) -> Customer:
    customer = await CustomerRepository(session).get(customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


async def list_customers(
    session: AsyncSession, *, query: str | None, include_archived: bool, cursor: str | None, limit: int
) -> CustomerPage:
    rows = await CustomerRepository(session).list(
        query=query.strip() if query else None,
        include_archived=include_archived,
        after=decode_position(cursor),
        limit=limit + 1,
    )
    items = list(rows[:limit])
    next_cursor = encode_position(items[-1].name_key, items[-1].id) if len(rows) > limit else None
    return CustomerPage(items=[to_read(c) for c in items], next_cursor=next_cursor)


async def update(
    session: AsyncSession, outbox: Outbox, customer_id: uuid.UUID, payload: CustomerUpdate
) -> Customer:
    repository = CustomerRepository(session)
    customer = await get(session, customer_id)
    if customer.archived:
        raise CustomerArchived(customer_id)
    changes = payload.model_dump(exclude_unset=True)
    if "reference_id" in changes and changes["reference_id"] is not None:
        await _ensure_reference_free(repository, changes["reference_id"], own_id=customer.id)
    if not changes:
        return customer
    reference_id = changes.get("reference_id", customer.reference_id)
    async with _guarding_reference(session, repository, reference_id):
        for field, value in changes.items():
            setattr(customer, field, value)
        customer.name_key = customer.name.lower()
        customer.reference_key = customer.reference_id.lower() if customer.reference_id else None
        customer.updated_at = utcnow()
    await record_event(session, outbox, customer, CustomerUpdated(**_snapshot(customer)))
    return customer


async def archive(session: AsyncSession, outbox: Outbox, customer_id: uuid.UUID) -> None:
    customer = await get(session, customer_id)
    if customer.archived:
        return
    customer.archived_at = customer.updated_at = utcnow()
    await record_event(session, outbox, customer, CustomerArchivedEvent(**_snapshot(customer)))
