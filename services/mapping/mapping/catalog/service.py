"""The catalog's rules: a product's uid is unique for good (retired products keep theirs), and every change
that changes something is one `catalog_product.changed` with the product's next version; a change that
changes nothing records nothing, so importing the same file twice is silent."""

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog.exceptions import ProductNotFound, ProductUidTaken
from mapping.catalog.repository import CatalogRepository
from mapping.catalog.schemas import Product as ProductRead
from mapping.catalog.schemas import (
    ProductCreate,
    ProductPage,
    ProductStatus,
    ProductUpdate,
)
from mapping.models import CatalogProduct
from mapping.specs import owners
from printbridge_shared.db import next_version, utcnow
from printbridge_shared.events.contracts import CatalogProductChanged
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_position, encode_position

# What specs (templates, mappings) depend on: a change of these re-evaluates them.
SPEC_COLUMNS = frozenset({"attributes", "print_areas", "status"})


def to_read(product: CatalogProduct) -> ProductRead:
    return ProductRead.model_validate(product, from_attributes=True)


def content(payload: ProductCreate | ProductUpdate) -> dict[str, Any]:
    """The columns a payload sets, as they are stored (print areas as JSON-ready dicts)."""
    # None only ever means "not given" (an import's status): no column is nullable.
    values = payload.model_dump(
        mode="json", exclude_unset=isinstance(payload, ProductUpdate), exclude_none=True
    )
    if payload.print_areas is not None:
        # Each area whole, with its defaults (bleed, dpi): `exclude_unset` would drop them in a PATCH.
        values["print_areas"] = [area.model_dump(mode="json") for area in payload.print_areas]
    if "name" in values:
        values["name_key"] = values["name"].lower()
    return values


async def _record(session: AsyncSession, outbox: Outbox, product: CatalogProduct, *, new: bool) -> None:
    """Records the product's snapshot as its next version (1 for a new product: nobody can change it
    before the transaction that creates it commits)."""
    version = 1 if new else await next_version(session, product)
    data = CatalogProductChanged.model_validate(
        {
            "product_uid": product.product_uid,
            "name": product.name,
            "type": product.type,
            "attributes": product.attributes,
            "print_areas": product.print_areas,
            "status": product.status,
            "updated_at": product.updated_at,
        }
    )
    await outbox.record(session, data, aggregate_id=product.id, aggregate_version=version)


async def create(session: AsyncSession, outbox: Outbox, payload: ProductCreate) -> CatalogProduct:
    repository = CatalogRepository(session)
    if await repository.get(payload.product_uid) is not None:
        raise ProductUidTaken(payload.product_uid)
    now = utcnow()
    product = CatalogProduct(
        id=uuid.uuid4(),
        **({"status": ProductStatus.active} | content(payload)),  # an import may give its status
        created_at=now,
        updated_at=now,
        version=1,
    )
    try:
        # The unique index decides a race between two creates of one uid; only the savepoint is undone.
        async with session.begin_nested():
            repository.add(product)
    except IntegrityError:
        raise ProductUidTaken(payload.product_uid) from None
    await _record(session, outbox, product, new=True)
    return product


async def get(session: AsyncSession, product_uid: str) -> CatalogProduct:
    product = await CatalogRepository(session).get(product_uid)
    if product is None:
        raise ProductNotFound(product_uid)
    return product


async def list_products(
    session: AsyncSession,
    *,
    query: str | None,
    type: str | None,
    status: ProductStatus | None,
    cursor: str | None,
    limit: int,
) -> ProductPage:
    rows = await CatalogRepository(session).list(
        query=query.strip() if query else None,
        type=type,
        status=status,
        after=decode_position(cursor),
        limit=limit + 1,
    )
    items = list(rows[:limit])
    next_cursor = encode_position(items[-1].name_key, items[-1].id) if len(rows) > limit else None
    return ProductPage(items=[to_read(product) for product in items], next_cursor=next_cursor)


async def apply(
    session: AsyncSession, outbox: Outbox, product: CatalogProduct, changes: dict[str, Any]
) -> bool:
    """Sets the columns in `changes`; when any differs, the product is updated and its event recorded.
    True when something changed."""
    changed = {name: value for name, value in changes.items() if getattr(product, name) != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(product, name, value)
    product.updated_at = utcnow()
    await _record(session, outbox, product, new=False)
    if changed.keys() & SPEC_COLUMNS:
        await owners.product_changed(session, outbox, product)
    return True


async def update(
    session: AsyncSession, outbox: Outbox, product_uid: str, payload: ProductUpdate
) -> CatalogProduct:
    product = await get(session, product_uid)
    await apply(session, outbox, product, content(payload))
    return product


async def set_status(
    session: AsyncSession, outbox: Outbox, product_uid: str, status: ProductStatus
) -> CatalogProduct:
    """Retires or reactivates; doing it twice is no second change."""
    product = await get(session, product_uid)
    await apply(session, outbox, product, {"status": status})
    return product
