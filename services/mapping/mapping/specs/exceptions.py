from typing import Any

from printbridge_shared.errors import InvalidInput, field_errors


class ProductNotInCatalog(InvalidInput):
    code = "product-not-in-catalog"
    title = "No such catalog product"

    def __init__(self, product_uid: str, at: tuple[str, ...]) -> None:
        super().__init__(
            f"No catalog product with product_uid '{product_uid}'; pick one from GET /v1/catalog/products.",
            errors=field_errors(*at, "product_uid", msg="not in the catalog"),
        )


class ProductRetired(InvalidInput):
    code = "product-retired"
    title = "The catalog product is retired"

    def __init__(self, product_uid: str, at: tuple[str, ...]) -> None:
        super().__init__(
            f"The catalog product '{product_uid}' is retired: it is no longer offered, so a new template or "
            "mapping cannot use it; pick an active product.",
            errors=field_errors(*at, "product_uid", msg="retired; pick an active product"),
        )


class SpecInvalid(InvalidInput):
    code = "spec-invalid"
    title = "The spec does not fit the catalog product"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        detail = "; ".join(".".join(error["loc"][1:]) + ": " + error["msg"] for error in errors[:5])
        super().__init__(detail, errors=errors)
