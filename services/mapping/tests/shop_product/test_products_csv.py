"""Bulk mapping by CSV: a store's variants exported with their mappings (cells escaped against formulas),
a filled-in file imported in the background (good rows apply, bad rows are reported by row and column,
the same file twice changes nothing), `,` or `;`, with or without a BOM, and who may do what."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mapping.models import ProductImport, ProductImportStatus
from mapping.product_import import processing
from mapping.product_import.jobs import RunProductImport
from mapping.product_import.repository import ProductImportRepository
from mapping.product_import.service import IMPORT_JOB
from printbridge_shared.db import utcnow
from printbridge_shared.jobs import Job
from printbridge_shared.routes import PRODUCT_IMPORT_MAX_BYTES
from printbridge_shared.testing import eventually

from .conftest import Shop, events

BOM = "\ufeff"
WAIT = 60  # seconds an import may take to be done


def export_path(shop: Shop, store_id: uuid.UUID | None = None) -> str:
    return f"/v1/stores/{store_id or shop.store_id}/products/export.csv"


def import_path(shop: Shop, store_id: uuid.UUID | None = None) -> str:
    return f"/v1/stores/{store_id or shop.store_id}/products/import"


async def export(client: httpx.AsyncClient, shop: Shop, role: str = "admin") -> list[dict[str, str]]:
    answer = await client.get(export_path(shop), headers=shop.headers[role])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(BOM.encode())  # Excel then opens it as UTF-8
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))


def write(rows: list[dict[str, str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    """The rows as a file, with every column any row has (as a user adds `attr:` columns)."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return ((BOM if bom else "") + out.getvalue()).encode()


async def upload(
    client: httpx.AsyncClient, shop: Shop, content: bytes, role: str = "admin", *, as_body: bool = False
) -> httpx.Response:
    if as_body:
        return await client.post(
            import_path(shop), content=content, headers={**shop.headers[role], "Content-Type": "text/csv"}
        )
    return await client.post(
        import_path(shop), files={"file": ("products.csv", content, "text/csv")}, headers=shop.headers[role]
    )


async def imported(client: httpx.AsyncClient, shop: Shop, content: bytes, **options: Any) -> dict[str, Any]:
    """Uploads the file and waits until its import is done; the import as answered then."""
    answer = await upload(client, shop, content, **options)
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"/v1/product-imports/{answer.json()['id']}"
    found: dict[str, Any] = {}

    async def done() -> bool:
        response = await client.get(answer.headers["location"], headers=shop.headers["admin"])
        assert response.status_code == 200, response.text
        found.update(response.json())
        return found["status"] == "done"

    await eventually(done, within=WAIT)
    return found


