import uuid

from fastapi import APIRouter, Response, status

from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit
from printbridge_shared.security_headers import NO_STORE
from storefront_auth.api_key import service
from storefront_auth.api_key.schemas import (
    ApiKeyCreate,
    ApiKeyPage,
    CreatedApiKey,
    Introspection,
    IntrospectionRequest,
)
from storefront_auth.deps import OperatorPrincipal, OutboxDep, ReadSessionDep, SessionDep

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"])

# Called by the other services' TokenVerifier; the gateway refuses /internal/* from outside.
internal_router = APIRouter(prefix="/internal/v1/api-keys", include_in_schema=False)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CreatedApiKey)
async def create_api_key(
    payload: ApiKeyCreate,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    _principal: OperatorPrincipal,
) -> CreatedApiKey:
    """Create an operator API key. The key is in this response only; afterwards just its last four
    characters are shown."""
    response.headers.update(NO_STORE)
    api_key, key = await service.create_api_key(session, outbox, name=payload.name)
    response.headers["Location"] = f"{router.prefix}/{api_key.id}"
    return service.to_created(api_key, key)


@router.get("", response_model=ApiKeyPage)
async def list_api_keys(
    session: ReadSessionDep,
    _principal: OperatorPrincipal,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ApiKeyPage:
    """All API keys, newest first, revoked ones included (with `revoked_at`)."""
    return await service.list_api_keys(session, cursor=cursor, limit=limit)


@router.delete("/{api_key_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def revoke_api_key(
    api_key_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, _principal: OperatorPrincipal
) -> None:
    """Revoke the key; every service refuses it within seconds. Revoking twice is harmless."""
    await service.revoke_api_key(session, outbox, api_key_id)


@internal_router.post("/introspect", response_model=Introspection)
async def introspect_api_key(payload: IntrospectionRequest, session: ReadSessionDep) -> Introspection:
    """The active key's id and name; 404 for an unknown or revoked key."""
    api_key = await service.introspect(session, payload.key)
    return Introspection(api_key_id=api_key.id, name=api_key.name)
