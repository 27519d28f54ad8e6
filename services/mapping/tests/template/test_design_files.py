"""Design files are fetched from a real server and checked against their print area in the background:
what passes, what fails and why (with the fix), a file fixed at its address
passing on a recheck, and the template's status and events following each result and each catalog
change."""

import asyncio
import uuid

import pytest
from sqlalchemy import select

from mapping.models import jobs
from mapping.specs import files as design_files
from mapping.specs.files import RECHECK_FAILED_JOB as RECHECK
from mapping.specs.repository import DesignFileRepository
from printbridge_shared.printfiles import FileCheck
from printbridge_shared.printfiles.jobs import unchecked
from printbridge_shared.testing import a_lock_is_awaited, eventually
from printbridge_shared.testing_files import pdf

from .conftest import FILES, PRODUCTS, TEMPLATES, settled, template, template_events

pytestmark = pytest.mark.usefixtures("catalog")


async def save(client, headers, **changes):
    response = await client.post(TEMPLATES, json=template(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_a_file_of_the_right_size_passes_and_the_template_is_ok(client, app, team, files_url):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/front.pdf"})
    body = await settled(client, team.headers["admin"], template_id)
    front = body["files"]["front"]
    assert (front["status"], front["problem"], front["format"], front["pages"]) == ("passed", None, "pdf", 1)
    assert front["width_mm"] == pytest.approx(154) and front["height_mm"] == pytest.approx(216)
    assert front["checked_at"] is not None
    assert (body["status"], body["issues"], body["version"]) == ("ok", [], 2)
    events = await template_events(app)
    assert [(e.aggregate_version, e.data["status"]) for e in events] == [(1, "file_pending"), (2, "ok")]
    assert events[-1].data["files"]["front"]["status"] == "passed"


@pytest.mark.parametrize(
    ("name", "problem", "found", "fix"),
    [
        ("tiny.png", "file_too_small", {"format": "png", "width_px": 100}, "pixels"),
        ("poster.pdf", "file_too_large", {"format": "pdf"}, "154.0 x 216.0 mm"),
        ("missing.pdf", "file_unreachable", {"http_status": 404}, "link"),
    ],
)
async def test_a_file_that_cannot_be_printed_fails_with_what_was_found_and_the_fix(
    client, team, files_url, name, problem, found, fix
):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/{name}"})
    body = await settled(client, team.headers["admin"], template_id)
    front = body["files"]["front"]
    assert (front["status"], front["problem"]) == ("failed", problem)
    assert found.items() <= front.items()
    assert fix in front["fix"]
    assert body["status"] == "file_failed"
    [issue] = body["issues"]
    assert (issue["code"], issue["area"]) == ("file_failed", "front")
    assert front["fix"] in issue["message"]


async def test_a_web_page_behind_a_pdf_link_fails_as_html(client, team, login_url):
    template_id = await save(client, team.headers["admin"], files={"front": login_url})
    front = (await settled(client, team.headers["admin"], template_id))["files"]["front"]
    assert (front["status"], front["problem"], front["format"]) == ("failed", "file_format", "html")


async def test_a_file_fixed_at_its_address_passes_on_a_recheck_by_itself_and_on_demand(
    client, app, team, files_url
):
    FILES["fixable.pdf"] = pdf(100, 100)
    try:
        template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/fixable.pdf"})
        failed = await settled(client, team.headers["admin"], template_id)
        assert failed["files"]["front"]["problem"] == "file_too_small"

        FILES["fixable.pdf"] = pdf(154, 216)
        async with app.state.db.session() as session:  # what the hourly schedule does
            await design_files.recheck_failed(session)

        async def passed():
            got = await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["viewer"])
            return got.json()["status"] == "ok"

        await eventually(passed, within=20)

        FILES["fixable.pdf"] = b"<html>gone</html>"
        response = await client.post(
            f"{TEMPLATES}/{template_id}/files/recheck", headers=team.headers["admin"]
        )
        assert response.status_code == 202
        assert response.json()["files"]["front"]["status"] == "passed"  # until the new result comes

        async def failed_again():
            got = await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["viewer"])
            return got.json()["files"]["front"]["problem"] == "file_format"

        await eventually(failed_again, within=20)
    finally:
        del FILES["fixable.pdf"]
    statuses = [e.data["status"] for e in await template_events(app)]
    assert statuses == ["file_pending", "file_failed", "ok", "file_failed"]


