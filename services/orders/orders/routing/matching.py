"""Which production line an order goes to, without a database: the rules in, the decision and every reason
out. The service loads the rules (one query) and calls `decide`; the dry run shows its verdicts as they are.

A rule's conditions are combined with AND, and a rule without conditions matches every order. The item
conditions (`product_types`, `product_uid_prefixes`) hold only when EVERY item of the order satisfies
them: a line that can make only part of a mixed order is not where that order goes."""

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from printbridge_shared.events.contracts import Platform

# How many values a reason names before it says "and N more": a reason stays one readable sentence.
NAMED_VALUES = 5


@dataclass(frozen=True)
class ItemFacts:
    product_uid: str
    product_type: str


@dataclass(frozen=True)
class OrderFacts:
    """What routing looks at of an order; `country_code` is the shipping address's (None: none known)."""

    customer_id: uuid.UUID
    store_id: uuid.UUID
    platform: Platform
    country_code: str | None
    total_price: Decimal
    currency: str
    items: tuple[ItemFacts, ...]


@dataclass(frozen=True)
class RuleVerdict:
    """One rule's outcome for the order; `reasons` says why it did not match, one sentence per failed
    condition (or why it was not tried)."""

    rule_id: uuid.UUID
    name: str
    matched: bool
    reasons: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class RoutingDecision:
    production_line_id: uuid.UUID
    production_line_code: str
    rule_id: uuid.UUID | None
    verdicts: tuple[RuleVerdict, ...]
    explanation: str


@dataclass(frozen=True)
class Conditions:
    """A rule's conditions as sets, for matching; None is a condition left out (it always holds)."""

    customer_ids: frozenset[uuid.UUID] | None = None
    store_ids: frozenset[uuid.UUID] | None = None
    platforms: frozenset[Platform] | None = None
    product_types: frozenset[str] | None = None
    product_uid_prefixes: tuple[str, ...] | None = None
    countries: frozenset[str] | None = None
    min_order_value: Decimal | None = None
    max_order_value: Decimal | None = None
    currency: str | None = None

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> "Conditions":
        """The conditions as the rule's JSON column holds them (schemas.Conditions, dumped as JSON)."""

        def values(name: str) -> list[Any] | None:
            found = stored.get(name)
            return list(found) if found is not None else None

        def amount(name: str) -> Decimal | None:
            found = stored.get(name)
            return Decimal(found) if found is not None else None

        customers, stores, platforms = values("customer_ids"), values("store_ids"), values("platforms")
        types, prefixes, countries = (
            values("product_types"),
            values("product_uid_prefixes"),
            values("countries"),
        )
        return cls(
            customer_ids=frozenset(uuid.UUID(v) for v in customers) if customers is not None else None,
            store_ids=frozenset(uuid.UUID(v) for v in stores) if stores is not None else None,
            platforms=frozenset(Platform(v) for v in platforms) if platforms is not None else None,
            product_types=frozenset(types) if types is not None else None,
            product_uid_prefixes=tuple(prefixes) if prefixes is not None else None,
            countries=frozenset(countries) if countries is not None else None,
            min_order_value=amount("min_order_value"),
            max_order_value=amount("max_order_value"),
            currency=stored.get("currency"),
        )


@dataclass(frozen=True)
class LineFacts:
    id: uuid.UUID
    code: str
    active: bool


@dataclass(frozen=True)
class RuleFacts:
    """A rule with what matching needs of its production line."""

    id: uuid.UUID
    name: str
    position: int
    enabled: bool
    conditions: Conditions
    line: LineFacts


def _named(values: Iterable[object]) -> str:
    names = sorted(str(value) for value in values)
    shown = ", ".join(names[:NAMED_VALUES])
    return shown if len(names) <= NAMED_VALUES else f"{shown} and {len(names) - NAMED_VALUES} more"


def _items_reason(order: OrderFacts, fits: Callable[[ItemFacts], bool], wanted: str) -> str | None:
    """Why an item condition fails (None: every item fits): the first item that does not, and how many
    more do not either. An order without items fits no item condition."""
    if not order.items:
        return f"the order has no items, and the rule takes only {wanted}"
    misfits = [(number, item) for number, item in enumerate(order.items, 1) if not fits(item)]
    if not misfits:
        return None
    number, item = misfits[0]
    more = "" if len(misfits) == 1 else f" (and {len(misfits) - 1} more)"
    return (
        f"item {number} ({item.product_uid}, of type {item.product_type}){more} is not among {wanted}, and "
        "every item must be"
    )


