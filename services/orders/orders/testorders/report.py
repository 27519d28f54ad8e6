"""A test run's report, read from what its order went through (pure: no database).

Steps follow the order's way: received → mapped → files ok → routed → visible in the production API →
postback delivered → visible in Storefronts → shop update possible. A step fails with the reason and
the fix the order itself carries (its hold reasons); a step after a failed one waits (pending, naming
the step it waits for), so the report names the first step to fix."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orders.fulfilment.schemas import ShopFulfillment, ShopFulfillmentStatus
from orders.models import Order, OrderStatus
from orders.resolution.holds import FILE_HOLDS, HoldCode
from orders.testorders.schemas import Step, StepName, StepStatus, TestRunStatus
from printbridge_shared.events.contracts import Platform

MAPPING_HOLDS = frozenset(
    {HoldCode.unmapped_item, HoldCode.inactive_product, HoldCode.product_retired, HoldCode.spec_mismatch}
)
FILE_HOLD_CODES = frozenset(FILE_HOLDS.values())
ROUTED_OR_LATER = frozenset(OrderStatus) - {
    OrderStatus.received,
    OrderStatus.on_hold,
    OrderStatus.cancelled,
}


@dataclass(frozen=True)
class Facts:
    """What the report is read from. `order` None: the customer's view does not show the order."""

    order: Order | None
    production_line_name: str | None = None
    shop_fulfillment: ShopFulfillment | None = None
    postbacks: "PostbackFacts | None" = None


@dataclass(frozen=True)
class PostbackFacts:
    """The postback endpoints this order's events go to, and how their deliveries went."""

    endpoints: int = 0
    delivered: int = 0
    failing: Sequence[str] = field(default_factory=tuple)  # each: "<url>: <last error>"


def _holds(order: Order, codes: frozenset[HoldCode]) -> list[dict[str, Any]]:
    return [reason for reason in order.hold_reasons or () if reason.get("code") in codes]


def _failed(name: StepName, holds: list[dict[str, Any]]) -> Step:
    return Step(
        name=name,
        status=StepStatus.failed,
        detail=" ".join(_where(hold) + hold["message"] for hold in holds),
        fix=" ".join(dict.fromkeys(hold["fix"] for hold in holds)),
    )


def _where(hold: dict[str, Any]) -> str:
    return "" if hold.get("position") is None else f"Item {hold['position']}: "


def _waits(name: StepName, for_step: StepName) -> Step:
    return Step(name=name, status=StepStatus.pending, detail=f"Waits for the step {for_step.value}.")


