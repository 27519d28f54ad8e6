"""Templates are saved, listed, read, changed and deleted; each change of the snapshot is one
`template.changed` with the template's next version, a delete one `template.removed`."""

import uuid

import pytest

from .conftest import TEMPLATES, template, template_events

pytestmark = pytest.mark.usefixtures("catalog")


async def test_a_template_is_saved_for_the_callers_customer_and_reads_back(client, app, team):
    body = template(description="Our summer campaign", files={"front": "https://files.example/front.pdf"})
    response = await client.post(TEMPLATES, json=body, headers=team.headers["admin"])
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"{TEMPLATES}/{created['id']}"
    assert {
        key: created[key] for key in ("customer_id", "name", "description", "product_uid", "attributes")
    } == {
        "customer_id": str(team.customer_id),
        "name": "Summer flyer",
        "description": "Our summer campaign",
        "product_uid": "flyer_a5",
        "attributes": {"paper": "matte", "size": "A5"},
    }
    assert created["files"]["front"]["url"] == "https://files.example/front.pdf"
    assert created["version"] == 1
    fetched = await client.get(f"{TEMPLATES}/{created['id']}", headers=team.headers["viewer"])
    assert fetched.status_code == 200
    assert fetched.json()["id"] == created["id"]
    assert fetched.json()["name"] == "Summer flyer"


async def test_an_area_without_a_file_is_reported_missing(client, team):
    body = template(product_uid="flyer_a5_duplex", files={"front": "https://files.example/front.pdf"})
    created = (await client.post(TEMPLATES, json=body, headers=team.headers["admin"])).json()
    assert {"code": "file_missing", "area": "back", "message": "no design file for 'back'"} in created[
        "issues"
    ]
    assert created["status"] == "file_missing"


async def test_an_operator_saves_a_template_for_the_customer_it_names(client, operator, team):
    body = template(customer_id=str(team.customer_id))
    response = await client.post(TEMPLATES, json=body, headers=operator)
    assert response.status_code == 201, response.text
    assert response.json()["customer_id"] == str(team.customer_id)
    seen = await client.get(f"{TEMPLATES}/{response.json()['id']}", headers=team.headers["viewer"])
    assert seen.status_code == 200


async def test_a_name_is_unique_per_customer_without_case(client, operator, team):
    assert (await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])).status_code == 201
    again = await client.post(TEMPLATES, json=template(name="SUMMER FLYER"), headers=team.headers["admin"])
    assert again.status_code == 409
    assert again.json()["type"].endswith("/template-name-taken")
    for_other = template(customer_id=str(team.other_customer_id))
    assert (await client.post(TEMPLATES, json=for_other, headers=operator)).status_code == 201


async def test_renaming_onto_another_templates_name_is_a_conflict(client, team):
    await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])
    second = (
        await client.post(TEMPLATES, json=template(name="Winter"), headers=team.headers["admin"])
    ).json()
    response = await client.patch(
        f"{TEMPLATES}/{second['id']}", json={"name": "summer flyer"}, headers=team.headers["admin"]
    )
    assert response.status_code == 409


async def test_the_list_is_by_name_paged_searchable_and_filtered_by_product(client, team):
    for name, uid in (("Charlie", "flyer_a5"), ("alpha", "flyer_a5_duplex"), ("Bravo", "flyer_a5")):
        body = template(name=name, product_uid=uid)
        assert (await client.post(TEMPLATES, json=body, headers=team.headers["admin"])).status_code == 201
    headers = team.headers["viewer"]
    first = (await client.get(TEMPLATES, params={"limit": 2}, headers=headers)).json()
    assert [t["name"] for t in first["items"]] == ["alpha", "Bravo"]
    rest = (
        await client.get(TEMPLATES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers)
    ).json()
    assert ([t["name"] for t in rest["items"]], rest["next_cursor"]) == (["Charlie"], None)
    found = (await client.get(TEMPLATES, params={"q": "RAV"}, headers=headers)).json()
    assert [t["name"] for t in found["items"]] == ["Bravo"]
    duplex = (await client.get(TEMPLATES, params={"product_uid": "flyer_a5_duplex"}, headers=headers)).json()
    assert [t["name"] for t in duplex["items"]] == ["alpha"]
    missing = (await client.get(TEMPLATES, params={"status": "file_missing"}, headers=headers)).json()
    assert len(missing["items"]) == 3