def failed_conditions(conditions: Conditions, order: OrderFacts) -> tuple[str, ...]:
    """Why the order does not meet the conditions, a sentence per condition that fails; () when all hold."""
    reasons: list[str | None] = []
    if conditions.customer_ids is not None and order.customer_id not in conditions.customer_ids:
        reasons.append(f"customer {order.customer_id} is not one of the rule's customers")
    if conditions.store_ids is not None and order.store_id not in conditions.store_ids:
        reasons.append(f"store {order.store_id} is not one of the rule's stores")
    if conditions.platforms is not None and order.platform not in conditions.platforms:
        reasons.append(
            f"the order comes from {order.platform.value}, the rule takes {_named(conditions.platforms)}"
        )
    if conditions.product_types is not None:
        types = conditions.product_types
        wanted = f"the product types {_named(types)}"
        reasons.append(_items_reason(order, lambda item: item.product_type in types, wanted))
    if conditions.product_uid_prefixes is not None:
        prefixes = conditions.product_uid_prefixes
        wanted = f"the products starting with {_named(prefixes)}"
        reasons.append(_items_reason(order, lambda item: item.product_uid.startswith(prefixes), wanted))
    if conditions.countries is not None:
        if order.country_code is None:
            reasons.append("the order has no shipping country, and the rule takes only some countries")
        elif order.country_code not in conditions.countries:
            reasons.append(
                f"the order ships to {order.country_code}, the rule takes {_named(conditions.countries)}"
            )
    reasons.extend(_value_reasons(conditions, order))
    return tuple(reason for reason in reasons if reason is not None)


def _value_reasons(conditions: Conditions, order: OrderFacts) -> list[str]:
    low, high, currency = conditions.min_order_value, conditions.max_order_value, conditions.currency
    if low is None and high is None:
        return []
    if order.currency != currency:
        # No conversion: an amount in another currency is neither above nor below the bound.
        return [f"the order is in {order.currency}, the rule's order value is in {currency}"]
    total = f"{order.total_price} {order.currency}"
    if low is not None and order.total_price < low:
        return [f"the order's total {total} is below the minimum {low} {currency}"]
    if high is not None and order.total_price > high:
        return [f"the order's total {total} is above the maximum {high} {currency}"]
    return []


def decide(rules: Sequence[RuleFacts], default: LineFacts, order: OrderFacts) -> RoutingDecision:
    """The first enabled rule (by position) whose conditions all hold and whose line is active, else the
    default line. Rules after the match are not evaluated; their verdicts say so."""
    verdicts: list[RuleVerdict] = []
    chosen: RuleFacts | None = None
    tried = 0
    for rule in sorted(rules, key=lambda r: r.position):
        if chosen is not None:
            reason = f"not evaluated: rule '{chosen.name}' (position {chosen.position}) matched first"
            verdicts.append(RuleVerdict(rule.id, rule.name, False, (reason,), rule.position))
            continue
        if not rule.enabled:
            verdicts.append(RuleVerdict(rule.id, rule.name, False, ("disabled",), rule.position))
            continue
        tried += 1
        reasons = failed_conditions(rule.conditions, order)
        if not reasons and not rule.line.active:
            reasons = (f"its production line '{rule.line.code}' is inactive",)
        verdicts.append(RuleVerdict(rule.id, rule.name, not reasons, reasons, rule.position))
        if not reasons:
            chosen = rule
    if chosen is not None:
        explanation = (
            f"Rule '{chosen.name}' (position {chosen.position}) is the first enabled rule whose conditions "
            f"all hold: the order goes to production line '{chosen.line.code}'."
        )
        return RoutingDecision(chosen.line.id, chosen.line.code, chosen.id, tuple(verdicts), explanation)
    disabled = len(rules) - tried
    explanation = (
        f"No rule matched ({tried} tried, {disabled} disabled): the order goes to the default production "
        f"line '{default.code}'."
        if rules
        else f"There are no routing rules: the order goes to the default production line '{default.code}'."
    )
    return RoutingDecision(default.id, default.code, None, tuple(verdicts), explanation)
