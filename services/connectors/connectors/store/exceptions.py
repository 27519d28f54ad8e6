import uuid

from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


class StoreNotFound(NotFound):
    code = "store-not-found"

    def __init__(self, store_id: uuid.UUID) -> None:
        super().__init__(f"No store {store_id} (or not one you can see).")


class CustomerUnknown(InvalidInput):
    code = "customer-unknown"

    def __init__(self, customer_id: uuid.UUID) -> None:
        super().__init__(
            f"No active customer {customer_id}: connect stores for an existing, not archived customer.",
            errors=field_errors("body", "customer_id", msg="unknown or archived customer"),
        )


class CustomerIdRequired(InvalidInput):
    code = "customer-id-required"

    def __init__(self) -> None:
        super().__init__(
            "Operators connect a store for a customer: give its `customer_id`.",
            errors=field_errors("body", "customer_id", msg="required for operators"),
        )


class CustomerIdNotYours(InvalidInput):
    code = "customer-id-not-allowed"

    def __init__(self) -> None:
        super().__init__(
            "Customer users connect stores for their own customer only; leave `customer_id` out.",
            errors=field_errors("body", "customer_id", msg="leave it out"),
        )


class ShopAlreadyConnected(Conflict):
    code = "shop-already-connected"

    def __init__(self, shop: str, store_id: uuid.UUID | None) -> None:
        super().__init__(
            f"{shop} is already connected as a store; disconnect it there first, or reconnect that store.",
            store_id=str(store_id) if store_id else None,
        )


class StoreDisconnected(Conflict):
    code = "store-disconnected"

    def __init__(self, store_id: uuid.UUID) -> None:
        super().__init__(f"Store {store_id} is disconnected; connect the shop again as a new store.")


class NothingToReconcile(Conflict):
    code = "nothing-to-reconcile"

    def __init__(self, store_id: uuid.UUID, platform: str) -> None:
        super().__init__(
            f"Store {store_id} is a {platform} store: it has no shop to poll or webhooks to repair. Its "
            "orders are placed into it (POST /v1/stores/{store_id}/orders)."
        )
