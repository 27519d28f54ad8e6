"""Production lines and routing rules: where an order goes (docs/routing.md).

Invariants kept here, each under the routing lock (`RoutingRepository.lock`), so two requests at once
cannot break them: exactly one line is the default, and it is active; the rules' positions are 1..n
without gaps; there are at most `MAX_RULES` rules; a line that rules point to is not deleted."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Order, OrderStatus, ProductionLine, RoutingRule
from orders.order.exceptions import OrderNotFound
from orders.production.repository import ProductionRepository
from orders.routing.exceptions import (
    DefaultLineRequired,
    InactiveProductionLine,
    LineCodeTaken,
    NoDefaultLine,
    OrderNotResolved,
    PositionOutOfRange,
    ProductionLineInUse,
    ProductionLineNotFound,
    RoutingRuleNotFound,
    TooManyRules,
)
from orders.routing.matching import (
    Conditions,
    ItemFacts,
    LineFacts,
    OrderFacts,
    RoutingDecision,
    RuleFacts,
    decide,
)
from orders.routing.repository import RoutingRepository
from orders.routing.schemas import (
    MAX_RULES,
    LineRef,
    ProductionLineCreate,
    ProductionLinePage,
    ProductionLineUpdate,
    RoutingDryRun,
    RoutingDryRunResult,
    RoutingRuleCreate,
    RoutingRuleUpdate,
    RuleRef,
    Verdict,
)
from orders.routing.schemas import Conditions as ConditionsIn
from orders.routing.schemas import ProductionLine as ProductionLineRead
from orders.routing.schemas import RoutingRule as RoutingRuleRead
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform
from printbridge_shared.pagination import decode_position, encode_position


def line_to_read(line: ProductionLine) -> ProductionLineRead:
    return ProductionLineRead.model_validate(line, from_attributes=True)


def rule_to_read(rule: RoutingRule) -> RoutingRuleRead:
    return RoutingRuleRead.model_validate(rule, from_attributes=True)


async def get_line(session: AsyncSession, line_id: uuid.UUID) -> ProductionLine:
    line = await RoutingRepository(session).get_line(line_id)
    if line is None:
        raise ProductionLineNotFound(line_id)
    return line


async def list_lines(
    session: AsyncSession, *, query: str | None, active: bool | None, cursor: str | None, limit: int
) -> ProductionLinePage:
    rows = await RoutingRepository(session).list_lines(
        query=query.strip() if query else None, active=active, after=decode_position(cursor), limit=limit + 1
    )
    items = list(rows[:limit])
    next_cursor = encode_position(items[-1].code, items[-1].id) if len(rows) > limit else None
    return ProductionLinePage(items=[line_to_read(line) for line in items], next_cursor=next_cursor)


def _default_stays_active(code: str) -> DefaultLineRequired:
    return DefaultLineRequired(
        "The default production line takes every order no rule claims, so it is always active: "
        f"'{code}' cannot be the default and inactive at once. Send \"active\": true with is_default, or "
        "make another line the default before deactivating this one."
    )


async def create_line(session: AsyncSession, payload: ProductionLineCreate) -> ProductionLine:
    """A new line; with `is_default` it becomes the default in the same transaction (the one before
    stops being it)."""
    repository = RoutingRepository(session)
    await repository.lock()
    if payload.is_default and not payload.active:
        raise _default_stays_active(payload.code)
    if await repository.get_line_by_code(payload.code) is not None:
        raise LineCodeTaken(payload.code)
    if payload.is_default:
        await repository.clear_default()
    now = utcnow()
    line = ProductionLine(id=uuid.uuid4(), **payload.model_dump(), created_at=now, updated_at=now)
    repository.add(line)
    return line


async def update_line(
    session: AsyncSession, line_id: uuid.UUID, payload: ProductionLineUpdate
) -> ProductionLine:
    repository = RoutingRepository(session)
    await repository.lock()
    line = await get_line(session, line_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("code", line.code) != line.code and await repository.get_line_by_code(changes["code"]):
        raise LineCodeTaken(changes["code"])
    if changes.get("is_default") is False and line.is_default:
        raise DefaultLineRequired(
            f"'{line.code}' is the default production line and stays it until another line becomes the "
            "default: PATCH that line with is_default true."
        )
    becomes_default = changes.get("is_default") is True and not line.is_default
    if (line.is_default or becomes_default) and not changes.get("active", line.active):
        raise _default_stays_active(line.code)
    if becomes_default:
        await repository.clear_default()
    changed = {name: value for name, value in changes.items() if getattr(line, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(line, name, value)
        line.updated_at = utcnow()
    return line


async def delete_line(session: AsyncSession, line_id: uuid.UUID) -> None:
    """Only a line no rule points to, and never the default."""
    repository = RoutingRepository(session)
    await repository.lock()
    line = await get_line(session, line_id)
    if line.is_default:
        raise DefaultLineRequired(
            f"'{line.code}' is the default production line, which takes every order no rule claims; make "
            "another line the default first (PATCH it with is_default true), then delete this one."
        )
    rules = await repository.rules_of_line(line.id)
    if rules:
        raise ProductionLineInUse(line.code, rules)
    await repository.delete(line)


async def get_rule(session: AsyncSession, rule_id: uuid.UUID) -> RoutingRule:
    rule = await RoutingRepository(session).get_rule(rule_id)
    if rule is None:
        raise RoutingRuleNotFound(rule_id)
    return rule


async def list_rules(session: AsyncSession) -> list[RoutingRuleRead]:
    return [rule_to_read(rule) for rule in await RoutingRepository(session).list_rules()]


async def _usable_line(repository: RoutingRepository, line_id: uuid.UUID) -> None:
    line = await repository.get_line(line_id)
    if line is None:
        raise InactiveProductionLine(line_id, "is no production line")
    if not line.active:
        raise InactiveProductionLine(line_id, f"is production line '{line.code}', which is inactive")


def _stored(conditions: ConditionsIn) -> dict[str, Any]:
    """The conditions as the rule's JSON column keeps them: only those given, amounts as strings."""
    stored: dict[str, Any] = conditions.model_dump(mode="json", exclude_none=True)
    return stored


