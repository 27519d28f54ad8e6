"""POST /v1/stores/{store_id}/orders: one manual order by API, who may place it where, what bad input
gets, the reference's uniqueness and the Idempotency-Key."""

import asyncio
import datetime as dt
import uuid

import pytest
from sqlalchemy import text, update

from orders.manual.repository import ManualOrderRepository
from orders.models import IdempotencyKey
from printbridge_shared.events.contracts import Platform, StoreDisconnected, StoreStatus
from printbridge_shared.testing import SHIPPING_ADDRESS, eventually

PROBLEM = "application/problem+json"


def an_order(**fields) -> dict:
    return {
        "reference": "PO-42",
        "currency": "EUR",
        "email": "buyer@brand.example",
        "note": "Deliver to the back door",
        "shipping_address": dict(SHIPPING_ADDRESS),
        "line_items": [
            {
                "product_uid": "flyer_a5_135gsm_4-4",
                "quantity": 500,
                "files": {"front": "https://files.brand.example/front.pdf"},
                "options": {"finish": "matte"},
                "unit_price": "0.12",
            }
        ],
        **fields,
    }


@pytest.fixture
async def manual_store(deliver, store_connected, store_id):
    """The test's customer's manual store, as connectors announced it."""
    await deliver(store_connected(platform=Platform.manual, name="Direct orders"))
    return store_id


async def place(client, headers, store_id, body=None, key=None):
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    return await client.post(f"/v1/stores/{store_id}/orders", json=body or an_order(), headers=headers)


async def external_ids(client, headers, path="/v1/orders") -> list[str]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [item["external_id"] for item in response.json()["items"]]


@pytest.mark.parametrize("role", ["admin", "order_manager"])
async def test_a_placed_order_is_answered_as_get_shows_it_and_listed_with_the_stores_orders(
    client, user_headers, manual_store, role
):
    headers = user_headers(role)

    answer = await place(client, headers, manual_store)

    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert answer.headers["location"] == f"/v1/orders/{order['id']}"
    assert "idempotent-replayed" not in answer.headers
    assert (await client.get(answer.headers["location"], headers=headers)).json() == order
    assert (order["platform"], order["store_id"], order["external_number"]) == (
        "manual",
        str(manual_store),
        "PO-42",
    )
    assert (order["total_price"], order["currency"], order["note"]) == (
        "60.00",
        "EUR",
        "Deliver to the back door",
    )
    [line] = order["line_items"]
    assert (line["product_uid"], line["quantity"], line["files"]) == (
        "flyer_a5_135gsm_4-4",
        500,
        {"front": "https://files.brand.example/front.pdf"},
    )
    assert await external_ids(client, headers) == ["PO-42"]
    assert await external_ids(client, headers, f"/v1/stores/{manual_store}/orders") == ["PO-42"]


async def test_operators_place_orders_into_any_customers_manual_store(client, operator, manual_store):
    answer = await place(client, operator, manual_store)

    assert answer.status_code == 201, answer.text


async def test_without_a_reference_the_order_is_known_by_its_id(client, user_headers, manual_store):
    answer = await place(client, user_headers(), manual_store, an_order(reference=None))

    order = answer.json()
    assert order["external_id"] == order["external_number"] == order["id"]


@pytest.mark.parametrize("role", ["viewer", "store_manager"])
async def test_who_may_not_manage_orders_gets_403(client, user_headers, manual_store, role):
    answer = await place(client, user_headers(role, store_ids=[manual_store]), manual_store)

    assert (answer.status_code, answer.headers["content-type"]) == (403, PROBLEM)
    assert (await place(client, {}, manual_store)).status_code == 401


async def test_another_customers_store_and_an_unknown_store_do_not_exist_for_the_caller(
    client, user_headers, manual_store
):
    for headers, store in ((user_headers(of=uuid.uuid4()), manual_store), (user_headers(), uuid.uuid4())):
        answer = await place(client, headers, store)
        assert (answer.status_code, answer.json()["type"]) == (
            404,
            "https://printbridge.dev/problems/store-not-found",
        )


async def test_a_shops_store_takes_no_manual_orders(client, user_headers, deliver, store_connected, store_id):
    await deliver(store_connected(platform=Platform.shopify))

    answer = await place(client, user_headers(), store_id)

    assert (answer.status_code, answer.json()["type"]) == (
        409,
        "https://printbridge.dev/problems/store-not-manual",
    )
    assert "come from the shop" in answer.json()["detail"]


async def test_a_disconnected_store_takes_no_new_orders_but_repeats_the_answer_to_one_placed_before(
    client, user_headers, deliver, manual_store, customer_id
):
    before = await place(client, user_headers(), manual_store, an_order(reference="PO-1"), key="order-1")
    await deliver(
        StoreDisconnected(
            store_id=manual_store,
            customer_id=customer_id,
            platform=Platform.manual,
            name="Direct orders",
            status=StoreStatus.disconnected,
            updated_at=dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC),  # after the store.connected
        )
    )

    answer = await place(client, user_headers(), manual_store)

    assert (answer.status_code, answer.json()["type"]) == (
        409,
        "https://printbridge.dev/problems/store-disconnected",
    )
    again = await place(client, user_headers(), manual_store, an_order(reference="PO-1"), key="order-1")
    assert (again.status_code, again.json(), again.headers["idempotent-replayed"]) == (
        201,
        before.json(),
        "true",
    )
    assert await external_ids(client, user_headers()) == ["PO-1"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (an_order(currency="euro"), ["body", "currency"]),
        (an_order(shipping_address=None), ["body", "shipping_address"]),
        (
            an_order(
                line_items=[
                    *an_order()["line_items"] * 2,
                    {"sku": "A", "quantity": 1, "files": {"front": "http://a.example/x.pdf"}},
                ]
            ),
            ["body", "line_items", "2", "files", "front"],
        ),
        (an_order(line_items=[{"quantity": 1}]), ["body", "line_items", "0"]),
        (an_order(colour="red"), ["body", "colour"]),
    ],
)
async def test_bad_input_is_422_naming_the_field(client, user_headers, manual_store, body, loc):
    answer = await place(client, user_headers(), manual_store, body)

    assert (answer.status_code, answer.headers["content-type"]) == (422, PROBLEM)
    assert loc in [error["loc"] for error in answer.json()["errors"]], answer.json()


