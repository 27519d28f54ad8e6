from printbridge_shared.errors import AppError, Conflict, InvalidInput, NotFound, field_errors


class ProductNotFound(NotFound):
    code = "catalog-product-not-found"

    def __init__(self, product_uid: str) -> None:
        super().__init__(f"No catalog product with product_uid '{product_uid}'.")


class ProductUidTaken(Conflict):
    code = "product-uid-taken"
    title = "Product uid already in use"

    def __init__(self, product_uid: str) -> None:
        super().__init__(
            f"product_uid '{product_uid}' is already in the catalog (retired products keep theirs); "
            "change that product with PATCH or choose another uid.",
            product_uid=product_uid,
        )


class InvalidImport(InvalidInput):
    code = "invalid-catalog-import"
    title = "The import cannot be read"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} (see docs/catalog.md)", errors=field_errors("body", msg=message))


class InvalidCsv(InvalidImport):
    code = "invalid-catalog-csv"
    title = "The CSV file cannot be read"


class UnsupportedImportType(AppError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"