async def test_a_bad_cursor_or_limit_is_a_422(client, team):
    bad_cursor = await client.get(TEMPLATES, params={"cursor": "nonsense"}, headers=team.headers["admin"])
    assert bad_cursor.status_code == 422
    assert (
        await client.get(TEMPLATES, params={"limit": 0}, headers=team.headers["admin"])
    ).status_code == 422
    bad_status = await client.get(TEMPLATES, params={"status": "great"}, headers=team.headers["admin"])
    assert bad_status.status_code == 422
    assert bad_status.json()["errors"][0]["loc"] == ["query", "status"]


async def test_a_patch_changes_only_what_is_sent_and_records_the_next_version(client, app, team):
    created = (
        await client.post(TEMPLATES, json=template(description="old"), headers=team.headers["admin"])
    ).json()
    path = f"{TEMPLATES}/{created['id']}"
    response = await client.patch(
        path,
        json={"name": "Autumn flyer", "attributes": {"paper": "gloss"}},
        headers=team.headers["store_manager"],
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["description"], changed["attributes"], changed["version"]) == (
        "Autumn flyer",
        "old",
        {"paper": "gloss", "size": "A5"},
        2,
    )
    cleared = (await client.patch(path, json={"description": None}, headers=team.headers["admin"])).json()
    assert (cleared["description"], cleared["version"]) == (None, 3)
    same = (await client.patch(path, json={"name": "Autumn flyer"}, headers=team.headers["admin"])).json()
    assert same["version"] == 3
    events = await template_events(app)
    assert [(e.aggregate_version, e.data["name"]) for e in events] == [
        (1, "Summer flyer"),
        (2, "Autumn flyer"),
        (3, "Autumn flyer"),
    ]


async def test_the_changed_event_carries_the_whole_snapshot(client, app, team):
    body = template(files={"front": "https://files.example/front.pdf"})
    created = (await client.post(TEMPLATES, json=body, headers=team.headers["admin"])).json()
    [event] = await template_events(app)
    assert (event.type, event.version, event.source) == ("template.changed", 1, "mapping")
    assert event.customer_id == team.customer_id
    assert event.aggregate_id == uuid.UUID(created["id"])
    data = event.data
    assert {
        key: data[key]
        for key in ("template_id", "customer_id", "name", "product_uid", "attributes", "status")
    } == {
        "template_id": created["id"],
        "customer_id": str(team.customer_id),
        "name": "Summer flyer",
        "product_uid": "flyer_a5",
        "attributes": {"paper": "matte", "size": "A5"},
        "status": "file_pending",
    }
    assert data["files"]["front"]["url"] == "https://files.example/front.pdf"
    assert data["files"]["front"]["status"] == "pending"


async def test_a_deleted_template_is_gone_and_its_removal_recorded(client, app, team):
    created = (await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])).json()
    path = f"{TEMPLATES}/{created['id']}"
    response = await client.delete(path, headers=team.headers["admin"])
    assert response.status_code == 204
    assert (await client.get(path, headers=team.headers["admin"])).status_code == 404
    assert (await client.delete(path, headers=team.headers["admin"])).status_code == 404
    [removed] = await template_events(app, "template.removed")
    assert removed.aggregate_version == 2
    assert removed.data["template_id"] == created["id"]
    assert removed.customer_id == team.customer_id
    again = await client.post(TEMPLATES, json=template(), headers=team.headers["admin"])
    assert again.status_code == 201
