"""Loading the catalog from a producer's MIS and writing it out again. An import is an upsert by
`product_uid`, row by row: a row with any error changes nothing and is reported, the others are applied;
a row equal to the product held changes nothing (the same file twice records no event)."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog import service
from mapping.catalog.exceptions import InvalidImport
from mapping.catalog.repository import CatalogRepository
from mapping.catalog.schemas import ProductImport
from mapping.models import CatalogProduct
from printbridge_shared.events.outbox import Outbox

MAX_IMPORT_ROWS = 10_000
# A file of thousands of bad rows answers with the first errors and counts the rest.
MAX_REPORTED_ERRORS = 1_000

ColumnOf = Callable[[tuple[int | str, ...]], str]
"""Names the column of the file where a field of `ProductImport` (its pydantic `loc`) came from."""


class RowError(BaseModel):
    row: int = Field(
        description="JSON: the product's position in the array, from 1; CSV: the line, header = 1."
    )
    column: str = Field(description="JSON: the field's path, e.g. `print_areas.0.formats`; CSV: the column.")
    message: str


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    failed: int = Field(description="Rows left out for their errors.")
    errors: list[RowError] = Field(description=f"The first {MAX_REPORTED_ERRORS} errors, by row.")


@dataclass
class ImportRow:
    """One product of a file as read, before validation: where it is and how its fields map to columns."""

    row: int
    data: Any
    column_of: ColumnOf | None = None
    errors: list[RowError] = field(default_factory=list)


def read_json(body: bytes) -> list[ImportRow]:
    """The products of a JSON array; the file as a whole is refused only when it is no such array. Its
    size is bounded before: every JSON body has at most 10,000 members (printbridge_shared.http)."""
    try:
        products = json.loads(body)
    except ValueError as exc:
        raise InvalidImport(f"the body is not valid JSON ({exc})") from None
    if not isinstance(products, list):
        raise InvalidImport("the body must be a JSON array of products")
    return [ImportRow(row=index, data=product) for index, product in enumerate(products, start=1)]


def json_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(product)"


def _validate(row: ImportRow) -> ProductImport | None:
    if row.errors:
        return None
    try:
        return ProductImport.model_validate(row.data)
    except ValidationError as exc:
        column_of = row.column_of or json_path
        row.errors = [
            RowError(row=row.row, column=column_of(tuple(error["loc"])), message=error["msg"])
            for error in exc.errors()
        ]
        return None


def _duplicates(rows: Sequence[ImportRow], products: Sequence[ProductImport | None]) -> None:
    """A uid given twice in one file: the first row counts, the later ones are errors."""
    first: dict[str, int] = {}
    for row, product in zip(rows, products, strict=True):
        if product is None:
            continue
        if product.product_uid in first:
            column = (row.column_of or json_path)(("product_uid",))
            message = f"product_uid '{product.product_uid}' is also in row {first[product.product_uid]}"
            row.errors.append(RowError(row=row.row, column=column, message=message))
        else:
            first[product.product_uid] = row.row


async def import_rows(session: AsyncSession, outbox: Outbox, rows: Sequence[ImportRow]) -> ImportResult:
    products = [_validate(row) for row in rows]
    _duplicates(rows, products)
    valid = [product for row, product in zip(rows, products, strict=True) if product and not row.errors]
    held = await CatalogRepository(session).get_many([product.product_uid for product in valid])
    created = updated = 0
    for product in valid:
        existing = held.get(product.product_uid)
        if existing is None:
            await service.create(session, outbox, product)
            created += 1
        elif await service.apply(session, outbox, existing, service.content(product)):
            updated += 1
    failed = [row for row in rows if row.errors]
    return ImportResult(
        created=created,
        updated=updated,
        unchanged=len(valid) - created - updated,
        failed=len(failed),
        errors=[error for row in failed for error in row.errors][:MAX_REPORTED_ERRORS],
    )


async def export_products(session: AsyncSession) -> list[dict[str, Any]]:
    """The whole catalog by uid, each product as an import takes it back."""
    rows = await session.scalars(select(CatalogProduct).order_by(CatalogProduct.product_uid))
    return [
        {
            "product_uid": product.product_uid,
            "name": product.name,
            "type": product.type,
            "attributes": product.attributes,
            "print_areas": product.print_areas,
            "status": product.status,
        }
        for product in rows
    ]