def steps(facts: Facts) -> list[Step]:
    order = facts.order
    if order is None:
        missing = Step(
            name=StepName.received,
            status=StepStatus.failed,
            detail="The test order is not among the customer's orders.",
            fix="Place a new test order; if this repeats, tell the producer (the order was removed).",
        )
        return [missing, *(_waits(name, StepName.received) for name in list(StepName)[1:])]
    status = OrderStatus(order.status)
    result = [
        Step(
            name=StepName.received,
            status=StepStatus.passed,
            detail=f"Order {order.external_number} was taken in ({len(order.lines)} item(s)).",
        )
    ]
    resolving = status == OrderStatus.received

    mapping_holds = _holds(order, MAPPING_HOLDS)
    if mapping_holds:
        result.append(_failed(StepName.mapped, mapping_holds))
    elif resolving and not all(line.item for line in order.lines):
        result.append(Step(name=StepName.mapped, status=StepStatus.pending, detail="Being resolved."))
    else:
        products = sorted({str((line.item or {}).get("product_uid")) for line in order.lines})
        result.append(
            Step(
                name=StepName.mapped,
                status=StepStatus.passed,
                detail=f"Each item resolved to a catalog product ({', '.join(products)}).",
            )
        )

    file_holds = _holds(order, FILE_HOLD_CODES)
    if file_holds:
        result.append(_failed(StepName.files_ok, file_holds))
    elif mapping_holds:
        result.append(_waits(StepName.files_ok, StepName.mapped))
    elif resolving:
        result.append(
            Step(name=StepName.files_ok, status=StepStatus.pending, detail="Print files are being checked.")
        )
    else:
        result.append(
            Step(
                name=StepName.files_ok, status=StepStatus.passed, detail="Every print file passed its check."
            )
        )

    routed = status in ROUTED_OR_LATER
    other_holds = [
        reason
        for reason in order.hold_reasons or ()
        if reason.get("code") not in MAPPING_HOLDS | FILE_HOLD_CODES
    ]
    if routed:
        line = facts.production_line_name or order.production_line_id
        result.append(
            Step(
                name=StepName.routed,
                status=StepStatus.passed,
                detail=f"Routed to the production line {line}.",
            )
        )
    elif status == OrderStatus.cancelled:
        result.append(
            Step(
                name=StepName.routed,
                status=StepStatus.failed,
                detail="The test order was cancelled before it was routed.",
                fix="Place a new test order.",
            )
        )
    elif other_holds:
        result.append(_failed(StepName.routed, other_holds))
    elif mapping_holds or file_holds:
        result.append(_waits(StepName.routed, StepName.files_ok if file_holds else StepName.mapped))
    else:
        result.append(Step(name=StepName.routed, status=StepStatus.pending, detail="Being routed."))

    if routed:
        result.append(
            Step(
                name=StepName.production_api,
                status=StepStatus.passed,
                detail=f"Listed in GET /v1/production/orders?line={order.production_line_id} with "
                "test: true; production cannot claim it.",
            )
        )
        result.append(_postback_step(facts.postbacks))
    else:
        result.append(_waits(StepName.production_api, StepName.routed))
        result.append(_waits(StepName.postback_delivered, StepName.routed))

    result.append(
        Step(
            name=StepName.storefronts,
            status=StepStatus.passed,
            detail="Listed for the customer's users in GET /v1/orders, with its status and history.",
        )
    )
    result.append(_shop_step(order, facts.shop_fulfillment))
    return result


def _postback_step(postbacks: PostbackFacts | None) -> Step:
    name = StepName.postback_delivered
    if postbacks is None or postbacks.endpoints == 0:
        return Step(
            name=name,
            status=StepStatus.passed,
            detail="No postback endpoint takes this customer's order events: there is nothing to deliver.",
        )
    if postbacks.failing:
        return Step(
            name=name,
            status=StepStatus.failed,
            detail="Not delivered: " + "; ".join(postbacks.failing) + ".",
            fix="Make the endpoint answer 2xx (its delivery log shows each attempt), then redeliver from "
            "POST /v1/postbacks/deliveries/{id}/redeliver.",
        )
    if postbacks.delivered >= postbacks.endpoints:
        return Step(
            name=name,
            status=StepStatus.passed,
            detail=f"Delivered to {postbacks.delivered} postback endpoint(s), signed.",
        )
    return Step(name=name, status=StepStatus.pending, detail="Postbacks are being delivered.")


def _shop_step(order: Order, checked: ShopFulfillment | None) -> Step:
    name = StepName.shop_update
    if order.platform == Platform.manual:
        return Step(
            name=name,
            status=StepStatus.passed,
            detail="A manual store has no shop to update: status and tracking are shown in Storefronts.",
        )
    if checked is None or checked.status == ShopFulfillmentStatus.requested:
        return Step(name=name, status=StepStatus.pending, detail="Asking the shop whether it can be updated.")
    if checked.status == ShopFulfillmentStatus.failed:
        return Step(
            name=name,
            status=StepStatus.failed,
            detail=f"The shop would not take the shipment: {checked.reason}",
            fix=checked.fix,
        )
    return Step(
        name=name,
        status=StepStatus.passed,
        detail="The shop would take the shipment with its tracking (checked, not sent).",
    )


def overall(result: Sequence[Step]) -> TestRunStatus:
    if any(step.status == StepStatus.failed for step in result):
        return TestRunStatus.failed
    if all(step.status == StepStatus.passed for step in result):
        return TestRunStatus.passed
    return TestRunStatus.running