async def test_a_recheck_with_the_same_result_records_no_event(client, app, team, files_url):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/tiny.png"})
    await settled(client, team.headers["admin"], template_id)
    before = await template_events(app)
    first_check = (await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])).json()
    await client.post(f"{TEMPLATES}/{template_id}/files/recheck", headers=team.headers["admin"])

    async def checked_again():
        got = await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])
        return got.json()["files"]["front"]["checked_at"] != first_check["files"]["front"]["checked_at"]

    await eventually(checked_again, within=20)
    assert len(await template_events(app)) == len(before)


async def test_the_same_address_keeps_its_result_and_a_new_one_is_checked_again(client, app, team, files_url):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/front.pdf"})
    passed = (await settled(client, team.headers["admin"], template_id))["files"]["front"]
    path = f"{TEMPLATES}/{template_id}"
    same = await client.patch(
        path, json={"files": {"front": f"{files_url}/front.pdf"}}, headers=team.headers["admin"]
    )
    assert same.json()["files"]["front"] == passed
    moved = await client.patch(
        path, json={"files": {"front": f"{files_url}/tiny.png"}}, headers=team.headers["admin"]
    )
    assert (moved.json()["files"]["front"]["status"], moved.json()["status"]) == ("pending", "file_pending")
    body = await settled(client, team.headers["admin"], template_id)
    assert body["files"]["front"]["problem"] == "file_too_small"
    removed = await client.patch(path, json={"files": {}}, headers=team.headers["admin"])
    assert (removed.json()["files"], removed.json()["status"]) == ({}, "file_missing")


async def test_retiring_and_reactivating_the_product_moves_the_templates_status(
    client, app, operator, team, files_url
):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/front.pdf"})
    await settled(client, team.headers["admin"], template_id)
    path = f"{TEMPLATES}/{template_id}"
    await client.post(f"{PRODUCTS}/flyer_a5/retire", headers=operator)
    retired = (await client.get(path, headers=team.headers["admin"])).json()
    assert retired["status"] == "product_retired"
    assert retired["issues"][0]["code"] == "product_retired"
    await client.post(f"{PRODUCTS}/flyer_a5/reactivate", headers=operator)
    assert (await client.get(path, headers=team.headers["admin"])).json()["status"] == "ok"
    statuses = [e.data["status"] for e in await template_events(app)]
    assert statuses == ["file_pending", "ok", "product_retired", "ok"]
    listed = await client.get(TEMPLATES, params={"status": "ok"}, headers=team.headers["admin"])
    assert [t["id"] for t in listed.json()["items"]] == [template_id]


async def test_a_catalog_change_that_no_longer_fits_makes_the_spec_invalid(client, operator, team):
    template_id = await save(client, team.headers["admin"])
    changed = await client.patch(
        f"{PRODUCTS}/flyer_a5", json={"attributes": {"paper": ["gloss", "silk"]}}, headers=operator
    )
    assert changed.status_code == 200
    body = (await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])).json()
    assert body["status"] == "spec_invalid"
    assert any(
        issue["code"] == "spec_invalid" and "attributes.paper" in issue["message"] for issue in body["issues"]
    )


async def test_a_print_area_asking_something_else_checks_the_file_again(
    client, app, operator, team, files_url
):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/front.pdf"})
    await settled(client, team.headers["admin"], template_id)
    bigger = [
        {"name": "front", "formats": ["pdf"], "trim_width_mm": 210, "trim_height_mm": 297, "bleed_mm": 3}
    ]
    await client.patch(f"{PRODUCTS}/flyer_a5", json={"print_areas": bigger}, headers=operator)
    body = await settled(client, team.headers["admin"], template_id)
    assert (body["files"]["front"]["problem"], body["status"]) == ("file_too_small", "file_failed")
    statuses = [e.data["status"] for e in await template_events(app)]
    assert statuses == ["file_pending", "ok", "file_pending", "file_failed"]


