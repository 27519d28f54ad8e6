import uuid
from typing import Annotated

from fastapi import APIRouter, Header, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from orders.deps import OrdersManager, OutboxDep, SessionDep, SettingsDep
from orders.manual import service
from orders.manual.schemas import ManualOrderIn
from orders.order.schemas import Order
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.fields import Text

router = APIRouter(tags=["orders"])

REPLAYED_HEADER = "Idempotent-Replayed"


def _visible_ascii(key: str) -> str:
    if not key.isascii() or not key.isprintable() or " " in key:
        raise ValueError("use visible ASCII characters only, no spaces (e.g. a UUID)")
    return key


IdempotencyKeyHeader = Annotated[
    Annotated[Text, AfterValidator(_visible_ascii)] | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string per order, e.g. a UUID (recommended). A repeat of the same "
        "request with the same key within 24 hours gets the first answer again (header "
        "`Idempotent-Replayed: true`) instead of a second order; the same key with another body is 422.",
    ),
]


@router.post(
    "/v1/stores/{store_id}/orders",
    response_model=Order,
    status_code=status.HTTP_201_CREATED,
    responses={
        201: {
            "headers": {
                "Location": {
                    "description": "The order's address, `/v1/orders/{id}`.",
                    "schema": {"type": "string"},
                },
                REPLAYED_HEADER: {
                    "description": "`true` when this is the stored answer to an earlier request with the "
                    "same Idempotency-Key (no second order was placed).",
                    "schema": {"type": "string", "enum": ["true"]},
                },
            }
        },
        404: {"description": "No such store, or not one the caller sees."},
        409: {"description": "A shop's store, a disconnected store, or a reference already used."},
    },
)
async def place_manual_order(
    store_id: uuid.UUID,
    body: ManualOrderIn,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    principal: OrdersManager,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Places one order into a manual store; it is then listed and read like any order
    (docs/orders-manual.md)."""
    placed = await service.create_order(
        session,
        outbox,
        Scope.of(principal),
        store_id,
        body,
        idempotency_key=idempotency_key,
        allow_private=settings.allow_private_urls,
    )
    headers = {"Location": f"/v1/orders/{placed.order_id}"}
    if placed.replayed:
        headers[REPLAYED_HEADER] = "true"
    return JSONResponse(placed.order, status_code=status.HTTP_201_CREATED, headers=headers)
