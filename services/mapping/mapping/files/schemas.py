import datetime as dt
import uuid

from pydantic import BaseModel, Field

from printbridge_shared.printfiles import PrintFormat

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "svg": "image/svg+xml",
}


class DesignFile(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    filename: str = Field(description="The name the file was uploaded with (control characters removed).")
    content_type: str = Field(description="Told by the file's bytes, not by what the client declared.")
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="Hex SHA-256 of the bytes, to check a download against.")
    format: PrintFormat
    created_at: dt.datetime
    created_by: uuid.UUID = Field(description="The user or operator who uploaded it.")
    url: str = Field(
        description="Where the file is downloaded without a token (production, the print-file checker): "
        "absolute and unguessable. Give it as a design URL; it works until the file is deleted."
    )


class DesignFilePage(BaseModel):
    items: list[DesignFile]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )
