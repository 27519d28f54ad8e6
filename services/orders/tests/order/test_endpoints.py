"""The orders API: who sees which orders, filters, cursor paging, and 422 for every bad input."""

import datetime as dt
import uuid

import pytest

PLACED_AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
PROBLEM = "application/problem+json"


@pytest.fixture
async def placed(deliver, shop_order):
    """Takes in an order placed `minutes` after 09:00 with its own external id; returns that id."""
    counter = iter(range(1_000_000_000_000, 2_000_000_000_000))

    async def place(minutes: int = 0, kind: str = "received", **fields) -> str:
        external_id = fields.pop("external_id", str(next(counter)))
        at = PLACED_AT + dt.timedelta(minutes=minutes)
        await deliver(shop_order(kind, external_id=external_id, placed_at=at, source_updated_at=at, **fields))
        return external_id

    return place


async def listed(client, headers, path="/v1/orders", **params) -> list[str]:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["external_id"] for item in response.json()["items"]]


@pytest.mark.parametrize("role", ["admin", "order_manager", "viewer"])
async def test_a_customers_users_with_orders_read_see_its_orders_and_only_those(
    client, placed, user_headers, role
):
    own = await placed()
    await placed(customer_id=uuid.uuid4(), store_id=uuid.uuid4())
    headers = user_headers(role)

    assert await listed(client, headers) == [own]
    [item] = (await client.get("/v1/orders", headers=headers)).json()["items"]
    assert (await client.get(f"/v1/orders/{item['id']}", headers=headers)).status_code == 200


async def test_operators_see_every_customers_orders(client, operator, placed):
    first = await placed(1)
    second = await placed(2, customer_id=uuid.uuid4(), store_id=uuid.uuid4())

    assert await listed(client, operator) == [second, first]


async def test_a_store_manager_may_not_read_orders(client, placed, user_headers, store_id):
    await placed()
    headers = user_headers("store_manager", store_ids=[store_id])

    for path in ("/v1/orders", f"/v1/orders/{uuid.uuid4()}", f"/v1/stores/{store_id}/orders"):
        response = await client.get(path, headers=headers)
        assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM), path


async def test_another_customers_order_does_not_exist_for_a_customer_user(
    client, operator, placed, user_headers
):
    await placed()
    [item] = (await client.get("/v1/orders", headers=operator)).json()["items"]

    response = await client.get(f"/v1/orders/{item['id']}", headers=user_headers("admin", of=uuid.uuid4()))

    assert (response.status_code, response.json()["type"]) == (
        404,
        "https://printbridge.dev/problems/order-not-found",
    )


async def test_without_a_token_the_answer_is_401(client):
    for path in ("/v1/orders", f"/v1/orders/{uuid.uuid4()}", f"/v1/stores/{uuid.uuid4()}/orders"):
        response = await client.get(path)
        assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer"), path


async def test_the_list_shows_the_summary_fields(client, operator, placed, store_id, customer_id):
    external_id = await placed(test=True)

    [item] = (await client.get("/v1/orders", headers=operator)).json()["items"]

    assert set(item) == {
        "id", "customer_id", "store_id", "platform", "external_id", "external_number", "status",
        "currency", "total_price", "placed_at", "updated_at", "test", "production_line_id",
    }  # fmt: skip
    assert (item["external_id"], item["store_id"], item["customer_id"]) == (
        external_id,
        str(store_id),
        str(customer_id),
    )
    assert (item["total_price"], item["currency"], item["test"], item["placed_at"]) == (
        "119.90",
        "EUR",
        True,
        "2026-11-30T09:00:00Z",
    )


async def test_filters_by_store_status_external_id_and_placed_range(client, operator, placed, store_id):
    early = await placed(0)
    cancelled = await placed(10, kind="cancelled")
    other_store = await placed(20, store_id=uuid.uuid4())
    late = await placed(30)

    assert await listed(client, operator, store_id=str(store_id)) == [late, cancelled, early]
    assert await listed(client, operator, status="cancelled") == [cancelled]
    # Nothing is mapped: the orders that are not cancelled wait on hold for their mappings.
    assert await listed(client, operator, status="on_hold", store_id=str(store_id)) == [late, early]
    assert await listed(client, operator, external_id=other_store) == [other_store]
    assert await listed(
        client, operator, placed_after="2026-11-30T09:10:00Z", placed_before="2026-11-30T09:20:00Z"
    ) == [other_store, cancelled]
    # Another zone is the same instant; no zone is UTC.
    assert await listed(client, operator, placed_after="2026-11-30T10:30:00+01:00") == [late]
    assert await listed(client, operator, placed_before="2026-11-30T09:00:00") == [early]


