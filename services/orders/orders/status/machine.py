"""The moves an order's status (and each item's) may make. Production moves forward only, and may skip
steps it does not report (a MIS that knows no `in_transit` goes from `shipped` to `delivered`); nothing
ever moves back, so a late report of an earlier step is refused instead of undoing a later one."""

from orders.models import OrderStatus

S = OrderStatus

# Production's steps, in order: a move along them goes forward only.
PRODUCTION_STEPS = (S.accepted, S.in_production, S.printed, S.shipped, S.in_transit, S.delivered)
# Before production, an order is on hold, routed, or neither yet; a person or resolution moves it.
BEFORE_PRODUCTION = frozenset({S.received, S.on_hold, S.routed})
FINAL = frozenset({S.delivered, S.cancelled, S.failed, S.returned})

ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.received: frozenset({S.on_hold, S.routed, S.cancelled}),
    S.on_hold: frozenset({S.received, S.routed, S.cancelled}),
    S.routed: frozenset({S.received, S.on_hold, S.accepted, S.cancelled}),
    S.accepted: frozenset({*PRODUCTION_STEPS[1:], S.on_hold, S.cancelled, S.failed}),
    S.in_production: frozenset({*PRODUCTION_STEPS[2:], S.on_hold, S.cancelled, S.failed}),
    S.printed: frozenset({*PRODUCTION_STEPS[3:], S.failed}),
    S.shipped: frozenset({S.in_transit, S.delivered, S.returned}),
    S.in_transit: frozenset({S.delivered, S.returned}),
    S.delivered: frozenset({S.returned}),
    S.cancelled: frozenset(),
    S.failed: frozenset(),
    S.returned: frozenset(),
}

# What production may report through `POST /v1/orders/{id}/status` (holds, routing and claiming have
# their own operations).
REPORTABLE = frozenset({*PRODUCTION_STEPS[1:], S.cancelled, S.failed, S.returned})


def allowed(current: OrderStatus, to: OrderStatus) -> bool:
    return to in ALLOWED[current]


def rank(status: OrderStatus) -> int:
    """How far along production a status is (-1 before it; final statuses other than `delivered` count
    as the furthest, so an order whose items all ended is done)."""
    if status in PRODUCTION_STEPS:
        return PRODUCTION_STEPS.index(status)
    return len(PRODUCTION_STEPS) if status in FINAL else -1


def order_status_of(item_statuses: list[OrderStatus]) -> OrderStatus:
    """An order whose items moved one by one stands where its least advanced live item stands: two items
    printed and one shipped is `printed`. Items cancelled or failed count only when all are."""
    live = [status for status in item_statuses if status not in (S.cancelled, S.failed)]
    if not live:
        return S.failed if S.failed in item_statuses else S.cancelled
    return min(live, key=rank)
