"""Templates' rules: one customer's saved product configuration, its spec validated against the catalog,
its design files checked in the background; every change of its snapshot (also a file check's new
result, or a catalog change that alters its status) is one `template.changed` with its next version."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog.repository import CatalogRepository
from mapping.models import CatalogProduct, DesignFile
from mapping.models import Template as TemplateRow
from mapping.specs import files as design_files
from mapping.specs import owners
from mapping.specs.repository import DesignFileRepository
from mapping.specs.schemas import SpecStatus
from mapping.specs.status import evaluate
from mapping.specs.validation import validate
from mapping.template.exceptions import (
    CustomerIdNotYours,
    CustomerIdRequired,
    TemplateNameTaken,
    TemplateNotFound,
)
from mapping.template.repository import TemplateRepository
from mapping.template.schemas import Template, TemplateCreate, TemplatePage, TemplateUpdate
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import next_version, utcnow
from printbridge_shared.events.contracts import TemplateChanged, TemplateRemoved
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_position, encode_position

OWNER_KIND = "template"
SPEC_FIELDS = ("product_uid", "attributes", "files")


def _owner(principal: Principal, customer_id: uuid.UUID | None) -> uuid.UUID:
    """Whose the new template is: the customer user's own customer; the customer an operator names."""
    if principal.is_operator:
        if customer_id is None:
            raise CustomerIdRequired()
        return customer_id
    if principal.customer_id is None or (customer_id is not None and customer_id != principal.customer_id):
        raise CustomerIdNotYours()
    return principal.customer_id


def to_read(template: TemplateRow, rows: Sequence[DesignFile], product: CatalogProduct | None) -> Template:
    status, issues = evaluate(product, template.attributes, rows)
    return Template(
        id=template.id,
        customer_id=template.customer_id,
        name=template.name,
        description=template.description,
        product_uid=template.product_uid,
        attributes=template.attributes,
        files={row.area: design_files.to_read(row) for row in rows},
        status=status,
        issues=issues,
        created_at=template.created_at,
        updated_at=template.updated_at,
        version=template.version,
    )


async def read(session: AsyncSession, template: TemplateRow) -> Template:
    rows = await DesignFileRepository(session).of_owner(OWNER_KIND, template.id)
    return to_read(template, rows, await CatalogRepository(session).get(template.product_uid))


def _snapshot(template: TemplateRow, rows: Sequence[DesignFile]) -> TemplateChanged:
    return TemplateChanged(
        template_id=template.id,
        customer_id=template.customer_id,
        name=template.name,
        description=template.description,
        product_uid=template.product_uid,
        attributes=template.attributes,
        files={row.area: design_files.to_result(row) for row in rows},
        status=template.status,
        updated_at=template.updated_at,
    )


async def _record(
    session: AsyncSession, outbox: Outbox, template: TemplateRow, rows: Sequence[DesignFile], *, new: bool
) -> None:
    """Records the template's snapshot as its next version (1 for a new one)."""
    version = 1 if new else await next_version(session, template)
    await outbox.record(
        session,
        _snapshot(template, rows),
        customer_id=template.customer_id,
        aggregate_id=template.id,
        aggregate_version=version,
    )


async def _check_name(
    session: AsyncSession, customer_id: uuid.UUID, name: str, *, other_than: uuid.UUID | None
) -> None:
    if await TemplateRepository(session).name_taken(customer_id, name.lower(), other_than=other_than):
        raise TemplateNameTaken(name)


async def create(
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    payload: TemplateCreate,
    *,
    allow_private: bool,
) -> Template:
    customer_id = _owner(principal, payload.customer_id)
    spec = await validate(
        session,
        product_uid=payload.product_uid,
        attributes=payload.attributes,
        files=payload.files,
        allow_private=allow_private,
    )
    await _check_name(session, customer_id, payload.name, other_than=None)
    now = utcnow()
    template = TemplateRow(
        id=uuid.uuid4(),
        customer_id=customer_id,
        name=payload.name,
        name_key=payload.name.lower(),
        description=payload.description,
        product_uid=spec.product.product_uid,
        attributes=spec.attributes,
        status=SpecStatus.file_pending,
        created_at=now,
        updated_at=now,
        version=1,
    )
    try:
        # The unique index decides a race between two creates of one name; only the savepoint is undone.
        async with session.begin_nested():
            TemplateRepository(session).add(template)
    except IntegrityError:
        raise TemplateNameTaken(payload.name) from None
    rows = await design_files.set_files(
        session,
        owner_kind=OWNER_KIND,
        owner_id=template.id,
        customer_id=customer_id,
        product=spec.product,
        files=spec.files,
    )
    template.status = evaluate(spec.product, template.attributes, rows)[0]
    await _record(session, outbox, template, rows, new=True)
    return to_read(template, rows, spec.product)


async def get(session: AsyncSession, scope: Scope, template_id: uuid.UUID) -> TemplateRow:
    template = await TemplateRepository(session).get(scope, template_id)
    if template is None:
        raise TemplateNotFound(template_id)
    return template


