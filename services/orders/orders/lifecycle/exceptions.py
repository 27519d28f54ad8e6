import uuid

from orders.models import OrderStatus
from printbridge_shared.errors import Conflict


class OrderInProduction(Conflict):
    code = "order-in-production"

    def __init__(self, order_id: uuid.UUID, status: OrderStatus, action: str) -> None:
        super().__init__(
            f"Order {order_id} is {status.value}: production has it, so it can no longer be {action} here. "
            "Ask the producer.",
            current_status=status.value,
        )


class OrderNotOnHold(Conflict):
    code = "order-not-on-hold"

    def __init__(self, order_id: uuid.UUID, status: OrderStatus) -> None:
        super().__init__(
            f"Order {order_id} is {status.value}, not on_hold: there is nothing to release.",
            current_status=status.value,
        )
