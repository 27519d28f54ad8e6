import uuid

from printbridge_shared.errors import Conflict, NotFound


class StoreNotFound(NotFound):
    code = "store-not-found"

    def __init__(self, store_id: uuid.UUID) -> None:
        super().__init__(f"No store {store_id} (or not one you may see).")


class ShopProductNotFound(NotFound):
    code = "shop-product-not-found"

    def __init__(self, product_id: uuid.UUID) -> None:
        super().__init__(f"No shop product {product_id} (or not one you may see).")


class ShopVariantNotFound(NotFound):
    code = "shop-variant-not-found"

    def __init__(self, variant_id: uuid.UUID) -> None:
        super().__init__(f"No shop variant {variant_id} (or not one you may see).")


class ProductsNotSynced(Conflict):
    code = "products-not-synced"

    def __init__(self, platform: str) -> None:
        super().__init__(
            f"Stores on {platform} have no shop products to sync: their orders name a product_uid, a SKU "
            "or a template directly (docs/orders-manual.md)."
        )


class StoreNotConnected(Conflict):
    code = "store-not-connected"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"The store is {status}: its products are synced once it is connected again (reconnect it, "
            "or fix the problem its page shows)."
        )