async def variant(client: httpx.AsyncClient, shop: Shop, variant_id: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/shop-variants/{variant_id}", headers=shop.headers["admin"])
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def a_shop(shop: Shop) -> None:
    """A store with a flyer in two sizes and a poster whose SKU and title look like formulas."""
    await shop.connect()
    await shop.synced(
        "101",
        variants=[("1001", "FL-A5", {"Size": "A5"}), ("1002", "FL-A6", {"Size": "A6", "Paper": "Matte"})],
    )
    await shop.synced("202", title="-5% poster", variants=[("2001", '=HYPERLINK("x")', {"Colour": "@red"})])


async def cards(client: httpx.AsyncClient, shop: Shop) -> list[str]:
    """A card in ten variants (CARD-1 … CARD-10, the shop's ids 3001 … 3010): their ids."""
    await shop.synced(
        "303", title="Card", variants=[(f"{3000 + n}", f"CARD-{n}", {"N": str(n)}) for n in range(1, 11)]
    )
    return [await shop.variant_id(client, f"CARD-{n}") for n in range(1, 11)]


async def test_the_export_has_a_row_per_variant_with_its_mapping_and_escapes_formulas(
    client, shop: Shop, catalog, files_url
) -> None:
    await a_shop(shop)
    a5 = await shop.variant_id(client, "FL-A5")
    body = {
        "product_uid": "flyer_a5",
        "attributes": {"paper": "gloss"},
        "files": {"front": f"{files_url}/front.pdf"},
    }
    mapped = await client.put(f"/v1/shop-variants/{a5}/mapping", json=body, headers=shop.headers["admin"])
    assert mapped.status_code == 200, mapped.text
    a6 = await shop.variant_id(client, "FL-A6")
    duplex = {
        "product_uid": "flyer_a5_duplex",
        "attributes": {"paper": "matte"},
        "files": {"back": f"{files_url}/back.pdf", "front": f"{files_url}/front.pdf"},
    }
    mapped = await client.put(f"/v1/shop-variants/{a6}/mapping", json=duplex, headers=shop.headers["admin"])
    assert mapped.status_code == 200, mapped.text

    rows = await export(client, shop, role="viewer")

    assert list(rows[0]) == [
        "shop_variant_id",
        "external_product_id",
        "external_variant_id",
        "product_title",
        "variant_title",
        "sku",
        "options",
        "status",
        "product_uid",
        "design_file_url",
        "attr:paper",
        "attr:size",
        "file:front",  # the duplex flyer's second area; its first (back) is design_file_url
    ]
    poster, a5_row, a6_row = rows  # by product title: "-5% poster" before "Flyer"
    assert a5_row == {
        "shop_variant_id": a5,
        "external_product_id": "101",
        "external_variant_id": "1001",
        "product_title": "Flyer",
        "variant_title": "A5",
        "sku": "FL-A5",
        "options": "Size=A5",
        "status": a5_row["status"],
        "product_uid": "flyer_a5",
        "design_file_url": f"{files_url}/front.pdf",
        "attr:paper": "gloss",
        "attr:size": "A5",
        "file:front": "",
    }
    assert a5_row["status"] in ("mapped", "needs_attention")
    assert (a6_row["options"], a6_row["product_uid"]) == ("Size=A6; Paper=Matte", "flyer_a5_duplex")
    assert (a6_row["design_file_url"], a6_row["file:front"]) == (
        f"{files_url}/back.pdf",
        f"{files_url}/front.pdf",
    )
    # A spreadsheet would run these as formulas: they are written with a leading '.
    assert poster["product_title"] == "'-5% poster"
    assert poster["sku"] == '\'=HYPERLINK("x")'
    assert poster["variant_title"] == "'@red" and poster["options"] == "Colour=@red"
    assert (poster["status"], poster["product_uid"], poster["attr:paper"]) == ("unmapped", "", "")

    # The export imports as it is: every mapped row says what its variant already is.
    async def settled() -> bool:
        return [(await variant(client, shop, v))["mapping_status"] for v in (a5, a6)] == ["mapped", "mapped"]

    await eventually(settled, within=20)
    before = await events(shop.app, "mapping.changed")
    again = await imported(client, shop, write(rows))
    assert (again["unchanged_rows"], again["skipped_rows"], again["applied_rows"], again["errors"]) == (
        2,
        1,
        0,
        [],
    )
    assert await events(shop.app, "mapping.changed") == before


async def test_a_filled_in_export_imported_again_maps_the_variants(
    client, shop: Shop, catalog, files_url
) -> None:
    await a_shop(shop)
    rows = await export(client, shop)
    untouched = write(rows)
    for row in rows:
        if row["sku"] == "FL-A5":
            row.update(
                {
                    "product_uid": "flyer_a5",
                    "attr:paper": "matte",
                    "design_file_url": f"{files_url}/front.pdf",
                }
            )
        if row["sku"] == "FL-A6":
            row.update({"product_uid": "flyer_a5", "attr:paper": "gloss", "attr:size": "A5"})

    done = await imported(client, shop, write(rows), role="store_manager")

    assert (done["total_rows"], done["processed_rows"], done["applied_rows"], done["failed_rows"]) == (
        3,
        3,
        2,
        0,
    )
    assert (done["skipped_rows"], done["errors"], done["filename"]) == (1, [], "products.csv")
    a5 = await variant(client, shop, await shop.variant_id(client, "FL-A5"))
    assert a5["mapping"]["product_uid"] == "flyer_a5"
    assert a5["mapping"]["attributes"] == {"paper": "matte", "size": "A5"}
    assert a5["mapping"]["files"]["front"]["url"] == f"{files_url}/front.pdf"
    a6 = await variant(client, shop, await shop.variant_id(client, "FL-A6"))
    assert a6["mapping"]["attributes"] == {"paper": "gloss", "size": "A5"} and a6["mapping"]["files"] == {}
    assert a6["mapping_status"] == "needs_attention"  # its file is missing
    changed = {e.data["shop_variant_id"] for e in await events(shop.app, "mapping.changed")}
    assert changed == {a5["id"], a6["id"]}
    # The export shows the mappings now; the untouched export (nothing filled in) changes nothing.
    again = {row["sku"]: row for row in await export(client, shop)}
    assert again["FL-A5"]["design_file_url"] == f"{files_url}/front.pdf"
    assert again["FL-A6"]["attr:paper"] == "gloss"
    nothing = await imported(client, shop, untouched)
    assert (nothing["skipped_rows"], nothing["applied_rows"]) == (3, 0)
    assert (await variant(client, shop, a5["id"]))["mapping"]["product_uid"] == "flyer_a5"


async def test_bad_rows_are_reported_by_row_and_column_while_good_rows_apply(
    client, shop: Shop, catalog, files_url
) -> None:
    await a_shop(shop)
    other_store = uuid.uuid4()
    await shop.connect(store_id=other_store)
    await shop.synced("909", store_id=other_store, variants=[("9001", "OTHER", {})])
    others = await client.get(f"/v1/stores/{other_store}/products", headers=shop.headers["admin"])
    other_variant = others.json()["items"][0]["variants"][0]["id"]
    a5 = await shop.variant_id(client, "FL-A5")
    card = await cards(client, shop)
    header = (
        "shop_variant_id,external_product_id,external_variant_id,product_uid,design_file_url,attr:paper,"
        "file:inside"
    )
    lines = [
        header,
        f"{a5},,,flyer_a5,{files_url}/front.pdf,matte,",  # 2: good
        f"{card[0]},,,flyer_a5,,silk,",  # 3: no such paper
        f"{card[1]},,,nope_nope,,,",  # 4: not in the catalog
        f"{other_variant},,,flyer_a5,,matte,",  # 5: another store's variant
        "not-a-uuid,,,flyer_a5,,matte,",  # 6
        f"{uuid.uuid4()},,,flyer_a5,,matte,",  # 7: no such variant
        f"{card[2]},,,poster_a1,,,",  # 8: retired
        f"{card[3]},,,flyer_a5,,matte,{files_url}/front.pdf",  # 9: no such print area
        ",303,3005,flyer_a5,ftp://files.example/a.pdf,matte,",  # 10: by the shop's ids; not an https URL
        ",,,flyer_a5,,matte,",  # 11: no variant named
        f"{a5},,,flyer_a5,,gloss,",  # 12: the variant again
        f"{card[5]},,,,,,",  # 13: skipped
        f"{card[6]},,,flyer_a5",  # 14: too few cells
        f"{card[7]},,,flyer_a5,,,",  # 15: paper is required (two values)
        ",303,3099,flyer_a5,,matte,",  # 16: the product has no such variant
    ]

    done = await imported(client, shop, "\n".join(lines).encode())

    errors = {(error["row"], error["column"]): error["message"] for error in done["errors"]}
    assert set(errors) == {
        (3, "attr:paper"),
        (4, "product_uid"),
        (5, "shop_variant_id"),
        (6, "shop_variant_id"),
        (7, "shop_variant_id"),
        (8, "product_uid"),
        (9, "file:inside"),
        (10, "design_file_url"),
        (11, "shop_variant_id"),
        (12, "shop_variant_id"),
        (14, None),
        (15, "attr:paper"),
        (16, "external_variant_id"),
    }, done["errors"]
    assert "'silk' is not allowed" in errors[3, "attr:paper"] and "matte" in errors[3, "attr:paper"]
    assert (
        "not in the catalog" in errors[4, "product_uid"] or "No catalog product" in errors[4, "product_uid"]
    )
    assert "retired" in errors[8, "product_uid"]
    assert "no print area 'inside'" in errors[9, "file:inside"]
    assert "also in row 2" in errors[12, "shop_variant_id"]
    assert "required" in errors[15, "attr:paper"]
    assert "https" in errors[10, "design_file_url"]
    assert (done["total_rows"], done["applied_rows"], done["skipped_rows"], done["failed_rows"]) == (
        15,
        1,
        1,
        13,
    )
    assert done["errors_total"] == 13
    assert (await variant(client, shop, a5))["mapping"]["attributes"]["paper"] == "matte"
    for bad in card:
        assert (await variant(client, shop, bad))["mapping"] is None
    assert (await variant(client, shop, other_variant))["mapping"] is None
    assert {e.data["shop_variant_id"] for e in await events(shop.app, "mapping.changed")} == {a5}


async def test_the_same_file_twice_changes_nothing(client, shop: Shop, catalog, files_url) -> None:
    await a_shop(shop)
    rows = await export(client, shop)
    for row in rows:
        if row["sku"].startswith("FL-"):
            row.update(
                {
                    "product_uid": "flyer_a5",
                    "attr:paper": "matte",
                    "design_file_url": f"{files_url}/front.pdf",
                }
            )
    content = write(rows)
    first = await imported(client, shop, content)
    assert first["applied_rows"] == 2

    async def files_checked() -> bool:
        statuses = [
            (await variant(client, shop, await shop.variant_id(client, sku)))["mapping_status"]
            for sku in ("FL-A5", "FL-A6")
        ]
        return statuses == ["mapped", "mapped"]

    await eventually(files_checked, within=20)
    before = await events(shop.app, "mapping.changed")

    second = await imported(client, shop, content)

    assert (second["applied_rows"], second["unchanged_rows"], second["failed_rows"]) == (0, 2, 0)
    assert await events(shop.app, "mapping.changed") == before
    listed = await client.get(f"/v1/stores/{shop.store_id}/products/imports", headers=shop.headers["viewer"])
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [second["id"], first["id"]]
    assert "errors" not in listed.json()["items"][0]


async def test_a_file_is_taken_in_batches_each_with_its_progress(
    client, shop: Shop, catalog, files_url, monkeypatch
) -> None:
    monkeypatch.setattr(processing, "BATCH_ROWS", 2)
    await shop.connect()
    card = await cards(client, shop)
    lines = ["shop_variant_id,product_uid,attr:paper"]
    lines += [f"{variant_id},flyer_a5,matte" for variant_id in card[:5]]
    lines += [f"{card[0]},flyer_a5,gloss", f"{card[5]},flyer_a5,silk"]  # rows 7 and 8 fail

    done = await imported(client, shop, "\n".join(lines).encode())

    assert (done["total_rows"], done["processed_rows"], done["applied_rows"], done["failed_rows"]) == (
        7,
        7,
        5,
        2,
    )
    assert [(e["row"], e["column"]) for e in done["errors"]] == [(7, "shop_variant_id"), (8, "attr:paper")]
    assert "also in row 2" in done["errors"][0]["message"]  # found in an earlier batch
    assert done["finished_at"] is not None
    for variant_id in card[:5]:
        assert (await variant(client, shop, variant_id))["mapping"]["attributes"]["paper"] == "matte"


async def test_a_semicolon_file_with_a_bom_naming_variants_by_the_shops_ids_is_read(
    client, shop: Shop, catalog, files_url
) -> None:
    await a_shop(shop)
    content = (
        f"{BOM}external_product_id;external_variant_id;product_uid;attr:paper;design_file_url\r\n"
        f"101;1001;flyer_a5;'matte;{files_url}/front.pdf\r\n"
        f'101;1002;flyer_a5;"gloss";\r\n'
    ).encode()

    done = await imported(client, shop, content, as_body=True)

    assert (done["delimiter"], done["applied_rows"], done["failed_rows"], done["filename"]) == (
        ";",
        2,
        0,
        None,
    )
    a5 = await variant(client, shop, await shop.variant_id(client, "FL-A5"))
    assert a5["mapping"]["attributes"]["paper"] == "matte"  # the formula escape is read as such
    assert a5["mapping"]["files"]["front"]["url"] == f"{files_url}/front.pdf"
    a6 = await variant(client, shop, await shop.variant_id(client, "FL-A6"))
    assert a6["mapping"]["attributes"]["paper"] == "gloss"


@pytest.mark.parametrize(
    ("content", "code", "names"),
    [
        (
            b"product_uid,attr:paper\r\nflyer_a5,matte\r\n",
            "import-header-invalid",
            {"external_product_id", "external_variant_id"},
        ),
        (
            b"shop_variant_id,colour,sku,sku\r\nx,y,z,z\r\n",
            "import-header-invalid",
            {"product_uid", "colour", "sku"},
        ),
        ("shop_variant_id,product_uid\r\nx,caf\u00e9\r\n".encode("cp1252"), "not-utf8", set()),
        (b"shop_variant_id,product_uid\r\n", "file-empty", set()),
        (b"", "file-empty", set()),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not-utf8", set()),
    ],
)
async def test_a_file_that_cannot_be_imported_is_refused_whole_naming_the_problem(
    client, shop: Shop, content: bytes, code: str, names: set[str]
) -> None:
    await shop.connect()

    answer = await upload(client, shop, content)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"].endswith(code) and problem["detail"]
    if names:
        assert {error["loc"][-1] for error in problem["errors"]} == names
        assert all(error["loc"][:3] == ["body", "file", "header"] for error in problem["errors"])
    else:
        assert problem["errors"][0]["loc"] == ["body", "file"]
    listed = await client.get(f"/v1/stores/{shop.store_id}/products/imports", headers=shop.headers["admin"])
    assert listed.json()["items"] == []  # nothing was kept


async def test_an_upload_without_a_file_or_of_another_type_is_refused(client, shop: Shop) -> None:
    await shop.connect()
    headers = shop.headers["admin"]

    no_file = await client.post(
        import_path(shop), files={"other": ("a.csv", b"x", "text/csv")}, headers=headers
    )
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["loc"] == ["body", "file"]
    as_json = await client.post(import_path(shop), json=[{"product_uid": "flyer_a5"}], headers=headers)
    assert as_json.status_code == 415 and "multipart/form-data" in as_json.json()["detail"]
    not_found = await client.get(f"/v1/product-imports/{uuid.uuid4()}", headers=headers)
    assert not_found.status_code == 404
    bad_id = await client.get("/v1/product-imports/nope", headers=headers)
    assert bad_id.status_code == 422


async def test_who_may_export_import_and_follow_imports(client, shop: Shop, catalog, operator) -> None:
    await a_shop(shop)
    content = b"shop_variant_id,product_uid\r\nx,\r\n"
    assert (await client.get(export_path(shop))).status_code == 401
    assert (
        await client.post(import_path(shop), content=content, headers={"Content-Type": "text/csv"})
    ).status_code == 401
    for role, status in (
        ("admin", 200),
        ("store_manager", 200),
        ("viewer", 200),
        ("order_manager", 403),
        ("other_store_manager", 404),
        ("other", 404),
    ):
        assert (await client.get(export_path(shop), headers=shop.headers[role])).status_code == status, role
    assert (await client.get(export_path(shop), headers=operator)).status_code == 200
    assert (
        await client.get(export_path(shop, uuid.uuid4()), headers=shop.headers["admin"])
    ).status_code == 404

    for role, status in (
        ("viewer", 403),
        ("order_manager", 403),
        ("other_store_manager", 404),
        ("other", 404),
    ):
        assert (await upload(client, shop, content, role)).status_code == status, role
    accepted = await upload(client, shop, content, "store_manager")
    assert accepted.status_code == 202, accepted.text
    assert (
        await client.post(import_path(shop), files={"file": ("p.csv", content)}, headers=operator)
    ).status_code == 202

    location = accepted.headers["location"]
    imports = f"/v1/stores/{shop.store_id}/products/imports"
    assert (await client.get(location)).status_code == 401
    for role, status in (
        ("admin", 200),
        ("store_manager", 200),
        ("viewer", 200),
        ("order_manager", 403),
        ("other_store_manager", 404),
        ("other", 404),
    ):
        assert (await client.get(location, headers=shop.headers[role])).status_code == status, role
        assert (await client.get(imports, headers=shop.headers[role])).status_code == status, role
    assert (await client.get(location, headers=operator)).status_code == 200


async def stored_import(shop: Shop, content: bytes, **counts: int) -> uuid.UUID:
    """An import of `content` left running with these counts, and no job queued: only the test runs it."""
    now = utcnow()
    record = ProductImport(
        id=uuid.uuid4(),
        store_id=shop.store_id,
        customer_id=shop.customer_id,
        status=ProductImportStatus.running,
        filename=None,
        size_bytes=len(content),
        delimiter=",",
        created_at=now,
        updated_at=now,
        **{
            name: counts.get(name, 0)
            for name in (
                "total_rows",
                "processed_rows",
                "applied_rows",
                "unchanged_rows",
                "skipped_rows",
                "failed_rows",
                "errors_total",
            )
        },
    )
    async with shop.app.state.db.session() as session:
        await ProductImportRepository(session).add(record, content)
    return record.id


async def test_an_import_that_stopped_half_way_resumes_after_its_last_committed_batch(
    client, shop: Shop, catalog, monkeypatch
) -> None:
    monkeypatch.setattr(processing, "BATCH_ROWS", 2)
    await shop.connect()
    card = await cards(client, shop)
    content = "\n".join(
        ["shop_variant_id,product_uid,attr:paper", *(f"{v},flyer_a5,matte" for v in card[:5])]
    ).encode()
    # As a run leaves it that committed its first batch (rows 2 and 3) and then stopped.
    import_id = await stored_import(shop, content, total_rows=5, processed_rows=2, applied_rows=2)

    await processing.run_import(shop.app.state.db, shop.app.state.outbox, import_id, allow_private=True)
    await processing.run_import(shop.app.state.db, shop.app.state.outbox, import_id, allow_private=True)

    done = (await client.get(f"/v1/product-imports/{import_id}", headers=shop.headers["admin"])).json()
    assert (done["status"], done["processed_rows"], done["applied_rows"]) == ("done", 5, 5)
    mapped = [(await variant(client, shop, v))["mapping"] is not None for v in card[:5]]
    assert mapped == [False, False, True, True, True]  # the first batch is not applied again


async def test_a_file_over_20_mib_is_refused_with_413_before_it_is_read_whole(client, shop: Shop) -> None:
    await shop.connect()
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b"shop_variant_id,product_uid\r\n"
        for _ in range(200):
            sent += 1024 * 1024
            yield b"x," * (512 * 1024)

    answer = await client.post(
        import_path(shop), content=endless(), headers={**shop.headers["admin"], "Content-Type": "text/csv"}
    )

    assert (answer.status_code, answer.headers["content-type"]) == (413, "application/problem+json")
    assert sent <= PRODUCT_IMPORT_MAX_BYTES + 2 * 1024 * 1024
    listed = await client.get(f"/v1/stores/{shop.store_id}/products/imports", headers=shop.headers["admin"])
    assert listed.json()["items"] == []


async def test_an_import_whose_job_gave_up_is_failed_with_the_reason(client, shop: Shop, catalog) -> None:
    await shop.connect()
    import_id = await stored_import(shop, b"shop_variant_id,product_uid\r\nx,\r\n", total_rows=1)
    job = Job(
        id=uuid.uuid4(),
        kind=IMPORT_JOB,
        payload={"import_id": str(import_id)},
        attempt=5,
        max_attempts=5,
        created_at=utcnow(),
    )
    handler = RunProductImport(shop.app.state.db, shop.app.state.outbox, allow_private=True)
    async with shop.app.state.db.session() as session:
        await handler.given_up(session, job, "the database went away")

    found = (await client.get(f"/v1/product-imports/{import_id}", headers=shop.headers["viewer"])).json()
    assert found["status"] == "failed" and "the database went away" in found["failure_reason"]
    assert found["finished_at"] is not None
