"""What an import makes of the rows: good orders imported, an order with a bad row not imported at all
and each of its rows reported (row, column, why), nothing new from the same file twice."""

import pytest


def errors_of(done) -> list[tuple[int, str | None, str]]:
    return [(error["row"], error["column"], error["message"]) for error in done["errors"]]


async def imported(client, headers, store_id) -> dict[str, dict]:
    response = await client.get(f"/v1/stores/{store_id}/orders", headers=headers)
    assert response.status_code == 200, response.text
    return {item["external_id"]: item for item in response.json()["items"]}


async def test_the_orders_of_a_good_file_are_listed_with_their_lines_files_and_options(
    client, user_headers, upload, manual_store, finished, line, order_file
):
    rows = [line("PO-1"), line("PO-1", product_uid="mug_white", quantity="1", unit_price="")]
    done = await finished(await upload(manual_store, order_file([*rows, line("PO-2", quantity="5")])))

    assert (done["rows_read"], done["orders_created"], done["orders_existing"], done["rows_failed"]) == (
        3,
        2,
        0,
        0,
    )
    orders = await imported(client, user_headers("viewer"), manual_store)
    assert set(orders) == {"PO-1", "PO-2"}
    assert (orders["PO-1"]["platform"], orders["PO-1"]["total_price"]) == ("manual", "49.90")
    order = (await client.get(f"/v1/orders/{orders['PO-1']['id']}", headers=user_headers())).json()
    assert [(item["quantity"], item["unit_price"]) for item in order["line_items"]] == [
        (2, "24.95"),
        (1, "0"),
    ]
    assert order["shipping_address"]["country_code"] == "DE"
    assert "CSV import orders.csv, row 2" in order["history"][0]["detail"]


async def test_good_orders_are_imported_and_an_order_with_a_bad_row_is_reported_row_by_row(
    client, user_headers, upload, manual_store, finished, line, order_file
):
    rows = [
        line("PO-1"),
        line("PO-2"),
        line("PO-2", quantity="abc"),
        line("PO-2"),
        line("PO-3", ship_country_code="XX"),
    ]

    done = await finished(await upload(manual_store, order_file(rows)))

    assert (done["orders_created"], done["rows_failed"], done["rows_read"]) == (1, 4, 5)
    errors = errors_of(done)
    assert errors[:3] == [
        (3, None, "order 'PO-2' not imported because row 4 failed"),
        (4, "quantity", "'abc' is not a whole number; write e.g. 2"),
        (5, None, "order 'PO-2' not imported because row 4 failed"),
    ]
    assert errors[3][:2] == (6, "ship_country_code") and "ISO 3166-1" in errors[3][2]
    assert done["errors_total"] == 4
    assert set(await imported(client, user_headers(), manual_store)) == {"PO-1"}


async def test_the_same_file_twice_creates_nothing_new(
    client, user_headers, upload, manual_store, finished, line, order_file
):
    content = order_file([line("PO-1"), line("PO-1"), line("PO-2")])
    await finished(await upload(manual_store, content))

    again = await finished(await upload(manual_store, content))

    assert (again["orders_created"], again["orders_existing"], again["rows_failed"]) == (0, 2, 0)
    assert len(await imported(client, user_headers(), manual_store)) == 2


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"quantity": "1,5"}, "quantity", "not a whole number"),
        ({"quantity": "-1"}, "quantity", "greater than or equal to 1"),
        ({"quantity": "0"}, "quantity", "greater than or equal to 1"),
        ({"unit_price": "1,5"}, "unit_price", "a point, not a comma"),
        ({"unit_price": "-2.00"}, "unit_price", "greater than or equal to 0"),
        ({"ship_city": ""}, "ship_city", "required"),
        ({"currency": "euro"}, "currency", "ISO 4217"),
        ({"file_front": "http://files.example.com/a.pdf"}, "file_front", "https://"),
        ({"ship_last_name": "x" * 101}, "ship_last_name", "at most 100 characters"),
        ({"note": "x" * 10_001}, "note", "longer than 10000 characters"),
        ({"product_uid": "", "quantity": "1"}, None, "exactly one of product_uid, sku or template_id"),
    ],
)
async def test_a_bad_cell_is_reported_on_its_row_and_column(
    upload, manual_store, finished, line, order_file, cells, column, says
):
    done = await finished(await upload(manual_store, order_file([line("PO-1", **cells)])))

    [(row, named, message)] = errors_of(done)
    assert (row, named, done["orders_created"]) == (2, column, 0)
    assert says in message


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
async def test_formula_looking_text_is_refused_as_csv_injection(
    upload, manual_store, finished, line, order_file, start
):
    done = await finished(await upload(manual_store, order_file([line("PO-1", note=f"{start}HYPERLINK(1)")])))

    [(row, column, message)] = errors_of(done)
    assert (row, column) == (2, "note")
    assert "CSV injection" in message


async def test_a_phone_number_may_start_with_a_plus(upload, manual_store, finished, line, order_file):
    done = await finished(
        await upload(manual_store, order_file([line("PO-1", ship_phone="+44 (20) 7946-0958")]))
    )

    assert (done["orders_created"], done["errors"]) == (1, [])


async def test_rows_of_one_order_must_follow_each_other(upload, manual_store, finished, line, order_file):
    rows = [line("PO-1"), line("PO-2"), line("PO-1")]

    done = await finished(await upload(manual_store, order_file(rows)))

    assert (done["orders_created"], done["rows_failed"]) == (2, 1)
    [(row, column, message)] = errors_of(done)
    assert (row, column) == (4, "order_reference") and "must follow each other" in message


async def test_order_columns_on_later_rows_are_blank_or_the_same_as_on_the_first(
    upload, manual_store, finished, line, order_file
):
    blank = {"currency": "", "ship_city": "", "ship_last_name": ""}
    rows = [line("PO-1"), line("PO-1", **blank), line("PO-2"), line("PO-2", ship_city="Hamburg")]

    done = await finished(await upload(manual_store, order_file(rows)))

    assert done["orders_created"] == 1
    assert (5, "ship_city") in [(row, column) for row, column, _ in errors_of(done)]


async def test_a_row_with_too_many_or_too_few_cells_fails(upload, manual_store, finished, order_file, line):
    good = order_file([line("PO-1")]).decode()
    header, row = good.splitlines()[:2]
    content = "\r\n".join([header, row.replace("PO-1", "PO-2") + ",extra", "PO-3,EUR", row]) + "\r\n"

    done = await finished(await upload(manual_store, content.encode()))

    assert done["orders_created"] == 1
    assert [(r, c) for r, c, _ in errors_of(done)] == [(2, None), (3, None)]
    assert "the row has 17 cells, the header 16" in done["errors"][0]["message"]


async def test_a_blank_reference_fails_its_row(upload, manual_store, finished, line, order_file):
    done = await finished(await upload(manual_store, order_file([line(""), line("PO-1")])))

    assert errors_of(done) == [(2, "order_reference", "required: the rows of one order share its reference")]
    assert done["orders_created"] == 1
