import uuid
from typing import Any

from printbridge_shared.errors import InvalidInput, NotFound


class ImportNotFound(NotFound):
    code = "order-import-not-found"

    def __init__(self, import_id: uuid.UUID) -> None:
        super().__init__(f"No order import with id {import_id}.")


class ImportFileInvalid(InvalidInput):
    """The upload cannot be imported at all (not UTF-8, no header, a wrong header)."""

    def __init__(self, detail: str, *, code: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail, errors=errors)
        self.code = code
