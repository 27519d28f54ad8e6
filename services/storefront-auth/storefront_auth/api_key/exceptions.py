import uuid

from printbridge_shared.errors import InvalidInput, NotFound, field_errors


class ApiKeyNotFound(NotFound):
    code = "api-key-not-found"

    def __init__(self, api_key_id: uuid.UUID) -> None:
        super().__init__(f"No API key with id {api_key_id}.")


class UnknownApiKey(NotFound):
    code = "api-key-unknown"
    title = "Unknown API key"

    def __init__(self) -> None:
        super().__init__("The API key is unknown or revoked.")


class InvalidApiKeyName(InvalidInput):
    code = "invalid-api-key-name"
    title = "Invalid API key name"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, errors=field_errors("body", "name", msg=reason))
