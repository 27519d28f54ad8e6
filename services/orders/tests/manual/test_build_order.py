"""`build_order`, the rows of a manual order that the single-order API and the CSV import both insert:
what an order is made of, and that once inserted it reads like any order."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from orders.manual.exceptions import StoreDisconnected, StoreNotManual
from orders.manual.repository import ManualOrderRepository
from orders.manual.schemas import ManualOrderIn
from orders.manual.service import build_order, ensure_accepts_orders
from orders.models import Store
from printbridge_shared.events.contracts import Platform, StoreStatus

NOW = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)


def manual_store(customer_id: uuid.UUID, **fields) -> Store:
    values = {
        "store_id": uuid.uuid4(),
        "customer_id": customer_id,
        "platform": Platform.manual,
        "name": "Direct orders",
        "status": StoreStatus.connected,
        "updated_at": NOW,
    }
    return Store(**{**values, **fields})


def order_in(**fields) -> ManualOrderIn:
    values = {
        "reference": "PO-42",
        "currency": "EUR",
        "shipping_address": {
            "company": "Brand GmbH",
            "last_name": "Lovelace",
            "address1": "Main Street 1",
            "city": "Berlin",
            "zip": "10115",
            "country_code": "DE",
        },
        "line_items": [
            {
                "product_uid": "flyer_a5_135gsm_4-4",
                "quantity": 500,
                "files": {"front": "https://files.brand.example/front.pdf"},
                "options": {"finish": "matte"},
                "unit_price": "0.12",
            },
            {"sku": "POSTER-A2", "quantity": 2, "unit_price": "9.95", "title": "Poster A2"},
            {"template_id": str(uuid.uuid4()), "quantity": 1},
        ],
    }
    return ManualOrderIn.model_validate({**values, **fields})


def test_the_order_is_the_stores_with_the_reference_as_its_external_id_and_the_priced_lines_total(
    customer_id,
):
    store = manual_store(customer_id)

    order, lines, history = build_order(store, order_in(), now=NOW, source="the API")

    assert (order["store_id"], order["customer_id"], order["platform"]) == (
        store.store_id,
        customer_id,
        Platform.manual,
    )
    assert (order["external_id"], order["external_number"]) == ("PO-42", "PO-42")
    assert order["total_price"] == Decimal("79.90")  # 500 * 0.12 + 2 * 9.95; the unpriced line counts 0
    assert (order["placed_at"], order["status"]) == (NOW, "received")
    assert [(line["position"], line["external_id"], line["order_id"]) for line in lines] == [
        (0, "1", order["id"]),
        (1, "2", order["id"]),
        (2, "3", order["id"]),
    ]
    assert [line["title"] for line in lines][:2] == ["flyer_a5_135gsm_4-4", "Poster A2"]
    assert (history["order_id"], history["sequence"], history["kind"]) == (order["id"], 1, "received")
    assert "through the API" in history["detail"]


def test_without_a_reference_the_orders_own_id_is_its_external_id(customer_id):
    order_id = uuid.uuid4()

    order, _, _ = build_order(
        manual_store(customer_id), order_in(reference=None), now=NOW, source="the API", order_id=order_id
    )

    assert (order["id"], order["external_id"], order["external_number"]) == (
        order_id,
        str(order_id),
        str(order_id),
    )


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"platform": Platform.shopify}, StoreNotManual),
        ({"status": StoreStatus.disconnected}, StoreDisconnected),
    ],
)
def test_only_a_connected_manual_store_accepts_orders(customer_id, fields, refused):
    ensure_accepts_orders(manual_store(customer_id))
    with pytest.raises(refused):
        ensure_accepts_orders(manual_store(customer_id, **fields))


async def test_an_inserted_order_reads_like_any_order_with_its_products_files_and_options(
    app, client, operator, customer_id
):
    store = manual_store(customer_id)
    data = order_in()
    async with app.state.db.session() as session:
        assert await ManualOrderRepository(session).insert(
            *build_order(store, data, now=NOW, source="the API")
        )

    [summary] = (await client.get("/v1/orders", headers=operator)).json()["items"]
    order = (await client.get(f"/v1/orders/{summary['id']}", headers=operator)).json()

    assert (summary["platform"], summary["external_id"], summary["total_price"]) == (
        "manual",
        "PO-42",
        "79.90",
    )
    first, second, third = order["line_items"]
    assert (first["product_uid"], first["files"], first["options"]) == (
        "flyer_a5_135gsm_4-4",
        {"front": "https://files.brand.example/front.pdf"},
        {"finish": "matte"},
    )
    assert (second["sku"], second["product_uid"], third["template_id"]) == (
        "POSTER-A2",
        None,
        str(data.line_items[2].template_id),
    )
    assert order["shipping_address"]["company"] == "Brand GmbH"
    assert [entry["kind"] for entry in order["history"]] == ["received"]


async def test_a_reference_already_used_in_the_store_inserts_nothing(app, client, operator, customer_id):
    store = manual_store(customer_id)
    async with app.state.db.session() as session:
        repository = ManualOrderRepository(session)
        assert await repository.insert(*build_order(store, order_in(), now=NOW, source="the API"))
        assert not await repository.insert(*build_order(store, order_in(), now=NOW, source="the API"))
        other_store = manual_store(customer_id)
        assert await repository.insert(*build_order(other_store, order_in(), now=NOW, source="the API"))

    assert len((await client.get("/v1/orders", headers=operator)).json()["items"]) == 2
