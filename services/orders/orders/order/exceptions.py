import uuid

from printbridge_shared.errors import InvalidInput, NotFound, field_errors


class OrderNotFound(NotFound):
    code = "order-not-found"

    def __init__(self, order_id: uuid.UUID) -> None:
        super().__init__(f"No order with id {order_id}.")


class StoreNotFound(NotFound):
    code = "store-not-found"

    def __init__(self, store_id: uuid.UUID) -> None:
        super().__init__(f"No store with id {store_id}.")


class PlacedRangeEmpty(InvalidInput):
    code = "placed-range-empty"

    def __init__(self) -> None:
        super().__init__(
            "placed_after is later than placed_before, so no order can match; swap them or widen the range",
            errors=field_errors("query", "placed_after", msg="must not be later than placed_before"),
        )


class TimeOutOfRange(InvalidInput):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} is outside the range of times this API can compare (years 1 to 9999 in UTC)",
            errors=field_errors("query", name, msg="out of range once converted to UTC"),
        )
