"""A CSV mapping import as its answers show it (docs/products-csv.md)."""

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from mapping.models import ProductImportStatus

MAX_STORED_ERRORS = 1_000


class ImportRowError(BaseModel):
    row: int = Field(description="The file's line the row starts on (1 is the header).")
    column: str | None = Field(description="The column to blame; null when the row as a whole is wrong.")
    message: str


class ProductImportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    status: ProductImportStatus = Field(description="queued, running, done or failed (see failure_reason).")
    filename: str | None
    size_bytes: int
    delimiter: str = Field(description="The column separator found in the header line: `,` or `;`.")
    total_rows: int = Field(description="The file's rows (blank lines left out).")
    processed_rows: int = Field(
        description="Rows taken care of so far: applied, unchanged, skipped or failed."
    )
    applied_rows: int = Field(description="Rows whose variant was mapped, or mapped differently than before.")
    unchanged_rows: int = Field(
        description="Rows whose variant was already mapped as they say (the same file again)."
    )
    skipped_rows: int = Field(description="Rows with an empty product_uid: their variant was left as it is.")
    failed_rows: int = Field(description="Rows not applied for their errors.")
    errors_total: int = Field(
        description=f"How many errors were found; `errors` lists the first {MAX_STORED_ERRORS:,}."
    )
    failure_reason: str | None = Field(description="Why the import as a whole failed (status failed).")
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None


class ProductImportRead(ProductImportSummary):
    errors: list[ImportRowError] = Field(
        description=f"The first {MAX_STORED_ERRORS:,} errors, by row: each failed row, the column and why."
    )


class ProductImportPage(BaseModel):
    items: list[ProductImportSummary]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
