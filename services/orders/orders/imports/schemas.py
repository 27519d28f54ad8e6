import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from orders.models import ImportStatus


class ImportRowError(BaseModel):
    row: int = Field(description="The file's line the row starts on (1 is the header).")
    column: str | None = Field(description="The column to blame; null when the row as a whole is wrong.")
    message: str


class OrderImportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    store_id: uuid.UUID
    customer_id: uuid.UUID
    status: ImportStatus = Field(description="queued, running, done or failed (see failure_reason).")
    filename: str | None
    size_bytes: int
    delimiter: str = Field(description="The column separator found in the header line: `,` or `;`.")
    rows_read: int = Field(description="Rows taken care of so far (imported, already there, or failed).")
    orders_created: int
    orders_existing: int = Field(
        description="Orders whose reference the store already had (the same file again): left as they are."
    )
    rows_failed: int
    errors_total: int = Field(description="How many errors were found; `errors` lists the first 1,000.")
    failure_reason: str | None = Field(description="Why the import as a whole failed (status failed).")
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None


class OrderImport(OrderImportSummary):
    errors: list[ImportRowError] = Field(
        description="The first 1,000 errors, by row: each failed row, the column and why."
    )


class OrderImportPage(BaseModel):
    items: list[OrderImportSummary]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
