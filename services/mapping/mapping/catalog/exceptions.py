from printbridge_shared.errors import Conflict, NotFound


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