async def test_a_reference_is_used_once_per_store(
    client, user_headers, manual_store, deliver, store_connected
):
    first = await place(client, user_headers(), manual_store)

    again = await place(client, user_headers(), manual_store)

    assert (again.status_code, again.json()["type"]) == (
        409,
        "https://printbridge.dev/problems/reference-taken",
    )
    assert again.json()["errors"][0]["loc"] == ["body", "reference"]
    assert again.json()["order_id"] == first.json()["id"]
    other_store = uuid.uuid4()
    await deliver(store_connected(store_id=other_store, platform=Platform.manual))
    assert (await place(client, user_headers(), other_store)).status_code == 201


async def test_the_same_key_and_body_get_the_same_order_and_answer_again(client, user_headers, manual_store):
    first = await place(client, user_headers(), manual_store, key="order-1")

    again = await place(client, user_headers("order_manager"), manual_store, key="order-1")

    assert (again.status_code, again.json()) == (201, first.json())
    assert (again.headers["idempotent-replayed"], again.headers["location"]) == (
        "true",
        first.headers["location"],
    )
    assert await external_ids(client, user_headers()) == ["PO-42"]


async def test_the_same_key_with_another_body_is_422_naming_the_header(client, user_headers, manual_store):
    await place(client, user_headers(), manual_store, key="order-1")

    answer = await place(client, user_headers(), manual_store, an_order(reference="PO-43"), key="order-1")

    assert (answer.status_code, answer.json()["type"]) == (
        422,
        "https://printbridge.dev/problems/idempotency-key-reused",
    )
    assert answer.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_a_key_is_per_store_and_forgotten_after_24_hours(
    app, client, user_headers, manual_store, deliver, store_connected
):
    body = an_order(reference=None)
    first = await place(client, user_headers(), manual_store, body, key="order-1")
    other_store = uuid.uuid4()
    await deliver(store_connected(store_id=other_store, platform=Platform.manual))
    elsewhere = await place(client, user_headers(), other_store, body, key="order-1")
    assert "idempotent-replayed" not in elsewhere.headers
    async with app.state.db.session() as session:
        await session.execute(
            update(IdempotencyKey).values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=24, seconds=1)
            )
        )

    later = await place(client, user_headers(), manual_store, body, key="order-1")

    assert "idempotent-replayed" not in later.headers
    assert len({first.json()["id"], elsewhere.json()["id"], later.json()["id"]}) == 3


async def test_an_error_keeps_nothing_so_the_key_may_be_used_again(client, user_headers, manual_store):
    refused = await place(client, user_headers(), manual_store, an_order(currency="euro"), key="order-1")
    assert refused.status_code == 422

    answer = await place(client, user_headers(), manual_store, key="order-1")

    assert answer.status_code == 201


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
async def test_a_bad_idempotency_key_is_422_naming_the_header(client, user_headers, manual_store, key):
    answer = await place(client, user_headers(), manual_store, key=key)

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_requests_with_the_same_key_at_once_place_one_order(
    app, client, user_headers, manual_store, monkeypatch
):
    """The first request is held after claiming the key until the second is seen waiting for it."""
    insert = ManualOrderRepository.insert
    calls = 0

    async def second_is_waiting() -> bool:
        async with app.state.db.engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        return bool(waiting)

    async def held_insert(self, *rows):
        nonlocal calls
        calls += 1
        await eventually(second_is_waiting)
        return await insert(self, *rows)

    monkeypatch.setattr(ManualOrderRepository, "insert", held_insert)

    answers = await asyncio.gather(
        *(place(client, user_headers(), manual_store, key="order-1") for _ in range(2))
    )

    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted("idempotent-replayed" in answer.headers for answer in answers) == [False, True]
    assert calls == 1
    assert await external_ids(client, user_headers()) == ["PO-42"]


async def test_a_plain_http_file_is_taken_only_where_private_addresses_are_allowed(
    client, user_headers, manual_store, database_url, auth, bus
):
    from orders.config import Settings
    from orders.main import create_app
    from printbridge_shared.app import Runtime
    from printbridge_shared.testing import running

    body = an_order(line_items=[{"sku": "A", "quantity": 1, "files": {"front": "http://files.lan/a.pdf"}}])
    refused = await place(client, user_headers(), manual_store, body)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("plain-http-file")
    assert refused.json()["errors"][0]["loc"] == ["body", "line_items", "0", "files", "front"]

    settings = Settings(database_url=database_url, log_json=False, allow_private_urls=True)
    async with running(create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))) as lan:
        taken = await place(lan, user_headers(), manual_store, body)

    assert taken.status_code == 201, taken.text
