"""The dry run (`POST /v1/routing-rules/test`) and `service.route`: where an order would go and why, the
rules loaded in one query."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import event

from orders.routing import service
from orders.routing.matching import ItemFacts, OrderFacts
from printbridge_shared.events.contracts import Platform

from .conftest import PROBLEM, RULES

pytestmark = pytest.mark.usefixtures("default_line")
TEST = f"{RULES}/test"


def an_order(**changes):
    return {
        "customer_id": str(uuid.uuid4()),
        "store_id": str(uuid.uuid4()),
        "platform": "shopify",
        "country_code": "DE",
        "total_price": "119.90",
        "currency": "EUR",
        "items": [{"product_uid": "poster_a2_matte", "product_type": "poster"}],
    } | changes


async def test_the_dry_run_names_the_line_the_rule_and_every_verdict(client, operator, line, rule):
    berlin = await line("berlin", name="Berlin")
    france = await rule(berlin["id"], name="France", conditions={"countries": ["FR"]})
    posters = await rule(berlin["id"], name="Posters", conditions={"product_types": ["poster"]})
    off = await rule(berlin["id"], name="Off", enabled=False)

    response = await client.post(TEST, json={"order": an_order()}, headers=operator)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["production_line"] == {"id": berlin["id"], "code": "berlin", "name": "Berlin"}
    assert body["rule"] == {"id": posters["id"], "name": "Posters"}
    assert body["explanation"].startswith("Rule 'Posters' (position 2)")
    assert body["verdicts"] == [
        {
            "rule_id": france["id"],
            "name": "France",
            "position": 1,
            "matched": False,
            "reasons": ["the order ships to DE, the rule takes FR"],
        },
        {"rule_id": posters["id"], "name": "Posters", "position": 2, "matched": True, "reasons": []},
        {
            "rule_id": off["id"],
            "name": "Off",
            "position": 3,
            "matched": False,
            "reasons": ["not evaluated: rule 'Posters' (position 2) matched first"],
        },
    ]


async def test_an_order_no_rule_takes_goes_to_the_default_line(client, operator, default_line, line, rule):
    await rule(
        (await line())["id"], name="Big orders", conditions={"min_order_value": "500", "currency": "EUR"}
    )

    response = await client.post(TEST, json={"order": an_order(country_code=None)}, headers=operator)

    body = response.json()
    assert body["production_line"] == {"id": default_line["id"], "code": "default", "name": "Default line"}
    assert body["rule"] is None
    assert body["verdicts"][0]["reasons"] == ["the order's total 119.90 EUR is below the minimum 500 EUR"]
    assert body["explanation"] == (
        "No rule matched (1 tried, 0 disabled): the order goes to the default production line 'default'."
    )


async def test_the_dry_run_changes_nothing(client, operator, line, rule):
    await rule((await line())["id"])
    before = (await client.get(RULES, headers=operator)).json()

    await client.post(TEST, json={"order": an_order()}, headers=operator)

    assert (await client.get(RULES, headers=operator)).json() == before


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["order"]),
        ({"order": None}, ["order"]),
        ({"order_id": "not-a-uuid"}, ["order_id"]),
        ({"order": an_order(platform="amazon")}, ["order", "platform"]),
        ({"order": an_order(country_code="Deutschland")}, ["order", "country_code"]),
        ({"order": an_order(currency="Euro")}, ["order", "currency"]),
        ({"order": an_order(total_price="-1")}, ["order", "total_price"]),
        ({"order": an_order(customer_id="me")}, ["order", "customer_id"]),
        ({"order": an_order(items=[])}, ["order", "items"]),
        ({"order": an_order(items=[{"product_uid": "Poster"}])}, ["order", "items", "0", "product_uid"]),
        (
            {"order": an_order(items=[{"product_uid": "p", "product_type": "x y"}])},
            ["order", "items", "0", "product_type"],
        ),
    ],
)
async def test_a_bad_dry_run_is_422_naming_the_field(client, operator, body, loc):
    response = await client.post(TEST, json=body, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert ["body", *loc] in [error["loc"] for error in response.json()["errors"]]


async def test_route_loads_the_rules_and_lines_in_one_query(app, line, rule):
    berlin, munich = await line("berlin"), await line("munich")
    for index in range(5):
        await rule(
            (berlin if index % 2 else munich)["id"], name=f"rule {index}", conditions={"countries": ["FR"]}
        )
    await rule(munich["id"], name="Germany", conditions={"countries": ["DE"]})
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        # Only routing's: the app's job runner and its schedules use the same engine meanwhile.
        if "production_lines" in statement or "routing_rules" in statement:
            statements.append(statement)

    facts = OrderFacts(
        customer_id=uuid.uuid4(),
        store_id=uuid.uuid4(),
        platform=Platform.etsy,
        country_code="DE",
        total_price=Decimal("10"),
        currency="EUR",
        items=(ItemFacts("poster_a2", "poster"),),
    )
    engine = app.state.db.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with app.state.db.read_session() as session:
            decision = await service.route(session, facts)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert (decision.production_line_code, len(decision.verdicts)) == ("munich", 6)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
