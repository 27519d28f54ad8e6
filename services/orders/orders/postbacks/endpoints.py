import uuid
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Query, Request, Response, status

from orders.deps import ProducerManager, ReadSessionDep, SessionDep, SettingsDep
from orders.models import DeliveryStatus
from orders.postbacks import service
from orders.postbacks.schemas import (
    Delivery,
    DeliveryPage,
    Endpoint,
    EndpointCreate,
    EndpointPage,
    EndpointUpdate,
    EndpointWithSecret,
    SecretRotated,
    TestPingResult,
)
from orders.postbacks.secrets import SecretBox
from printbridge_shared.db import Database
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

ENDPOINTS = "/v1/postbacks/endpoints"
DELIVERIES = "/v1/postbacks/deliveries"
router = APIRouter(tags=["postbacks"])


async def _box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.postback_secrets
    return box


async def _http(request: Request) -> httpx.AsyncClient:
    http: httpx.AsyncClient = request.app.state.postback_http
    return http


async def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


SecretBoxDep = Annotated[SecretBox, Depends(_box)]
HttpDep = Annotated[httpx.AsyncClient, Depends(_http)]
DatabaseDep = Annotated[Database, Depends(_db)]


@router.post(
    ENDPOINTS, status_code=status.HTTP_201_CREATED, response_model=EndpointWithSecret, responses=problems()
)
async def create_postback_endpoint(
    payload: EndpointCreate,
    response: Response,
    session: SessionDep,
    box: SecretBoxDep,
    settings: SettingsDep,
    _principal: ProducerManager,
) -> EndpointWithSecret:
    """Add an endpoint that receives the order statuses in `events` (all when left out), of one customer's
    orders or of all. The answer holds its signing `secret`, shown only this once."""
    endpoint = await service.create_endpoint(session, box, payload, allow_private=settings.allow_private_urls)
    response.headers["Location"] = f"{ENDPOINTS}/{endpoint.id}"
    return endpoint


@router.get(ENDPOINTS, response_model=EndpointPage)
async def list_postback_endpoints(
    session: ReadSessionDep, _principal: ProducerManager, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> EndpointPage:
    """Every endpoint, oldest first, with its health."""
    return await service.list_endpoints(session, cursor=cursor, limit=limit)


@router.get(ENDPOINTS + "/{endpoint_id}", response_model=Endpoint)
async def get_postback_endpoint(
    endpoint_id: uuid.UUID, session: ReadSessionDep, _principal: ProducerManager
) -> Endpoint:
    """One endpoint with its health: `last_success_at`, `failing_since`, `consecutive_failures`,
    `pending_count`, `disabled_reason`."""
    return await service.read_endpoint(session, endpoint_id)


@router.patch(ENDPOINTS + "/{endpoint_id}", response_model=Endpoint)
async def update_postback_endpoint(
    endpoint_id: uuid.UUID,
    payload: EndpointUpdate,
    session: SessionDep,
    settings: SettingsDep,
    _principal: ProducerManager,
) -> Endpoint:
    """Change the fields sent. `enabled` true (after a 410 disabled it, say) sends what waited, in order."""
    return await service.update_endpoint(
        session, endpoint_id, payload, allow_private=settings.allow_private_urls
    )


@router.delete(ENDPOINTS + "/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_postback_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, _principal: ProducerManager
) -> None:
    """Delete the endpoint and its delivery log; nothing more is sent to it."""
    await service.delete_endpoint(session, endpoint_id)


@router.post(ENDPOINTS + "/{endpoint_id}/secret/rotate", response_model=SecretRotated)
async def rotate_postback_secret(
    endpoint_id: uuid.UUID, session: SessionDep, box: SecretBoxDep, _principal: ProducerManager
) -> SecretRotated:
    """A new signing secret, shown only now; for 24 hours every postback carries a signature with the
    previous one too (`webhook-signature` lists both), so the receiver can switch without losing any."""
    return await service.rotate_secret(session, box, endpoint_id)


@router.post(ENDPOINTS + "/{endpoint_id}/test", response_model=TestPingResult)
async def test_postback_endpoint(
    endpoint_id: uuid.UUID,
    db: DatabaseDep,
    http: HttpDep,
    box: SecretBoxDep,
    settings: SettingsDep,
    _principal: ProducerManager,
) -> TestPingResult:
    """Send a signed test postback (`type: "postback.test"`) now and answer with its outcome: the status
    code the endpoint answered (or the error) and how long it took. It shows in the delivery log."""
    return await service.send_test(db, http, box, endpoint_id, timeout_s=settings.postback_timeout_s)


@router.get(ENDPOINTS + "/{endpoint_id}/deliveries", response_model=DeliveryPage)
async def list_postback_deliveries(
    endpoint_id: uuid.UUID,
    session: ReadSessionDep,
    _principal: ProducerManager,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries with this status.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, each with its attempts."""
    return await service.list_deliveries(session, endpoint_id, status=status, cursor=cursor, limit=limit)


@router.get(DELIVERIES + "/{delivery_id}", response_model=Delivery)
async def get_postback_delivery(
    delivery_id: uuid.UUID, session: ReadSessionDep, _principal: ProducerManager
) -> Delivery:
    """One delivery with its payload and attempts."""
    return service.delivery_to_read(await service.get_delivery(session, delivery_id))


@router.post(
    DELIVERIES + "/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Delivery,
    responses=problems(409),
)
async def redeliver_postback(
    delivery_id: uuid.UUID, session: SessionDep, _principal: ProducerManager
) -> Delivery:
    """Send a delivered or failed delivery again, now (in its order's turn); 409 for one still pending."""
    return await service.redeliver(session, delivery_id)