async def list_templates(
    session: AsyncSession,
    scope: Scope,
    *,
    customer_id: uuid.UUID | None,
    query: str | None,
    product_uid: str | None,
    status: SpecStatus | None,
    cursor: str | None,
    limit: int,
) -> TemplatePage:
    rows = await TemplateRepository(session).list(
        scope,
        customer_id=customer_id,
        query=query.strip() if query else None,
        product_uid=product_uid,
        status=status,
        after=decode_position(cursor),
        limit=limit + 1,
    )
    items = list(rows[:limit])
    next_cursor = encode_position(items[-1].name_key, items[-1].id) if len(rows) > limit else None
    found = await DesignFileRepository(session).of_owners(OWNER_KIND, [t.id for t in items])
    products = await CatalogRepository(session).get_many(sorted({t.product_uid for t in items}))
    return TemplatePage(
        items=[to_read(t, found.get(t.id, []), products.get(t.product_uid)) for t in items],
        next_cursor=next_cursor,
    )


async def update(
    session: AsyncSession,
    outbox: Outbox,
    scope: Scope,
    template_id: uuid.UUID,
    payload: TemplateUpdate,
    *,
    allow_private: bool,
) -> Template:
    template = await get(session, scope, template_id)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    repository = DesignFileRepository(session)
    rows = await repository.of_owner(OWNER_KIND, template.id)
    before = _snapshot(template, rows).model_dump(exclude={"updated_at"})
    if "name" in changes:
        await _check_name(session, template.customer_id, changes["name"], other_than=template.id)
        template.name, template.name_key = changes["name"], changes["name"].lower()
    if "description" in changes:
        template.description = changes["description"]
    if any(field in changes for field in SPEC_FIELDS):
        spec = await validate(
            session,
            product_uid=changes.get("product_uid", template.product_uid),
            attributes=changes.get("attributes", template.attributes),
            files=changes.get("files", {row.area: row.url for row in rows}),
            allow_private=allow_private,
        )
        template.product_uid, template.attributes = spec.product.product_uid, spec.attributes
        rows = await design_files.set_files(
            session,
            owner_kind=OWNER_KIND,
            owner_id=template.id,
            customer_id=template.customer_id,
            product=spec.product,
            files=spec.files,
        )
    product = await CatalogRepository(session).get(template.product_uid)
    template.status = evaluate(product, template.attributes, rows)[0]
    if _snapshot(template, rows).model_dump(exclude={"updated_at"}) != before:
        template.updated_at = utcnow()
        try:
            async with session.begin_nested():
                await session.flush()
        except IntegrityError:
            raise TemplateNameTaken(template.name) from None
        await _record(session, outbox, template, rows, new=False)
    return to_read(template, rows, product)


async def delete(session: AsyncSession, outbox: Outbox, scope: Scope, template_id: uuid.UUID) -> None:
    template = await get(session, scope, template_id)
    version = await next_version(session, template)
    data = TemplateRemoved(template_id=template.id, customer_id=template.customer_id, removed_at=utcnow())
    await outbox.record(
        session, data, customer_id=template.customer_id, aggregate_id=template.id, aggregate_version=version
    )
    await design_files.remove_files(session, owner_kind=OWNER_KIND, owner_id=template.id)
    await TemplateRepository(session).remove(template)


async def recheck(session: AsyncSession, scope: Scope, template_id: uuid.UUID) -> Template:
    template = await get(session, scope, template_id)
    await design_files.recheck(session, owner_kind=OWNER_KIND, owner_id=template.id)
    return await read(session, template)


async def _refresh(
    session: AsyncSession, outbox: Outbox, template: TemplateRow, *, files_changed: bool
) -> None:
    """Recomputes the status; records the snapshot when it or a file changed."""
    rows = await DesignFileRepository(session).of_owner(OWNER_KIND, template.id)
    product = await CatalogRepository(session).get(template.product_uid)
    status = evaluate(product, template.attributes, rows)[0]
    if status == template.status and not files_changed:
        return
    template.status = status
    template.updated_at = utcnow()
    await _record(session, outbox, template, rows, new=False)


async def file_checked(session: AsyncSession, outbox: Outbox, template_id: uuid.UUID) -> None:
    """A check of one of the template's files came to another result."""
    template = await TemplateRepository(session).get_any(template_id)
    if template is not None:
        await _refresh(session, outbox, template, files_changed=True)


async def product_changed(session: AsyncSession, outbox: Outbox, product: CatalogProduct) -> None:
    """The template's product was changed, retired or reactivated: files whose area asks something else
    are checked again, and the status follows."""
    for template in await TemplateRepository(session).using_product(product.product_uid):
        changed = await design_files.follow_product(
            session, owner_kind=OWNER_KIND, owner_id=template.id, product=product
        )
        await _refresh(session, outbox, template, files_changed=changed)


owners.register(OWNER_KIND, owners.OwnerHooks(checked=file_checked, product_changed=product_changed))
