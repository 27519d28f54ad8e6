import uuid

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from orders.deps import OrdersManager, SessionDep
from orders.files import service
from orders.order import service as orders
from printbridge_shared.auth.permissions import Scope

router = APIRouter(tags=["orders"])


class Rechecking(BaseModel):
    queued: int = Field(description="How many of the order's print files are checked again.")


@router.post(
    "/v1/orders/{order_id}/files/recheck", status_code=status.HTTP_202_ACCEPTED, response_model=Rechecking
)
async def recheck_order_files(
    order_id: uuid.UUID, session: SessionDep, principal: OrdersManager
) -> Rechecking:
    """Checks the print files that came with the order again now (e.g. after fixing one at its address);
    a file that now passes releases the order by itself."""
    await orders.get(session, Scope.of(principal), order_id)
    return Rechecking(queued=await service.recheck(session, order_id))
