import uuid

from orders.manual.schemas import PLAIN_HTTP
from printbridge_shared.errors import Conflict, InvalidInput, field_errors


class StoreNotManual(Conflict):
    code = "store-not-manual"

    def __init__(self, store_id: uuid.UUID, platform: str) -> None:
        super().__init__(
            f"Store {store_id} is a {platform} store: its orders come from the shop. Place manual orders "
            'into a manual store (POST /v1/stores with platform "manual").'
        )


class StoreDisconnected(Conflict):
    code = "store-disconnected"

    def __init__(self, store_id: uuid.UUID) -> None:
        super().__init__(
            f"Store {store_id} is disconnected and takes no new orders; place them into a connected "
            "manual store."
        )


class ReferenceTaken(Conflict):
    code = "reference-taken"

    def __init__(self, reference: str, order_id: uuid.UUID | None) -> None:
        super().__init__(
            f"The store already has an order with reference {reference!r}; give each order its own "
            "reference (to repeat a request safely, send the same Idempotency-Key instead).",
            errors=field_errors("body", "reference", msg="already used by another order of this store"),
            order_id=str(order_id) if order_id else None,
        )


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used for another request to this store within the last 24 hours; "
            "send a new key for a new order (the same key repeats only the very same request).",
            errors=field_errors("header", "Idempotency-Key", msg="already used with another body"),
        )


class IdempotencyKeyBusy(Conflict):
    code = "idempotency-key-busy"

    def __init__(self) -> None:
        super().__init__(
            "Another request with this Idempotency-Key is being handled right now; repeat this one in a "
            "moment to get its answer."
        )


class PlainHttpFile(InvalidInput):
    code = "plain-http-file"

    def __init__(self, files: list[tuple[int, str]]) -> None:
        super().__init__(
            "Print files must be given by https:// URLs: plain http:// is taken only where the producer "
            "allows private addresses (PRINTBRIDGE_ALLOW_PRIVATE_URLS).",
            errors=[
                {
                    "loc": ["body", "line_items", str(position), "files", area],
                    "msg": PLAIN_HTTP,
                    "type": "value_error",
                }
                for position, area in files
            ],
        )
