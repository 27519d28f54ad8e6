"""Uploading an order file: who may, to which store, and the files refused at once (422 naming the
problem, 413 for a file over 50 MB before it is read)."""

import uuid
from collections.abc import AsyncIterator

from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.routes import ORDER_IMPORT_MAX_BYTES

PROBLEM = "application/problem+json"


async def test_a_good_file_is_accepted_with_202_and_the_address_of_its_import(
    upload, manual_store, finished, line, order_file
):
    response = await upload(manual_store, order_file([line("PO-1"), line("PO-2")]))

    assert response.status_code == 202, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/order-imports/{body['id']}"
    assert (body["status"], body["store_id"], body["filename"], body["delimiter"]) == (
        "queued",
        str(manual_store),
        "orders.csv",
        ",",
    )
    assert (body["rows_read"], body["errors"]) == (0, [])
    done = await finished(response)
    assert (done["status"], done["orders_created"], done["rows_read"]) == ("done", 2, 2)


async def test_the_template_is_csv_with_every_column_and_imports_as_it_is(
    client, user_headers, upload, manual_store, finished
):
    response = await client.get(
        f"/v1/stores/{manual_store}/orders/import-template.csv", headers=user_headers("order_manager")
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="order-import-template.csv"' in response.headers["content-disposition"]
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["order_reference", "currency", "email"]
    assert {"file_front", "option_paper", "quantity", "unit_price"} <= set(header)
    done = await finished(await upload(manual_store, response.content))
    assert (done["orders_created"], done["rows_failed"]) == (1, 0)


async def test_a_semicolon_file_with_a_bom_is_read(upload, manual_store, finished, line, order_file):
    content = order_file([line("PO-1", unit_price="4.90")], delimiter=";", bom=True)

    done = await finished(await upload(manual_store, content))

    assert (done["delimiter"], done["orders_created"], done["errors"]) == (";", 1, [])


async def test_a_file_that_is_not_utf8_is_refused_naming_its_encoding(upload, manual_store, line, order_file):
    content = order_file([line("PO-1", ship_city="Köln")]).decode().encode("cp1252")

    response = await upload(manual_store, content)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert "Windows-1252" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["body", "file"]


async def test_missing_and_unknown_columns_are_listed_with_the_template_as_the_fix(
    upload, manual_store, line, order_file
):
    columns = ("order_reference", "currency", "colour", "quantity", "product_uid")

    response = await upload(manual_store, order_file([line()], columns=columns))

    assert response.status_code == 422
    problem = response.json()
    assert f"/v1/stores/{manual_store}/orders/import-template.csv" in problem["detail"]
    named = {error["loc"][-1]: error["msg"] for error in problem["errors"]}
    assert named["colour"].startswith("unknown column")
    assert named["ship_country_code"] == "required column missing"


async def test_a_header_of_many_unknown_columns_lists_20_and_counts_the_rest(upload, manual_store):
    header = ",".join(["order_reference", *(f"colour{n}" for n in range(100))])

    response = await upload(manual_store, f"{header}\nPO-1\n".encode())

    assert response.status_code == 422
    # 100 unknown columns, 6 required ones missing and none of product_uid, sku, template_id: 107
    assert (len(response.json()["errors"]), response.json()["errors_truncated"]) == (20, 87)


async def test_a_file_with_another_delimiter_is_refused_as_one_column(upload, manual_store, line, order_file):
    response = await upload(manual_store, order_file([line()], delimiter="\t"))

    assert response.status_code == 422
    assert "only one column" in response.json()["detail"]


async def test_an_empty_file_and_a_missing_file_field_are_refused(client, user_headers, upload, manual_store):
    assert "empty" in (await upload(manual_store, b"")).json()["detail"]
    response = await client.post(
        f"/v1/stores/{manual_store}/orders/imports", data={"other": "x"}, headers=user_headers()
    )
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "file"])


async def test_a_file_over_50_mb_is_refused_with_413_before_it_is_read(client, user_headers, manual_store):
    sent = 0

    async def two_gigabytes() -> AsyncIterator[bytes]:
        nonlocal sent
        chunk = b"x" * (1024 * 1024)
        for _ in range(2048):
            sent += len(chunk)
            yield chunk

    response = await client.post(
        f"/v1/stores/{manual_store}/orders/imports",
        content=two_gigabytes(),
        headers={**user_headers(), "Content-Type": "multipart/form-data; boundary=x"},
    )

    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM)
    assert sent <= ORDER_IMPORT_MAX_BYTES + 2 * 1024 * 1024


async def test_a_declared_length_over_50_mb_is_refused_without_reading_the_body(
    client, user_headers, manual_store
):
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        sent += 1
        yield b"x"

    headers = {**user_headers(), "Content-Length": str(2 * 1024**3), "Content-Type": "multipart/form-data"}
    response = await client.post(f"/v1/stores/{manual_store}/orders/imports", content=body(), headers=headers)

    assert (response.status_code, sent) == (413, 0)


async def test_another_customers_store_does_not_exist_for_the_caller(
    upload, user_headers, manual_store, line, order_file
):
    response = await upload(
        manual_store, order_file([line()]), headers=user_headers("admin", of=uuid.uuid4())
    )

    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


async def test_a_viewer_or_store_manager_may_not_import_and_nobody_without_a_token(
    upload, user_headers, manual_store, line, order_file
):
    content = order_file([line()])
    for headers in (user_headers("viewer"), user_headers("store_manager", store_ids=[str(manual_store)])):
        assert (await upload(manual_store, content, headers=headers)).status_code == 403
    assert (await upload(manual_store, content, headers={})).status_code == 401


async def test_an_operator_and_an_order_manager_may_import(
    upload, operator, user_headers, manual_store, line, order_file
):
    content = order_file([line()])
    assert (await upload(manual_store, content, headers=operator)).status_code == 202
    assert (await upload(manual_store, content, headers=user_headers("order_manager"))).status_code == 202


async def test_a_shop_store_is_refused_with_409(upload, deliver, store_connected, store_id, line, order_file):
    await deliver(store_connected(platform=Platform.shopify))

    response = await upload(store_id, order_file([line()]))

    assert (response.status_code, response.headers["content-type"]) == (409, PROBLEM)
    assert "manual" in response.json()["detail"]


async def test_a_disconnected_manual_store_is_refused_with_409(
    upload, deliver, store_connected, store_id, line, order_file
):
    await deliver(store_connected(platform=Platform.manual, status=StoreStatus.disconnected))

    response = await upload(store_id, order_file([line()]))

    assert response.status_code == 409


async def test_an_unknown_store_answers_404(upload, line, order_file):
    assert (await upload(uuid.uuid4(), order_file([line()]))).status_code == 404


async def test_imports_are_listed_per_store_newest_first_and_hidden_from_other_customers(
    client, user_headers, upload, manual_store, finished, line, order_file
):
    first = await finished(await upload(manual_store, order_file([line("PO-1")]), name="a.csv"))
    second = await finished(await upload(manual_store, order_file([line("PO-2")]), name="b.csv"))
    path = f"/v1/stores/{manual_store}/orders/imports"

    page = (await client.get(path, params={"limit": 1}, headers=user_headers("viewer"))).json()
    rest = (await client.get(path, params={"cursor": page["next_cursor"]}, headers=user_headers())).json()

    assert [i["id"] for i in page["items"] + rest["items"]] == [second["id"], first["id"]]
    stranger = user_headers("admin", of=uuid.uuid4())
    assert (await client.get(path, headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/order-imports/{first['id']}", headers=stranger)).status_code == 404
