"""Routing rules: created, listed by position, read, changed, moved and deleted, positions always 1..n;
conditions validated value by value; at most 1,000 rules."""

import asyncio
import uuid

import pytest

from orders.models import RoutingRule
from printbridge_shared.db import utcnow

from .conftest import PROBLEM, RULES

pytestmark = pytest.mark.usefixtures("default_line")


async def names_by_position(client, operator) -> list[tuple[int, str]]:
    response = await client.get(RULES, headers=operator)
    assert response.status_code == 200, response.text
    return [(item["position"], item["name"]) for item in response.json()["items"]]


async def test_an_operator_creates_a_rule_that_reads_back_as_sent(client, operator, line, create_rule):
    berlin = await line()
    customer = str(uuid.uuid4())
    conditions = {
        "customer_ids": [customer],
        "platforms": ["shopify", "manual"],
        "product_types": ["poster"],
        "product_uid_prefixes": ["poster_"],
        "countries": ["de", "AT"],
        "min_order_value": "50.00",
        "max_order_value": "1000",
        "currency": "eur",
    }

    response = await create_rule(berlin["id"], name=" EU posters ", conditions=conditions)

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{RULES}/{body['id']}"
    assert (body["name"], body["position"], body["enabled"], body["production_line_id"]) == (
        "EU posters",
        1,
        True,
        berlin["id"],
    )
    assert body["conditions"] == conditions | {
        "countries": ["DE", "AT"],
        "currency": "EUR",
        "store_ids": None,
    }
    fetched = await client.get(f"{RULES}/{body['id']}", headers=operator)
    assert (fetched.status_code, fetched.json()) == (200, body)


async def test_a_rule_without_conditions_is_allowed(line, rule):
    created = await rule((await line())["id"])

    assert set(created["conditions"].values()) == {None}


async def test_rules_are_appended_or_inserted_and_the_others_shift(client, operator, line, rule):
    line_id = (await line())["id"]
    for name in ("a", "b", "c"):
        await rule(line_id, name=name)

    await rule(line_id, name="first", position=1)
    await rule(line_id, name="third", position=3)
    await rule(line_id, name="last", position=6)

    assert await names_by_position(client, operator) == [
        (1, "first"), (2, "a"), (3, "third"), (4, "b"), (5, "c"), (6, "last"),
    ]  # fmt: skip


async def test_a_position_past_the_end_is_422(create_rule, line, rule):
    line_id = (await line())["id"]
    await rule(line_id)

    response = await create_rule(line_id, position=3)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "position"]
    assert "give 1 to 2" in response.json()["detail"]


async def test_a_patch_moves_a_rule_and_those_in_between_by_one(client, operator, line, rule):
    line_id = (await line())["id"]
    ids = {name: (await rule(line_id, name=name))["id"] for name in "abcde"}

    down = await client.patch(f"{RULES}/{ids['b']}", json={"position": 4}, headers=operator)
    assert (down.status_code, down.json()["position"]) == (200, 4)
    assert await names_by_position(client, operator) == [(1, "a"), (2, "c"), (3, "d"), (4, "b"), (5, "e")]

    up = await client.patch(f"{RULES}/{ids['e']}", json={"position": 1}, headers=operator)
    assert up.status_code == 200
    assert await names_by_position(client, operator) == [(1, "e"), (2, "a"), (3, "c"), (4, "d"), (5, "b")]

    past = await client.patch(f"{RULES}/{ids['a']}", json={"position": 6}, headers=operator)
    assert (past.status_code, past.json()["errors"][0]["loc"]) == (422, ["body", "position"])


async def test_deleting_a_rule_closes_the_gap(client, operator, line, rule):
    line_id = (await line())["id"]
    ids = {name: (await rule(line_id, name=name))["id"] for name in "abc"}

    response = await client.delete(f"{RULES}/{ids['b']}", headers=operator)

    assert (response.status_code, response.content) == (204, b"")
    assert await names_by_position(client, operator) == [(1, "a"), (2, "c")]
    assert (await client.get(f"{RULES}/{ids['b']}", headers=operator)).status_code == 404


async def test_a_patch_changes_only_the_fields_sent_and_replaces_the_conditions_whole(
    client, operator, line, rule
):
    berlin, munich = (await line("berlin"))["id"], (await line("munich"))["id"]
    created = await rule(berlin, name="posters", conditions={"countries": ["DE"], "platforms": ["etsy"]})
    path = f"{RULES}/{created['id']}"

    renamed = await client.patch(path, json={"name": "Posters", "enabled": False}, headers=operator)
    moved = await client.patch(
        path, json={"production_line_id": munich, "conditions": {"countries": ["AT"]}}, headers=operator
    )

    assert (renamed.json()["name"], renamed.json()["enabled"], renamed.json()["conditions"]["countries"]) == (
        "Posters",
        False,
        ["DE"],
    )
    body = moved.json()
    assert (body["production_line_id"], body["conditions"]["countries"], body["conditions"]["platforms"]) == (
        munich,
        ["AT"],
        None,
    )
    assert body["name"] == "Posters"


async def test_the_line_of_a_rule_must_exist_and_be_active(client, operator, create_rule, line, rule):
    closed = await line("closed", active=False)
    unknown = await create_rule(str(uuid.uuid4()))
    inactive = await create_rule(closed["id"])
    created = await rule((await line("open"))["id"])
    patched = await client.patch(
        f"{RULES}/{created['id']}", json={"production_line_id": closed["id"]}, headers=operator
    )

    for response in (unknown, inactive, patched):
        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
        assert response.json()["errors"][0]["loc"] == ["body", "production_line_id"]
    assert "is no production line" in unknown.json()["detail"]
    assert "inactive" in inactive.json()["detail"]


