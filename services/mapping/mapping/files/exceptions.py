import uuid

from printbridge_shared.errors import AppError, InvalidInput, NotFound, ServiceUnavailable, field_errors


class FileNotFound(NotFound):
    code = "file-not-found"

    def __init__(self, file_id: uuid.UUID) -> None:
        super().__init__(f"No file with id {file_id}.")


class FileContentMissing(NotFound):
    """The record is there but the store holds no bytes for it (removed outside Printbridge)."""

    code = "file-content-missing"

    def __init__(self, file_id: uuid.UUID) -> None:
        super().__init__(f"The content of file {file_id} is no longer in the file store; upload it again.")


class FileRequired(InvalidInput):
    code = "file-required"
    title = "No file sent"

    def __init__(self) -> None:
        super().__init__(
            "send the design as multipart/form-data with the file in the field `file`",
            errors=field_errors("body", "file", msg="required: the design file", type="missing"),
        )


class FileEmpty(InvalidInput):
    code = "file-empty"
    title = "The file is empty"

    def __init__(self) -> None:
        super().__init__(
            "the file has no bytes; upload the design file itself",
            errors=field_errors("body", "file", msg="the file is empty", type="file_empty"),
        )


class FileFormatRefused(InvalidInput):
    code = "file-format"
    title = "Not a print file"

    def __init__(self, what: str, fix: str, *, format: str) -> None:
        super().__init__(
            f"{what}; {fix}",
            errors=field_errors("body", "file", msg=what, type="file_format"),
            format=format,
        )


class FileTooLarge(AppError):
    status, code, title = 413, "payload-too-large", "Payload too large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the file is larger than {limit} bytes ({limit // (1024 * 1024)} MiB); export it with "
            "compressed images and upload it again"
        )


class CustomerRequired(InvalidInput):
    code = "customer-required"

    def __init__(self) -> None:
        super().__init__(
            "operators upload for a customer: send its id in the form field `customer_id`",
            errors=field_errors("body", "customer_id", msg="required for operators", type="missing"),
        )


class InvalidCustomerId(InvalidInput):
    def __init__(self, value: str) -> None:
        super().__init__(
            f"customer_id {value[:60]!r} is not a UUID; send the customer's id",
            errors=field_errors("body", "customer_id", msg="must be a UUID", type="uuid_parsing"),
        )


class NotMultipart(AppError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"

    def __init__(self, media_type: str) -> None:
        super().__init__(
            "send the design as multipart/form-data (the file in the field `file`), "
            f"not '{media_type or 'nothing'}'"
        )


class FileStoreUnavailable(ServiceUnavailable):
    code = "file-store-unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The file store cannot be used right now ({reason}); try again shortly.")
