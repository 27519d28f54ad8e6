import uuid

from printbridge_shared.errors import Conflict, InvalidInput, field_errors


class VariantsNotFound(InvalidInput):
    code = "shop-variants-not-found"

    def __init__(self, positions: list[tuple[int, uuid.UUID]]) -> None:
        errors = [
            error
            for index, variant_id in positions
            for error in field_errors(
                "body", "shop_variant_ids", str(index), msg=f"no shop variant {variant_id} you may see"
            )
        ]
        super().__init__(
            "Some of the shop variants do not exist or are not yours: list them with GET /v1/shop-products.",
            errors=errors,
        )


class DuplicateVariants(InvalidInput):
    code = "duplicate-shop-variants"

    def __init__(self, variant_id: uuid.UUID) -> None:
        super().__init__(
            f"Shop variant {variant_id} is named twice; name each variant once.",
            errors=field_errors("body", "shop_variant_ids", msg="each variant once"),
        )


class VariantNotMapped(Conflict):
    code = "shop-variant-not-mapped"

    def __init__(self, variant_id: uuid.UUID) -> None:
        super().__init__(f"Shop variant {variant_id} is not mapped: there is nothing to remove.")