def many(value, count=101):
    return [value] * count


@pytest.mark.parametrize(
    ("conditions", "loc"),
    [
        ({"countries": ["XX"]}, ["countries", 0]),
        ({"countries": ["DE", "Germany"]}, ["countries", 1]),
        ({"countries": ["UK"]}, ["countries", 0]),
        ({"countries": []}, ["countries"]),
        ({"countries": many("DE")}, ["countries"]),
        ({"countries": "DE"}, ["countries"]),
        ({"platforms": ["amazon"]}, ["platforms", 0]),
        ({"platforms": []}, ["platforms"]),
        ({"customer_ids": ["not-a-uuid"]}, ["customer_ids", 0]),
        ({"customer_ids": []}, ["customer_ids"]),
        ({"store_ids": many(str(uuid.uuid4()))}, ["store_ids"]),
        ({"product_types": ["Poster"]}, ["product_types", 0]),
        ({"product_types": []}, ["product_types"]),
        ({"product_uid_prefixes": ["poster a2"]}, ["product_uid_prefixes", 0]),
        ({"product_uid_prefixes": ["ok_", ""]}, ["product_uid_prefixes", 1]),
        ({"product_uid_prefixes": []}, ["product_uid_prefixes"]),
        ({"min_order_value": "10"}, ["currency"]),
        ({"max_order_value": "10"}, ["currency"]),
        ({"currency": "EUR"}, ["currency"]),
        ({"min_order_value": "10", "currency": "EURO"}, ["currency"]),
        ({"min_order_value": "-1", "currency": "EUR"}, ["min_order_value"]),
        ({"min_order_value": "ten", "currency": "EUR"}, ["min_order_value"]),
        ({"max_order_value": "NaN", "currency": "EUR"}, ["max_order_value"]),
        ({"min_order_value": "100", "max_order_value": "99.99", "currency": "EUR"}, ["max_order_value"]),
        ({"weekday": ["monday"]}, ["weekday"]),
    ],
)
async def test_a_bad_condition_is_422_naming_it(create_rule, line, conditions, loc):
    response = await create_rule((await line())["id"], conditions=conditions)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert ["body", "conditions", *map(str, loc)] in [error["loc"] for error in response.json()["errors"]]


async def test_an_empty_condition_says_to_leave_it_out(create_rule, line):
    response = await create_rule((await line())["id"], conditions={"countries": []})

    assert "leave the condition out" in response.json()["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"position": 0}, "position"),
        ({"position": "first"}, "position"),
        ({"enabled": "sometimes"}, "enabled"),
        ({"production_line_id": "berlin"}, "production_line_id"),
        ({"priority": 1}, "priority"),
    ],
)
async def test_a_bad_rule_is_422_naming_the_field(create_rule, line, body, field):
    response = await create_rule((await line())["id"], **body)

    assert response.status_code == 422, response.text
    assert ["body", field] in [error["loc"] for error in response.json()["errors"]]


async def test_a_rule_without_name_or_line_is_422(client, operator):
    response = await client.post(RULES, json={}, headers=operator)

    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["errors"]]
    assert ["body", "name"] in locs and ["body", "production_line_id"] in locs


@pytest.mark.parametrize(
    "body", [{"name": None}, {"position": None}, {"conditions": None}, {"enabled": None}]
)
async def test_a_patch_with_null_is_422(client, operator, line, rule, body):
    created = await rule((await line())["id"])

    response = await client.patch(f"{RULES}/{created['id']}", json=body, headers=operator)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", next(iter(body))]


async def test_the_1001st_rule_is_refused(app, client, operator, line, create_rule):
    line_id = uuid.UUID((await line())["id"])
    now = utcnow()
    async with app.state.db.session() as session:
        session.add_all(
            RoutingRule(
                name=f"rule {position}",
                position=position,
                enabled=True,
                production_line_id=line_id,
                conditions={},
                created_at=now,
                updated_at=now,
            )
            for position in range(1, 1001)
        )

    response = await create_rule(str(line_id))

    assert (response.status_code, response.json()["type"]) == (
        409,
        "https://printbridge.dev/problems/too-many-routing-rules",
    )
    assert len((await client.get(RULES, headers=operator)).json()["items"]) == 1000


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)])
async def test_an_unknown_rule_is_404(client, operator, method, body):
    response = await client.request(method, f"{RULES}/{uuid.uuid4()}", json=body, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert response.json()["type"] == "https://printbridge.dev/problems/routing-rule-not-found"


async def test_concurrent_changes_keep_the_positions_contiguous(client, operator, line, create_rule):
    line_id = (await line())["id"]
    await asyncio.gather(*(create_rule(line_id, name=f"r{index}", position=1) for index in range(8)))
    listed = (await client.get(RULES, headers=operator)).json()["items"]

    await asyncio.gather(
        *(
            client.patch(f"{RULES}/{item['id']}", json={"position": 8 - index}, headers=operator)
            for index, item in enumerate(listed[:4])
        ),
        *(client.delete(f"{RULES}/{item['id']}", headers=operator) for item in listed[4:6]),
    )

    positions = [position for position, _ in await names_by_position(client, operator)]
    assert positions == list(range(1, 7))
