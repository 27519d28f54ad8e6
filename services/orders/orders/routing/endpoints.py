import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from orders.deps import ProducerManager, ReadSessionDep, SessionDep
from orders.routing import service
from orders.routing.schemas import (
    ProductionLine,
    ProductionLineCreate,
    ProductionLinePage,
    ProductionLineUpdate,
    RoutingDryRun,
    RoutingDryRunResult,
    RoutingRule,
    RoutingRuleCreate,
    RoutingRuleList,
    RoutingRuleUpdate,
)
from printbridge_shared.fields import Text
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit

LINES = "/v1/production-lines"
RULES = "/v1/routing-rules"
# A rule's path segment is a uuid (`{rule_id:uuid}`): `/v1/routing-rules/test` is then only the dry run,
# for every method (a GET there is 405, not a rule that cannot exist).
router = APIRouter(tags=["routing"])


@router.get(LINES, response_model=ProductionLinePage)
async def list_production_lines(
    session: ReadSessionDep,
    _principal: ProducerManager,
    q: Annotated[
        Text | None, Query(max_length=200, description="Case-insensitive part of the name or code.")
    ] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive (false) lines.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ProductionLinePage:
    """The production lines by code."""
    return await service.list_lines(session, query=q, active=active, cursor=cursor, limit=limit)


@router.post(
    LINES, status_code=status.HTTP_201_CREATED, response_model=ProductionLine, responses=problems(409)
)
async def create_production_line(
    payload: ProductionLineCreate, response: Response, session: SessionDep, _principal: ProducerManager
) -> ProductionLine:
    """Add a production line; with `is_default` true it becomes the default (and the one before stops
    being it)."""
    line = service.line_to_read(await service.create_line(session, payload))
    response.headers["Location"] = f"{LINES}/{line.id}"
    return line


@router.get(LINES + "/{line_id}", response_model=ProductionLine)
async def get_production_line(
    line_id: uuid.UUID, session: ReadSessionDep, _principal: ProducerManager
) -> ProductionLine:
    """One production line."""
    return service.line_to_read(await service.get_line(session, line_id))


@router.patch(LINES + "/{line_id}", response_model=ProductionLine, responses=problems(409))
async def update_production_line(
    line_id: uuid.UUID, payload: ProductionLineUpdate, session: SessionDep, _principal: ProducerManager
) -> ProductionLine:
    """Change the fields sent. `is_default` true moves the default here; the default line cannot be
    deactivated nor stop being the default by itself (409)."""
    return service.line_to_read(await service.update_line(session, line_id, payload))


@router.delete(LINES + "/{line_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(409))
async def delete_production_line(
    line_id: uuid.UUID, session: SessionDep, _principal: ProducerManager
) -> None:
    """Delete a line no routing rule points to (409 `production-line-in-use` names the rules that do);
    the default line is never deleted (409)."""
    await service.delete_line(session, line_id)


@router.get(RULES, response_model=RoutingRuleList)
async def list_routing_rules(session: ReadSessionDep, _principal: ProducerManager) -> RoutingRuleList:
    """Every rule, in the order they are tried (by position; at most 1,000, so not paged)."""
    return RoutingRuleList(items=await service.list_rules(session))


@router.post(
    RULES + "/test",
    response_model=RoutingDryRunResult,
    responses=problems(404, 409),
)
async def test_routing_rules(
    payload: RoutingDryRun, session: ReadSessionDep, _principal: ProducerManager
) -> RoutingDryRunResult:
    """Where an order would go, and why, without changing anything: the line, the rule that matched (null:
    the default line) and every rule's verdict with the reasons it did not match. The order is one of the
    system (`order_id`: its items must be resolved) or one described in full (`order`)."""
    return await service.dry_run(session, payload)


@router.post(RULES, status_code=status.HTTP_201_CREATED, response_model=RoutingRule, responses=problems(409))
async def create_routing_rule(
    payload: RoutingRuleCreate, response: Response, session: SessionDep, _principal: ProducerManager
) -> RoutingRule:
    """Add a rule at `position` (the rules from there move down one) or, without it, last. Its production
    line must exist and be active (422). The 1,001st rule is refused (409)."""
    rule = service.rule_to_read(await service.create_rule(session, payload))
    response.headers["Location"] = f"{RULES}/{rule.id}"
    return rule


@router.get(RULES + "/{rule_id:uuid}", response_model=RoutingRule)
async def get_routing_rule(
    rule_id: uuid.UUID, session: ReadSessionDep, _principal: ProducerManager
) -> RoutingRule:
    """One rule."""
    return service.rule_to_read(await service.get_rule(session, rule_id))


@router.patch(RULES + "/{rule_id:uuid}", response_model=RoutingRule)
async def update_routing_rule(
    rule_id: uuid.UUID, payload: RoutingRuleUpdate, session: SessionDep, _principal: ProducerManager
) -> RoutingRule:
    """Change the fields sent (`conditions` is replaced whole); a new `position` moves the rule, and the
    rules in between move by one."""
    return service.rule_to_read(await service.update_rule(session, rule_id, payload))


@router.delete(RULES + "/{rule_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_routing_rule(rule_id: uuid.UUID, session: SessionDep, _principal: ProducerManager) -> None:
    """Delete the rule; the rules after it move up one."""
    await service.delete_rule(session, rule_id)
