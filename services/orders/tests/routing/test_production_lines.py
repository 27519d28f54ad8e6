"""Production lines: created, listed, read, changed and deleted by operators and API keys; exactly one
default line always; every bad input a 422 naming the field."""

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from orders.models import ProductionLine

from .conftest import LINES, PROBLEM

pytestmark = pytest.mark.usefixtures("default_line")


async def test_the_migration_creates_the_default_line(client, operator):
    response = await client.get(LINES, headers=operator)

    [line] = response.json()["items"]
    assert {key: line[key] for key in ("code", "name", "description", "is_default", "active")} == {
        "code": "default",
        "name": "Default line",
        "description": None,
        "is_default": True,
        "active": True,
    }


async def test_an_operator_creates_a_line_that_reads_back_as_sent(client, operator, create_line):
    response = await create_line("berlin-large", name="  Berlin large format  ", description="Two plotters")

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{LINES}/{body['id']}"
    assert {key: body[key] for key in ("code", "name", "description", "is_default", "active")} == {
        "code": "berlin-large",
        "name": "Berlin large format",
        "description": "Two plotters",
        "is_default": False,
        "active": True,
    }
    assert body["created_at"] == body["updated_at"]
    fetched = await client.get(f"{LINES}/{body['id']}", headers=operator)
    assert (fetched.status_code, fetched.json()) == (200, body)


async def test_a_taken_code_is_409(create_line, line):
    await line("berlin")

    response = await create_line("berlin", name="Another")

    assert (response.status_code, response.headers["content-type"]) == (409, PROBLEM)
    assert response.json()["type"] == "https://printbridge.dev/problems/production-line-code-taken"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "Berlin"}, "code"),
        ({"code": "-berlin"}, "code"),
        ({"code": ""}, "code"),
        ({"code": "b" * 65}, "code"),
        ({"code": "ber lin"}, "code"),
        ({"code": "berlin\n"}, "code"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"description": "d" * 2001}, "description"),
        ({"is_default": "perhaps"}, "is_default"),
        ({"active": None}, "active"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_a_bad_line_is_422_naming_the_field(client, operator, body, field):
    response = await client.post(LINES, json={"code": "berlin", "name": "Berlin"} | body, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert ["body", field] in [error["loc"] for error in response.json()["errors"]]


async def test_the_list_is_by_code_with_search_filter_and_pages(client, operator, line):
    for code, name in (("munich", "München"), ("berlin", "Berlin Large"), ("hamburg", "Hamburg large")):
        await line(code, name=name)
    await line("archive", name="Old", active=False)

    async def codes(**params) -> list[str]:
        response = await client.get(LINES, params=params, headers=operator)
        assert response.status_code == 200, response.text
        return [item["code"] for item in response.json()["items"]]

    assert await codes() == ["archive", "berlin", "default", "hamburg", "munich"]
    assert await codes(q="LARGE") == ["berlin", "hamburg"]
    assert await codes(q="ham") == ["hamburg"]
    assert await codes(q="%") == []
    assert await codes(active="false") == ["archive"]
    assert await codes(active="true", q="m") == ["hamburg", "munich"]
    seen, cursor = [], None
    while True:
        page = (
            await client.get(
                LINES, params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=operator
            )
        ).json()
        seen += [item["code"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ["archive", "berlin", "default", "hamburg", "munich"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"cursor": "not-ours"}, {"active": "maybe"}]
)
async def test_bad_list_parameters_are_422(client, operator, params):
    response = await client.get(LINES, params=params, headers=operator)

    assert response.status_code == 422, response.text
    assert ["query", next(iter(params))] in [error["loc"] for error in response.json()["errors"]]


async def test_a_patch_changes_only_the_fields_sent(client, operator, line):
    created = await line("berlin", description="Two plotters")

    response = await client.patch(f"{LINES}/{created['id']}", json={"name": "Berlin XL"}, headers=operator)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["code"], body["description"]) == ("Berlin XL", "berlin", "Two plotters")
    assert body["updated_at"] >= created["updated_at"]
    cleared = await client.patch(f"{LINES}/{created['id']}", json={"description": None}, headers=operator)
    assert cleared.json()["description"] is None
    renamed = await client.patch(f"{LINES}/{created['id']}", json={"code": "berlin-xl"}, headers=operator)
    assert renamed.json()["code"] == "berlin-xl"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"code": None}, "code"),
        ({"active": None}, "active"),
        ({"code": "X"}, "code"),
    ],
)
async def test_a_bad_patch_is_422_naming_the_field(client, operator, line, body, field):
    created = await line()

    response = await client.patch(f"{LINES}/{created['id']}", json=body, headers=operator)

    assert response.status_code == 422, response.text
    assert ["body", field] in [error["loc"] for error in response.json()["errors"]]


