import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from customers.customer import service
from customers.customer.schemas import Customer, CustomerCreate, CustomerPage, CustomerUpdate
from customers.deps import OperatorPrincipal, OutboxDep, ReadSessionDep, SessionDep
from printbridge_shared.fields import Text
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Customer, responses=problems(409))
async def create_customer(
    payload: CustomerCreate,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    _principal: OperatorPrincipal,
) -> Customer:
    """Create a customer of the producer (a brand, agency or reseller)."""
    customer = service.to_read(await service.create(session, outbox, payload))
    response.headers["Location"] = f"{router.prefix}/{customer.id}"
    return customer


@router.get("", response_model=CustomerPage)
async def list_customers(
    session: ReadSessionDep,
    _principal: OperatorPrincipal,
    query: Annotated[
        Text | None, Query(max_length=200, description="Case-insensitive part of the name or reference ID.")
    ] = None,
    include_archived: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CustomerPage:
    """List customers by name; archived ones only with `include_archived=true`."""
    return await service.list_customers(
        session, query=query, include_archived=include_archived, cursor=cursor, limit=limit
    )


@router.get("/{customer_id}", response_model=Customer)
async def get_customer(
    customer_id: uuid.UUID, session: ReadSessionDep, _principal: OperatorPrincipal
) -> Customer:
    """One customer, archived or not."""
    return service.to_read(await service.get(session, customer_id))


@router.patch("/{customer_id}", response_model=Customer, responses=problems(409))
async def update_customer(
    customer_id: uuid.UUID,
    payload: CustomerUpdate,
    session: SessionDep,
    outbox: OutboxDep,
    _principal: OperatorPrincipal,
) -> Customer:
    """Change name, reference ID or description; only the fields sent change."""
    return service.to_read(await service.update(session, outbox, customer_id, payload))


@router.delete("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def archive_customer(
    customer_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> None:
    """Archive the customer: hidden from lists by default; its reference ID stays reserved."""
    await service.archive(session, outbox, customer_id)
