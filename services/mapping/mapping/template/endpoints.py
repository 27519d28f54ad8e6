import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from mapping.deps import OutboxDep, ProductsManager, ProductsReader, ReadSessionDep, SessionDep, SettingsDep
from mapping.specs.schemas import SpecStatus
from mapping.template import service
from mapping.template.schemas import Template, TemplateCreate, TemplatePage, TemplateUpdate
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.fields import ProductUid, Text
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = APIRouter(prefix="/v1/templates", tags=["templates"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Template, responses=problems(409))
async def create_template(
    payload: TemplateCreate,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    principal: ProductsManager,
) -> Template:
    """Save a product configuration: a catalog product, its attributes and design files by print area.
    The files are checked in the background; `status` and each file's result show how far that got."""
    template = await service.create(
        session, outbox, principal, payload, allow_private=settings.allow_private_urls
    )
    response.headers["Location"] = f"{router.prefix}/{template.id}"
    return template


@router.get("", response_model=TemplatePage)
async def list_templates(
    session: ReadSessionDep,
    principal: ProductsReader,
    q: Annotated[Text | None, Query(max_length=200, description="Case-insensitive part of the name.")] = None,
    product_uid: Annotated[ProductUid | None, Query(description="Only templates of this product.")] = None,
    status: Annotated[SpecStatus | None, Query(description="Only templates with this status.")] = None,
    customer_id: Annotated[
        uuid.UUID | None,
        Query(description="Operators: one customer's templates. A customer user only ever sees its own."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> TemplatePage:
    """The templates the caller may see, by name."""
    return await service.list_templates(
        session,
        Scope.of(principal),
        customer_id=customer_id,
        query=q,
        product_uid=product_uid,
        status=status,
        cursor=cursor,
        limit=limit,
    )


@router.get("/{template_id}", response_model=Template)
async def get_template(
    template_id: uuid.UUID, session: ReadSessionDep, principal: ProductsReader
) -> Template:
    """One template with its status and each design file's check."""
    return await service.read(session, await service.get(session, Scope.of(principal), template_id))


@router.patch("/{template_id}", response_model=Template, responses=problems(409))
async def update_template(
    template_id: uuid.UUID,
    payload: TemplateUpdate,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    principal: ProductsManager,
) -> Template:
    """Change the fields sent (`attributes` and `files` are replaced whole); a changed spec is validated
    again and new or moved files are checked again."""
    return await service.update(
        session, outbox, Scope.of(principal), template_id, payload, allow_private=settings.allow_private_urls
    )


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_template(
    template_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: ProductsManager
) -> Response:
    """Delete the template and its design files' checks."""
    await service.delete(session, outbox, Scope.of(principal), template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{template_id}/files/recheck", status_code=status.HTTP_202_ACCEPTED, response_model=Template)
async def recheck_template_files(
    template_id: uuid.UUID, session: SessionDep, principal: ProductsManager
) -> Template:
    """Check every design file again now (e.g. after fixing one at its address); each keeps its last
    result until the new one comes."""
    return await service.recheck(session, Scope.of(principal), template_id)
