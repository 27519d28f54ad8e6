import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from mapping.deps import OutboxDep, ProductsManager, ProductsReader, ReadSessionDep, SessionDep, SettingsDep
from mapping.product_draft import service
from mapping.product_draft.schemas import Draft, DraftIn, DraftPage, DraftStatus
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(tags=["shop products"])


@router.post(
    "/v1/stores/{store_id}/products",
    status_code=status.HTTP_201_CREATED,
    response_model=Draft,
    responses=problems(404, 409, 422),
)
async def create_product_draft(
    store_id: uuid.UUID,
    payload: DraftIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: ProductsManager,
) -> Draft:
    """Design a product for the store's shop from a catalog product (or a template): title, description,
    options and variants with SKUs and prices, design files. Nothing reaches the shop until it is
    published (`POST /v1/product-drafts/{id}/publish`)."""
    draft = await service.create(
        session, Scope.of(principal), store_id, payload, allow_private=settings.allow_private_urls
    )
    response.headers["Location"] = f"/v1/product-drafts/{draft.id}"
    return draft


@router.get("/v1/stores/{store_id}/product-drafts", response_model=DraftPage, responses=problems(404))
async def list_product_drafts(
    store_id: uuid.UUID,
    session: ReadSessionDep,
    principal: ProductsReader,
    status: Annotated[DraftStatus | None, Query(description="Only drafts with this status.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DraftPage:
    """The products designed for the store's shop, newest first, with their publishing status."""
    return await service.list_drafts(
        session, Scope.of(principal), store_id, status=status, cursor=cursor, limit=limit
    )


@router.get("/v1/product-drafts/{draft_id}", response_model=Draft, responses=problems(404))
async def get_product_draft(draft_id: uuid.UUID, session: ReadSessionDep, principal: ProductsReader) -> Draft:
    """A draft with its publishing status (and the shop's error when it failed)."""
    return service.to_read(await service.get(session, Scope.of(principal), draft_id))


@router.post(
    "/v1/product-drafts/{draft_id}/publish",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Draft,
    responses=problems(404, 409),
)
async def publish_product_draft(
    draft_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: ProductsManager
) -> Draft:
    """Create the product in the shop, in the background: `status` turns `published` (its variants mapped
    at once) or `failed` with the shop's reason. Publishing again after a failure is safe: the shop never
    gets the product twice."""
    return await service.publish(session, outbox, Scope.of(principal), draft_id)
