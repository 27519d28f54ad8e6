from orders.models import OrderStatus
from printbridge_shared.errors import Conflict


class IllegalMove(Conflict):
    code = "status-move-not-allowed"

    def __init__(
        self, current: OrderStatus, to: OrderStatus, allowed: frozenset[OrderStatus], what: str
    ) -> None:
        names = ", ".join(sorted(status.value for status in allowed)) or "none: it is final"
        super().__init__(
            f"{what} is {current.value}; it cannot move to {to.value}. "
            f"Allowed from {current.value}: {names}.",
            current_status=current.value,
            allowed=sorted(status.value for status in allowed),
        )
