import uuid
from typing import Any

from printbridge_shared.errors import AppError, InvalidInput, NotFound


class ProductImportNotFound(NotFound):
    code = "product-import-not-found"

    def __init__(self, import_id: uuid.UUID) -> None:
        super().__init__(f"No product import {import_id} (or not one you may see).")


class ImportFileInvalid(InvalidInput):
    """The upload cannot be imported at all (not UTF-8, not CSV, no rows, a wrong header): nothing is kept."""

    title = "The CSV file cannot be imported"

    def __init__(self, detail: str, *, code: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail, errors=errors)
        self.code = code


class FileRequired(InvalidInput):
    code = "file-required"

    def __init__(self) -> None:
        super().__init__(
            "send the CSV file as multipart/form-data in the field `file` (or as a text/csv body)",
            errors=[{"loc": ["body", "file"], "msg": "required: the CSV file", "type": "missing"}],
        )


class UnsupportedImportType(AppError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"

    def __init__(self, media_type: str) -> None:
        super().__init__(
            f"send the CSV file as multipart/form-data (field `file`) or as text/csv, not "
            f"'{media_type or 'nothing'}'"
        )
