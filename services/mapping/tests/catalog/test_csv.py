"""The catalog as CSV: documented columns, `,` or `;`, a byte order mark, formula cells escaped on export
and read back unchanged, per-row errors naming the column."""

from .conftest import PRODUCTS, catalog_events, create

IMPORT = f"{PRODUCTS}/import"


async def import_csv(client, headers, text):
    return await client.post(IMPORT, content=text.encode(), headers={**headers, "content-type": "text/csv"})


async def test_a_csv_row_becomes_a_product_with_its_attributes_and_areas(client, operator):
    text = (
        "product_uid,name,type,attribute:paper,attribute:size,area:front,area:back\r\n"
        'flyer_a5,Flyer A5,flyer,matte|gloss,A5,"pdf,png;148x210;bleed=3;dpi=300",pdf;148x210\r\n'
    )
    response = await import_csv(client, operator, text)
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    held = (await client.get(f"{PRODUCTS}/flyer_a5", headers=operator)).json()
    assert held["attributes"] == {"paper": ["matte", "gloss"], "size": ["A5"]}
    assert held["print_areas"] == [
        {
            "name": "front",
            "formats": ["pdf", "png"],
            "trim_width_mm": 148.0,
            "trim_height_mm": 210.0,
            "bleed_mm": 3.0,
            "min_dpi": 300,
        },
        {
            "name": "back",
            "formats": ["pdf"],
            "trim_width_mm": 148.0,
            "trim_height_mm": 210.0,
            "bleed_mm": 0.0,
            "min_dpi": 300,
        },
    ]
    assert held["status"] == "active"


async def test_a_semicolon_file_with_a_byte_order_mark_is_read(client, operator):
    text = (
        "\ufeffproduct_uid;name;type;attribute:paper;area:front\r\n"
        'poster;Poster A1;poster;matte;"pdf;594x841"\r\n'
    )
    response = await import_csv(client, operator, text)
    assert response.json()["created"] == 1, response.text
    held = (await client.get(f"{PRODUCTS}/poster", headers=operator)).json()
    assert (held["name"], held["attributes"], held["print_areas"][0]["trim_height_mm"]) == (
        "Poster A1",
        {"paper": ["matte"]},
        841.0,
    )


async def test_bad_cells_are_reported_by_line_and_column_and_their_rows_left_out(client, operator):
    text = (
        "product_uid,name,type,attribute:paper,area:front\n"
        "good,Good,flyer,matte,pdf;100x100\n"
        "bad-size,Bad,flyer,matte,pdf;100\n"
        "bad-format,Bad,flyer,matte,gif;100x100\n"
        "bad-value,Bad,flyer,,pdf;100x100;dpi=lots\n"
        "Bad Uid,Bad,flyer,matte,\n"
        "short,Short\n"
    )
    response = await import_csv(client, operator, text)
    result = response.json()
    assert result["created"] == 1
    assert [(error["row"], error["column"]) for error in result["errors"]] == [
        (3, "area:front"),
        (4, "area:front"),
        (5, "area:front"),
        (6, "product_uid"),
        (7, "(row)"),
    ]
    assert "WIDTHxHEIGHT" in result["errors"][0]["message"]


async def test_a_header_without_the_required_columns_or_with_unknown_ones_is_422(client, operator):
    missing = await import_csv(client, operator, "product_uid,name\nx,X\n")
    unknown = await import_csv(client, operator, "product_uid,name,type,colour\nx,X,flyer,red\n")
    assert (missing.status_code, unknown.status_code) == (422, 422)
    assert "type" in missing.json()["detail"]
    assert "colour" in unknown.json()["detail"]


async def test_a_file_that_is_not_utf8_is_422(client, operator):
    response = await client.post(
        IMPORT,
        content="product_uid,name,type\nx,Café,flyer\n".encode("latin-1"),
        headers={**operator, "content-type": "text/csv"},
    )
    assert response.status_code == 422
    assert "UTF-8" in response.json()["detail"]


async def test_formula_cells_are_escaped_on_export_and_read_back_unchanged(client, operator, app):
    await create(
        client,
        operator,
        uid="risky",
        name='=HYPERLINK("http://x")',
        attributes={"finish": ["-soft", "@home", "'quoted"]},
    )
    await create(client, operator, uid="plain", attributes={}, print_areas=[])
    exported = await client.get(f"{PRODUCTS}/export.csv", headers=operator)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "product_uid,name,type,status,attribute:finish,area:front"
    assert lines[1] == "plain,Flyer A5 135 g,flyer,active,,"
    assert "'=HYPERLINK" in lines[2]
    assert "'-soft|@home|'quoted" in lines[2]
    events = len(await catalog_events(app))
    again = await import_csv(client, operator, exported.text)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0, "errors": []}
    assert len(await catalog_events(app)) == events


async def test_csv_export_round_trips_every_field(client, operator):
    area = {
        "name": "cover",
        "formats": ["tiff", "svg"],
        "trim_width_mm": 210.5,
        "trim_height_mm": 99.25,
        "bleed_mm": 2.5,
        "min_dpi": 600,
    }
    await create(client, operator, uid="book", type="book", print_areas=[area])
    await client.post(f"{PRODUCTS}/book/retire", headers=operator)
    before = (await client.get(f"{PRODUCTS}/export.json", headers=operator)).json()
    exported = (await client.get(f"{PRODUCTS}/export.csv", headers=operator)).text
    assert "tiff,svg;210.5x99.25;bleed=2.5;dpi=600" in exported
    await client.post(f"{PRODUCTS}/book/reactivate", headers=operator)
    await client.patch(f"{PRODUCTS}/book", json={"attributes": {}}, headers=operator)
    restored = await import_csv(client, operator, exported)
    assert restored.json()["updated"] == 1
    assert (await client.get(f"{PRODUCTS}/export.json", headers=operator)).json() == before
