import uuid
from collections.abc import Sequence

from orders.models import OrderStatus
from printbridge_shared.errors import AppError, Conflict, InvalidInput, NotFound, field_errors


class ProductionLineNotFound(NotFound):
    code = "production-line-not-found"

    def __init__(self, line_id: uuid.UUID) -> None:
        super().__init__(f"No production line with id {line_id}.")


class RoutingRuleNotFound(NotFound):
    code = "routing-rule-not-found"

    def __init__(self, rule_id: uuid.UUID) -> None:
        super().__init__(f"No routing rule with id {rule_id}.")


class LineCodeTaken(Conflict):
    code = "production-line-code-taken"
    title = "Production line code already in use"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"Another production line has the code '{code}'; choose another code.",
            errors=field_errors("body", "code", msg="already used by another production line"),
        )


class ProductionLineInUse(Conflict):
    code = "production-line-in-use"
    title = "Production line in use"

    def __init__(self, code: str, rules: Sequence[tuple[uuid.UUID, str]]) -> None:
        names = ", ".join(f"'{name}'" for _, name in rules[:5])
        more = f" and {len(rules) - 5} more" if len(rules) > 5 else ""
        super().__init__(
            f"Routing rules send orders to production line '{code}' ({names}{more}); point them to another "
            "line or delete them first.",
            rules=[{"id": str(rule_id), "name": name} for rule_id, name in rules],
        )


class DefaultLineRequired(Conflict):
    """Every change that would leave no default line, or an inactive one."""

    code = "default-production-line"
    title = "The default production line is required"


class InactiveProductionLine(InvalidInput):
    code = "production-line-unusable"

    def __init__(self, line_id: uuid.UUID, why: str) -> None:
        super().__init__(
            f"production_line_id {line_id} {why}; give an active production line (GET /v1/production-lines).",
            errors=field_errors("body", "production_line_id", msg=why),
        )


class PositionOutOfRange(InvalidInput):
    code = "position-out-of-range"

    def __init__(self, position: int, highest: int) -> None:
        super().__init__(
            f"position {position} is past the end; give 1 to {highest} (or leave it out to put the rule "
            "last).",
            errors=field_errors("body", "position", msg=f"must be between 1 and {highest}"),
        )


class TooManyRules(Conflict):
    code = "too-many-routing-rules"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"There are already {limit} routing rules, the most there may be; delete or combine rules first."
        )


class NoDefaultLine(AppError):
    """The database holds no default line: its migrations did not run (the migration creates it, and no
    request can remove it)."""

    status, code, title = 500, "no-default-production-line", "No default production line"


class OrderNotResolved(Conflict):
    code = "order-not-resolved"

    def __init__(self, order_id: uuid.UUID, status: OrderStatus) -> None:
        super().__init__(
            f"Order {order_id} is {status.value} and not every item of it is resolved, so it cannot be "
            f"routed; its hold_reasons say what is missing (GET /v1/orders/{order_id}), or describe the "
            "order in `order`.",
            current_status=status.value,
        )