async def create_rule(session: AsyncSession, payload: RoutingRuleCreate) -> RoutingRule:
    """Inserts the rule at `position` (the rules from there move down one) or, without it, last."""
    repository = RoutingRepository(session)
    await repository.lock()
    count = await repository.count_rules()
    if count >= MAX_RULES:
        raise TooManyRules(MAX_RULES)
    await _usable_line(repository, payload.production_line_id)
    position = payload.position or count + 1
    if position > count + 1:
        raise PositionOutOfRange(position, count + 1)
    if position <= count:
        await repository.shift_rules(first=position, last=None, by=1)
    now = utcnow()
    rule = RoutingRule(
        id=uuid.uuid4(),
        name=payload.name,
        position=position,
        enabled=payload.enabled,
        production_line_id=payload.production_line_id,
        conditions=_stored(payload.conditions),
        created_at=now,
        updated_at=now,
    )
    repository.add(rule)
    return rule


async def update_rule(session: AsyncSession, rule_id: uuid.UUID, payload: RoutingRuleUpdate) -> RoutingRule:
    """Changes the fields sent; a new `position` moves the rule and the ones in between by one."""
    repository = RoutingRepository(session)
    await repository.lock()
    rule = await get_rule(session, rule_id)
    changes = payload.model_dump(exclude_unset=True)
    if "production_line_id" in changes:
        await _usable_line(repository, changes["production_line_id"])
    if "conditions" in changes:
        changes["conditions"] = _stored(payload.conditions)
    position = changes.pop("position", rule.position)
    if position != rule.position:
        count = await repository.count_rules()
        if position > count:
            raise PositionOutOfRange(position, count)
        if position < rule.position:
            await repository.shift_rules(first=position, last=rule.position - 1, by=1)
        else:
            await repository.shift_rules(first=rule.position + 1, last=position, by=-1)
        changes["position"] = position
    changed = {name: value for name, value in changes.items() if getattr(rule, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(rule, name, value)
        rule.updated_at = utcnow()
    return rule


async def delete_rule(session: AsyncSession, rule_id: uuid.UUID) -> None:
    """Deletes the rule; the ones after it move up one, so the positions stay without gaps."""
    repository = RoutingRepository(session)
    await repository.lock()
    rule = await get_rule(session, rule_id)
    position = rule.position
    await repository.delete(rule)
    await repository.shift_rules(first=position + 1, last=None, by=-1)


def _line_facts(line: ProductionLine) -> LineFacts:
    return LineFacts(id=line.id, code=line.code, active=line.active)


@dataclass(frozen=True)
class RoutingTable:
    """The rules and the default line as loaded once: routing many orders needs one query, not one each."""

    rules: tuple[RuleFacts, ...]
    default: LineFacts

    def decide(self, facts: OrderFacts) -> RoutingDecision:
        return decide(self.rules, self.default, facts)


async def routing_table(session: AsyncSession) -> RoutingTable:
    """The rules and their lines, in one query."""
    default: LineFacts | None = None
    rules: list[RuleFacts] = []
    for line, rule in await RoutingRepository(session).routing_table():
        if line.is_default:
            default = _line_facts(line)
        if rule is not None:
            rules.append(
                RuleFacts(
                    id=rule.id,
                    name=rule.name,
                    position=rule.position,
                    enabled=rule.enabled,
                    conditions=Conditions.from_stored(rule.conditions),
                    line=_line_facts(line),
                )
            )
    if default is None:
        raise NoDefaultLine(
            "There is no default production line; run the orders service's migrations, which create it."
        )
    return RoutingTable(tuple(rules), default)


async def route(session: AsyncSession, facts: OrderFacts) -> RoutingDecision:
    """Where the order goes: the first enabled rule (by position) whose conditions all hold, else the
    default line."""
    return (await routing_table(session)).decide(facts)


def facts_of(order: Order) -> OrderFacts:
    """What routing looks at of an order (its lines loaded, their items resolved)."""
    address = order.shipping_address or {}
    return OrderFacts(
        customer_id=order.customer_id,
        store_id=order.store_id,
        platform=Platform(order.platform),
        country_code=(address.get("country_code") or "").upper() or None,
        total_price=order.total_price,
        currency=order.currency,
        items=tuple(
            ItemFacts(product_uid=line.item["product_uid"], product_type=line.item["product_type"])
            for line in order.lines
            if line.item is not None
        ),
    )


async def _dry_run_facts(session: AsyncSession, payload: RoutingDryRun) -> OrderFacts:
    if payload.order_id is not None:
        order = await ProductionRepository(session).get(payload.order_id)
        if order is None:
            raise OrderNotFound(payload.order_id)
        if not order.lines or any(line.item is None for line in order.lines):
            raise OrderNotResolved(order.id, OrderStatus(order.status))
        return facts_of(order)
    described = payload.order
    assert described is not None  # RoutingDryRun asks for exactly one of them (422)
    return OrderFacts(
        customer_id=described.customer_id,
        store_id=described.store_id,
        platform=described.platform,
        country_code=described.country_code,
        total_price=described.total_price,
        currency=described.currency,
        items=tuple(ItemFacts(item.product_uid, item.product_type) for item in described.items),
    )


async def dry_run(session: AsyncSession, payload: RoutingDryRun) -> RoutingDryRunResult:
    """Where an order of the system (`order_id`, its items resolved) or one described in full would go,
    and why, without changing anything."""
    decision = await route(session, await _dry_run_facts(session, payload))
    line = await get_line(session, decision.production_line_id)
    matched = next((v for v in decision.verdicts if v.rule_id == decision.rule_id), None)
    return RoutingDryRunResult(
        production_line=LineRef(id=line.id, code=line.code, name=line.name),
        rule=RuleRef(id=matched.rule_id, name=matched.name) if matched is not None else None,
        explanation=decision.explanation,
        verdicts=[
            Verdict(
                rule_id=verdict.rule_id,
                name=verdict.name,
                position=verdict.position,
                matched=verdict.matched,
                reasons=list(verdict.reasons),
            )
            for verdict in decision.verdicts
        ],
    )
