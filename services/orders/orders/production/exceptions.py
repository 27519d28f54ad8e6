import uuid

from orders.models import OrderStatus
from printbridge_shared.errors import Conflict, InvalidInput, field_errors


class AlreadyClaimed(Conflict):
    code = "order-not-claimable"

    def __init__(self, order_id: uuid.UUID, status: OrderStatus) -> None:
        super().__init__(
            f"Order {order_id} is {status.value}; only a routed order can be claimed "
            "(an accepted one was claimed already).",
            current_status=status.value,
        )


class NoSuchItem(InvalidInput):
    code = "no-such-item"

    def __init__(self, field: str, index: int, position: int, count: int) -> None:
        super().__init__(
            f"The order has no item {position}; its items are 0 to {count - 1}.",
            errors=field_errors("body", field, str(index), msg=f"no item {position} (0 to {count - 1})"),
        )


class TrackingNeedsShipment(InvalidInput):
    code = "tracking-without-shipment"

    def __init__(self, status: OrderStatus) -> None:
        super().__init__(
            f"tracking goes with shipped or in_transit, not {status.value}; report the parcel with those",
            errors=field_errors("body", "tracking", msg="only with status shipped or in_transit"),
        )