async def test_operators_filter_by_customer_and_a_customer_user_never_sees_past_its_own(
    client, operator, placed, user_headers, customer_id
):
    own = await placed(0)
    other_customer = uuid.uuid4()
    theirs = await placed(1, customer_id=other_customer, store_id=uuid.uuid4())

    assert await listed(client, operator, customer_id=str(other_customer)) == [theirs]
    assert await listed(client, user_headers("viewer"), customer_id=str(other_customer)) == []
    assert await listed(client, user_headers("viewer"), customer_id=str(customer_id)) == [own]


async def test_pages_follow_each_other_without_duplicates_or_gaps(client, operator, placed):
    # Three share one placed_at: the id decides among them, the same on every page.
    expected = [await placed(minutes) for minutes in (0, 5, 5, 5, 7, 9, 12)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/orders", params=params, headers=operator)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["external_id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 4  # the 09:05 orders span two pages
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))
    assert seen == await listed(client, operator, limit=200)
    # Newest placed first; the three of 09:05 in between, in the order of their ids.
    assert seen[:3] == [expected[6], expected[5], expected[4]]
    assert set(seen[3:6]) == set(expected[1:4])
    assert seen[6] == expected[0]


async def test_the_default_page_has_50_orders(client, operator, placed):
    for minutes in range(51):
        await placed(minutes)

    page = (await client.get("/v1/orders", headers=operator)).json()

    assert len(page["items"]) == 50
    assert page["next_cursor"] is not None


async def test_a_stores_orders_are_listed_under_the_store(
    client, operator, placed, user_headers, deliver, store_connected, store_id
):
    mine = await placed(0)
    await placed(1, store_id=uuid.uuid4())

    assert await listed(client, operator, f"/v1/stores/{store_id}/orders") == [mine]
    assert await listed(client, user_headers("order_manager"), f"/v1/stores/{store_id}/orders") == [mine]


async def test_a_connected_store_without_orders_lists_none(
    client, operator, deliver, store_connected, store_id, user_headers
):
    await deliver(store_connected())

    assert await listed(client, operator, f"/v1/stores/{store_id}/orders") == []
    assert await listed(client, user_headers("viewer"), f"/v1/stores/{store_id}/orders") == []


async def test_an_unknown_or_another_customers_store_answers_404(
    client, operator, deliver, store_connected, store_id, user_headers
):
    await deliver(store_connected())

    unknown = await client.get(f"/v1/stores/{uuid.uuid4()}/orders", headers=operator)
    others = await client.get(f"/v1/stores/{store_id}/orders", headers=user_headers("admin", of=uuid.uuid4()))

    assert (unknown.status_code, unknown.json()["type"]) == (
        404,
        "https://printbridge.dev/problems/store-not-found",
    )
    assert others.status_code == 404


BAD_INPUTS = [
    ("/v1/orders/not-a-uuid", {}, ["path", "order_id"]),
    ("/v1/stores/not-a-uuid/orders", {}, ["path", "store_id"]),
    ("/v1/orders", {"store_id": "42"}, ["query", "store_id"]),
    ("/v1/orders", {"customer_id": "acme"}, ["query", "customer_id"]),
    ("/v1/orders", {"status": "lost"}, ["query", "status"]),
    ("/v1/orders", {"placed_after": "yesterday"}, ["query", "placed_after"]),
    ("/v1/orders", {"placed_before": "2026-13-01T00:00:00Z"}, ["query", "placed_before"]),
    (
        "/v1/orders",
        {"placed_after": "2026-12-01T00:00:00Z", "placed_before": "2026-11-01T00:00:00Z"},
        ["query", "placed_after"],
    ),
    ("/v1/orders", {"placed_after": "0001-01-01T00:00:00+01:00"}, ["query", "placed_after"]),
    ("/v1/orders", {"limit": "0"}, ["query", "limit"]),
    ("/v1/orders", {"limit": "201"}, ["query", "limit"]),
    ("/v1/orders", {"limit": "many"}, ["query", "limit"]),
    ("/v1/orders", {"cursor": "garbage"}, ["query", "cursor"]),
    ("/v1/orders", {"cursor": "bad cursor!"}, ["query", "cursor"]),
    # Well-formed cursors this API never issued: the position is no time, or has no zone.
    (
        "/v1/orders",
        {"cursor": "WyJ5ZXN0ZXJkYXkiLCIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ"},
        ["query", "cursor"],
    ),
    (
        "/v1/orders",
        {"cursor": "WyIyMDI2LTExLTMwVDA5OjAwOjAwIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl0"},
        ["query", "cursor"],
    ),
    ("/v1/orders", {"external_id": "x" * 256}, ["query", "external_id"]),
    ("/v1/stores/6f1c2a3e-0000-4000-8000-000000000001/orders", {"status": "lost"}, ["query", "status"]),
]


@pytest.mark.parametrize(("path", "params", "loc"), BAD_INPUTS)
async def test_bad_input_is_refused_with_422_naming_the_field(client, operator, path, params, loc):
    response = await client.get(path, params=params, headers=operator)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert loc in [error["loc"] for error in response.json()["errors"]]
