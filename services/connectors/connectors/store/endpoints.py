import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from connectors.deps import OutboxDep, PlatformsDep, ReadSessionDep, Requires, SessionDep
from connectors.store import login, schemas, service, setup
from printbridge_shared.auth.permissions import Permission, Scope
from printbridge_shared.auth.principal import Principal
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(prefix="/v1/stores", tags=["stores"])

Connecting = Annotated[Principal, Depends(Requires(Permission.stores_connect))]
Reading = Annotated[Principal, Depends(Requires(Permission.stores_read))]
Managing = Annotated[Principal, Depends(Requires(Permission.stores_manage))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.StoreCreated,
    responses=problems(409, 422, 503),
)
async def connect_store(
    payload: schemas.StoreConnect,
    response: Response,
    read_session: ReadSessionDep,
    session: SessionDep,
    outbox: OutboxDep,
    platforms: PlatformsDep,
    principal: Connecting,
) -> schemas.StoreCreated:
    """Connect a shop. WooCommerce: the keys are verified with real calls and the store answers
    `connected` (or 422 whose `type` names the cause). Shopify: the store is `pending` until the merchant
    grants access at `authorize_url`."""
    store, authorize_url = await service.create(
        read_session, session, outbox, platforms.context(), platforms.box, principal, payload
    )
    response.headers["Location"] = f"{router.prefix}/{store.id}"
    return schemas.StoreCreated(
        store=service.to_read(store),
        authorize_url=authorize_url,
        setup=setup.describe(platforms, store),
    )


@router.get("", response_model=schemas.StorePage)
async def list_stores(
    session: ReadSessionDep,
    principal: Reading,
    customer_id: uuid.UUID | None = None,
    platform: Platform | None = None,
    status: StoreStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> schemas.StorePage:
    """Stores by name: all for operators, a customer's own for its users (a store manager's only)."""
    return await service.list_stores(
        session,
        Scope.of(principal),
        customer_id=customer_id,
        platform=platform,
        status=status,
        cursor=cursor,
        limit=limit,
    )


@router.get("/{store_id}", response_model=schemas.StoreDetail)
async def get_store(store_id: uuid.UUID, session: ReadSessionDep, principal: Reading) -> schemas.StoreDetail:
    """One store with its health (`status`, `problems` with their fixes) and its history."""
    return await service.detail(session, Scope.of(principal), store_id)


@router.patch("/{store_id}", response_model=schemas.Store)
async def update_store(
    store_id: uuid.UUID,
    payload: schemas.StoreUpdate,
    session: SessionDep,
    outbox: OutboxDep,
    principal: Managing,
) -> schemas.Store:
    """Rename the store."""
    return service.to_read(await service.rename(session, outbox, Scope.of(principal), store_id, payload.name))


@router.delete("/{store_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def disconnect_store(
    store_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: Managing
) -> None:
    """Disconnect: our webhooks are removed from the shop, the credentials forgotten, no more calls are
    made; the store's orders stay."""
    await service.disconnect_by_user(session, outbox, Scope.of(principal), store_id)


@router.post(
    "/{store_id}/reconcile",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.Store,
    responses=problems(409),
)
async def reconcile_store(store_id: uuid.UUID, session: SessionDep, principal: Managing) -> schemas.Store:
    """Poll the shop now for orders that no webhook brought (and re-create vanished webhooks)."""
    return service.to_read(await service.request_reconcile(session, Scope.of(principal), store_id))


@router.post("/{store_id}/reconnect", response_model=schemas.StoreCreated, responses=problems(409, 422, 503))
async def reconnect_store(
    store_id: uuid.UUID,
    session: SessionDep,
    platforms: PlatformsDep,
    principal: Managing,
    payload: schemas.StoreReconnect | None = None,
) -> schemas.StoreCreated:
    """Grant access again (OAuth platforms, e.g. after `token_revoked` or `scope_missing`): answers a new
    `authorize_url` for the same store; once the merchant has granted access, the store takes the new
    credentials and its access problems are cleared."""
    store, authorize_url = await service.reconnect(
        session,
        platforms.context(),
        platforms.box,
        Scope.of(principal),
        store_id,
        payload.return_url if payload else None,
    )
    return schemas.StoreCreated(store=service.to_read(store), authorize_url=authorize_url)


@router.get("/{store_id}/webhook-setup", response_model=schemas.StoreSetup, responses=problems(409))
async def get_webhook_setup(
    store_id: uuid.UUID, session: ReadSessionDep, platforms: PlatformsDep, principal: Managing
) -> schemas.StoreSetup:
    """For platforms whose webhooks the producer enters by hand (Pressero): the webhook address and
    security key to enter in the shop's admin, the events to tick, and where (409 for other platforms
    and disconnected stores)."""
    return await setup.show(session, platforms, Scope.of(principal), store_id)


@router.post("/{store_id}/webhook-setup/rotate", response_model=schemas.StoreSetup, responses=problems(409))
async def rotate_webhook_key(
    store_id: uuid.UUID, session: SessionDep, platforms: PlatformsDep, principal: Managing
) -> schemas.StoreSetup:
    """A new security key (the old one is refused from now on): enter it in the shop's admin at once;
    orders meanwhile arrive by polling."""
    return await setup.rotate(session, platforms, Scope.of(principal), store_id)


@router.put("/{store_id}/credentials", response_model=schemas.Store, responses=problems(409, 422))
async def update_store_credentials(
    store_id: uuid.UUID,
    payload: schemas.StoreCredentials,
    session: SessionDep,
    outbox: OutboxDep,
    platforms: PlatformsDep,
    principal: Managing,
) -> schemas.Store:
    """Stores connected with a user's login (Pressero): the new password (and user name), verified by the
    platform at once (422 when refused); the store's problems are cleared and it is polled. Other
    platforms answer 409 (they reconnect)."""
    store = await login.update(session, outbox, platforms, Scope.of(principal), store_id, payload)
    return service.to_read(store)
