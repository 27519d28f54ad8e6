import uuid

from fastapi import APIRouter, Response, status

from orders.deps import OrdersManager, OrdersReader, OutboxDep, ReadSessionDep, SessionDep
from orders.testorders import service
from orders.testorders.schemas import TestOrderIn, TestRunPage, TestRunRead
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["test orders"])


@router.post(
    "/v1/stores/{store_id}/test-order",
    response_model=TestRunRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        202: {
            "headers": {
                "Location": {
                    "description": "The run's report, `/v1/test-orders/{id}`.",
                    "schema": {"type": "string"},
                }
            }
        },
        404: {"description": "No such store, or not one the caller sees."},
        409: {"description": "The store is disconnected."},
    },
)
async def place_test_order(
    store_id: uuid.UUID,
    session: SessionDep,
    outbox: OutboxDep,
    principal: OrdersManager,
    response: Response,
    body: TestOrderIn | None = None,
) -> TestRunRead:
    """Places a test order in the store and starts its run: the order goes the whole way a real one goes
    except production, and `GET /v1/test-orders/{id}` reports each step as it gets there
    (docs/test-orders.md)."""
    run = await service.place(session, outbox, principal, store_id, body or TestOrderIn())
    response.headers["Location"] = f"/v1/test-orders/{run.id}"
    return await service.read(session, Scope.of(principal), run.id)


@router.get("/v1/test-orders", response_model=TestRunPage)
async def list_test_orders(
    session: ReadSessionDep,
    principal: OrdersReader,
    store_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> TestRunPage:
    """The test runs the caller may see, newest first; `store_id` narrows them to one store."""
    return await service.list_runs(session, Scope.of(principal), store_id, cursor=cursor, limit=limit)


@router.get(
    "/v1/test-orders/{run_id}",
    response_model=TestRunRead,
    responses={404: {"description": "No such run, or not one the caller sees."}},
)
async def get_test_order(run_id: uuid.UUID, session: ReadSessionDep, principal: OrdersReader) -> TestRunRead:
    """The run's report: each step passed, failed (with the reason and the fix) or pending."""
    return await service.read(session, Scope.of(principal), run_id)