async def test_a_patch_to_a_taken_code_is_409(client, operator, line):
    await line("berlin")
    munich = await line("munich")

    response = await client.patch(f"{LINES}/{munich['id']}", json={"code": "berlin"}, headers=operator)

    assert response.status_code == 409


async def defaults(app) -> list[str]:
    async with app.state.db.sessionmaker() as session:
        return list(await session.scalars(select(ProductionLine.code).where(ProductionLine.is_default)))


async def test_a_new_default_line_takes_the_default_over_in_the_same_transaction(app, client, operator, line):
    berlin = await line("berlin", is_default=True)

    assert berlin["is_default"] is True
    assert await defaults(app) == ["berlin"]
    munich = await line("munich")
    response = await client.patch(f"{LINES}/{munich['id']}", json={"is_default": True}, headers=operator)
    assert (response.status_code, response.json()["is_default"]) == (200, True)
    assert await defaults(app) == ["munich"]
    again = await client.patch(f"{LINES}/{munich['id']}", json={"is_default": True}, headers=operator)
    assert again.status_code == 200
    assert await defaults(app) == ["munich"]


async def test_the_default_line_stays_the_default_until_another_becomes_it(
    app, client, operator, default_line, line
):
    path = f"{LINES}/{default_line['id']}"
    refused = [
        await client.patch(path, json={"is_default": False}, headers=operator),
        await client.patch(path, json={"active": False}, headers=operator),
        await client.delete(path, headers=operator),
    ]

    assert [response.status_code for response in refused] == [409, 409, 409]
    assert {response.json()["type"] for response in refused} == {
        "https://printbridge.dev/problems/default-production-line"
    }
    assert "until another line becomes the default" in refused[0].json()["detail"]
    assert await defaults(app) == ["default"]
    other = await line("berlin")
    unchanged = await client.patch(f"{LINES}/{other['id']}", json={"is_default": False}, headers=operator)
    assert (unchanged.status_code, unchanged.json()["is_default"]) == (200, False)


async def test_an_inactive_line_cannot_become_the_default(app, client, operator, create_line, line):
    assert (await create_line("berlin", is_default=True, active=False)).status_code == 409
    closed = await line("munich", active=False)

    refused = await client.patch(f"{LINES}/{closed['id']}", json={"is_default": True}, headers=operator)
    reopened = await client.patch(
        f"{LINES}/{closed['id']}", json={"is_default": True, "active": True}, headers=operator
    )

    assert (refused.status_code, reopened.status_code) == (409, 200)
    assert await defaults(app) == ["munich"]


async def test_a_line_no_rule_points_to_is_deleted(app, client, operator, line):
    created = await line()

    response = await client.delete(f"{LINES}/{created['id']}", headers=operator)

    assert (response.status_code, response.content) == (204, b"")
    assert (await client.get(f"{LINES}/{created['id']}", headers=operator)).status_code == 404
    async with app.state.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProductionLine)) == 1


async def test_a_line_that_rules_point_to_is_not_deleted_and_the_answer_names_them(
    client, operator, line, rule
):
    berlin = await line()
    posters = await rule(berlin["id"], name="Posters")
    flyers = await rule(berlin["id"], name="Flyers")

    response = await client.delete(f"{LINES}/{berlin['id']}", headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (409, PROBLEM)
    problem = response.json()
    assert problem["type"] == "https://printbridge.dev/problems/production-line-in-use"
    assert problem["rules"] == [
        {"id": posters["id"], "name": "Posters"},
        {"id": flyers["id"], "name": "Flyers"},
    ]
    assert "'Posters', 'Flyers'" in problem["detail"]


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"name": "Berlin"}), ("DELETE", None)])
async def test_an_unknown_line_is_404(client, operator, method, body):
    response = await client.request(method, f"{LINES}/{uuid.uuid4()}", json=body, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert response.json()["type"] == "https://printbridge.dev/problems/production-line-not-found"


async def test_a_path_id_that_is_no_uuid_is_422(client, operator):
    response = await client.get(f"{LINES}/berlin", headers=operator)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "line_id"]


async def test_concurrent_moves_of_the_default_leave_exactly_one(app, client, operator, line):
    lines = [await line(f"line-{index}") for index in range(6)]

    answers = await asyncio.gather(
        *(
            client.patch(f"{LINES}/{item['id']}", json={"is_default": True}, headers=operator)
            for item in lines
        )
    )

    assert [answer.status_code for answer in answers] == [200] * 6
    assert len(await defaults(app)) == 1