async def test_a_check_of_an_address_changed_meanwhile_is_dropped(client, app, team, files_url):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/front.pdf"})
    await settled(client, team.headers["admin"], template_id)
    async with app.state.db.session() as session:
        [row] = await DesignFileRepository(session).of_owner("template", uuid.UUID(template_id))
        stale = FileCheck(url=row.url, ok=False, reason="file_format", message="old", fix="old")
        await design_files.record_result(session, app.state.outbox, row.id, "an older fingerprint", stale)
    front = (await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])).json()["files"]
    assert front["front"]["status"] == "passed"


async def test_a_check_that_keeps_crashing_leaves_the_file_failed_with_the_reason(
    client, app, team, files_url
):
    template_id = await save(client, team.headers["admin"], files={"front": f"{files_url}/front.pdf"})
    await settled(client, team.headers["admin"], template_id)
    async with app.state.db.session() as session:
        [row] = await DesignFileRepository(session).of_owner("template", uuid.UUID(template_id))
        mark = design_files.fingerprint(row)
        given_up = unchecked("ReadError: reset", "POST …/files/recheck")  # what the job keeps at its last try
        await design_files.record_result(session, app.state.outbox, row.id, mark, given_up)
    body = (await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])).json()
    front = body["files"]["front"]
    assert (front["status"], front["problem"], body["status"]) == (
        "failed",
        "file_unreachable",
        "file_failed",
    )
    assert "ReadError: reset" in front["message"]
    assert [e.data["status"] for e in await template_events(app)][-1] == "file_failed"


async def test_failed_files_are_rechecked_hourly_by_default(client, app):
    async def schedule():
        async with app.state.db.session() as session:
            query = select(jobs.schedules).where(jobs.schedules.c.name == RECHECK)
            return (await session.execute(query)).one_or_none()

    await eventually(schedule)  # the job runner registers it as it starts
    row = await schedule()
    assert (row.kind, row.interval_seconds) == (RECHECK, 3600)


async def test_a_catalog_import_that_retires_the_product_moves_the_templates_status(client, operator, team):
    template_id = await save(client, team.headers["admin"])
    exported = (await client.get(f"{PRODUCTS}/export.json", headers=operator)).json()
    rows = [product | {"status": "retired"} for product in exported if product["product_uid"] == "flyer_a5"]
    imported = await client.post(f"{PRODUCTS}/import", json=rows, headers=operator)
    assert imported.json()["updated"] == 1, imported.text
    body = (await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])).json()
    assert body["status"] == "product_retired"


@pytest.mark.postgres_only
async def test_two_checks_of_one_templates_files_ending_at_once_leave_the_status_of_both(
    client, app, team, files_url
):
    files = {"back": f"{files_url}/front.pdf", "front": f"{files_url}/front.pdf"}
    template_id = await save(client, team.headers["admin"], product_uid="flyer_a5_duplex", files=files)
    await settled(client, team.headers["admin"], template_id)
    async with app.state.db.session() as session:
        rows = await DesignFileRepository(session).of_owner("template", uuid.UUID(template_id))
        for row in rows:
            row.status = "pending"
        marks = [(row.id, design_files.fingerprint(row)) for row in rows]
    passed = FileCheck(url=f"{files_url}/front.pdf", ok=True)
    first_recorded, second_started = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with app.state.db.session() as session:
            await design_files.record_result(session, app.state.outbox, *marks[0], passed)
            first_recorded.set()
            await second_started.wait()
            await eventually(lambda: a_lock_is_awaited(app.state.db))  # the second reached the files

    async def second() -> None:
        await first_recorded.wait()
        second_started.set()
        async with app.state.db.session() as session:
            await design_files.record_result(session, app.state.outbox, *marks[1], passed)

    await asyncio.gather(first(), second())
    assert [e.data["status"] for e in await template_events(app)][-1] == "ok"
    body = (await client.get(f"{TEMPLATES}/{template_id}", headers=team.headers["admin"])).json()
    assert [body["files"][area]["status"] for area in ("back", "front")] == ["passed", "passed"]
    assert body["status"] == "ok"
