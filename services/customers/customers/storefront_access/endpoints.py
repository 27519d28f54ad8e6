import uuid

from fastapi import APIRouter

from customers.customer import service as customer_service
from customers.deps import OperatorPrincipal, OutboxDep, ReadSessionDep, SessionDep
from customers.storefront_access import service
from customers.storefront_access.schemas import StorefrontAccess, StorefrontAccessUpdate
from printbridge_shared.openapi import problems

router = APIRouter(prefix="/v1/customers/{customer_id}/storefront-access", tags=["storefront access"])


@router.get("", response_model=StorefrontAccess)
async def get_storefront_access(
    customer_id: uuid.UUID, session: ReadSessionDep, _principal: OperatorPrincipal
) -> StorefrontAccess:
    """Whether the customer may use Storefronts, who its admin is, and how far the invitation got."""
    return service.to_read(await customer_service.get(session, customer_id))


@router.put("", response_model=StorefrontAccess, responses=problems(409))
async def update_storefront_access(
    customer_id: uuid.UUID,
    payload: StorefrontAccessUpdate,
    session: SessionDep,
    outbox: OutboxDep,
    _principal: OperatorPrincipal,
) -> StorefrontAccess:
    """Turn access on (naming the admin, who is then invited by e-mail) or off (the customer's users
    can no longer log in; turning it on again restores them)."""
    return service.to_read(await service.update(session, outbox, customer_id, payload))


@router.post("/resend-invitation", response_model=StorefrontAccess, status_code=202, responses=problems(409))
async def resend_invitation(
    customer_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> StorefrontAccess:
    """Send the admin a fresh invitation; the previous link stops working."""
    return service.to_read(await service.resend_invitation(session, outbox, customer_id))
