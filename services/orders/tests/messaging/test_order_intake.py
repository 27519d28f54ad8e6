"""Shop orders arrive through the orders consumer group exactly once per store and external id,
whatever arrives twice, late or out of order: the newest version (`source_updated_at`) is kept, a
cancellation always wins, and the history says what became of each event."""

import itertools
import uuid
from decimal import Decimal

import pytest

from printbridge_shared.events.consumer import UnprocessableEvent


async def orders_of(client, operator, **params) -> list[dict]:
    response = await client.get("/v1/orders", params=params, headers=operator)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def the_order(client, operator) -> dict:
    [summary] = await orders_of(client, operator)
    response = await client.get(f"/v1/orders/{summary['id']}", headers=operator)
    assert response.status_code == 200, response.text
    return response.json()


def kinds(order: dict) -> list[str]:
    """What intake noted (status moves, which resolution adds, left out)."""
    return [entry["kind"] for entry in order["history"] if entry["status"] is None]


async def test_a_received_order_is_kept_with_its_lines_addresses_and_money(
    client, operator, deliver, shop_order, store_id, customer_id
):
    event_id = uuid.uuid4()
    assert await deliver(shop_order("received"), event_id=event_id)

    order = await the_order(client, operator)

    assert order["store_id"] == str(store_id)
    assert order["customer_id"] == str(customer_id)
    # Nothing of the shop is mapped yet: the order waits on hold for it (tests/resolution/ has the rest).
    assert (order["status"], order["platform"], order["external_number"]) == ("on_hold", "shopify", "#1042")
    assert (order["total_price"], order["subtotal_price"], order["total_tax"]) == (
        "119.90",
        "100.00",
        "19.00",
    )
    assert order["shipping_price"] == "0.90"
    assert [
        (line["position"], line["title"], line["quantity"], line["unit_price"])
        for line in order["line_items"]
    ] == [
        (0, "Poster", 2, "50.00"),
        (1, "Gift wrap", 1, "0"),
    ]
    assert order["line_items"][0]["properties"] == [
        {"name": "artwork", "value": "https://cdn.shop.example/a.pdf"}
    ]
    assert order["shipping_address"]["city"] == "Berlin"
    assert order["billing_address"] is None
    assert [(e["kind"], e["source_event_id"]) for e in order["history"] if e["status"] is None] == [
        ("received", str(event_id))
    ]


async def test_a_repeated_delivery_of_the_same_event_changes_nothing(client, operator, deliver, shop_order):
    event_id = uuid.uuid4()
    first = await deliver(shop_order("received"), event_id=event_id)
    again = await deliver(shop_order("received"), event_id=event_id)

    order = await the_order(client, operator)
    assert (first, again) == (True, False)
    assert kinds(order) == ["received"]


async def test_two_events_of_the_same_version_keep_one_order_and_note_the_second_as_ignored(
    client, operator, deliver, shop_order
):
    await deliver(shop_order("received"))
    await deliver(shop_order("received", note="from a second webhook"))

    order = await the_order(client, operator)
    assert order["note"] is None
    assert kinds(order) == ["received", "ignored_same_version"]


async def test_of_two_versions_of_the_same_second_the_higher_revision_wins_whatever_arrives_first(
    client, operator, deliver, shop_order
):
    await deliver(shop_order("updated", revision=2, financial_status="paid"))
    await deliver(shop_order("received", revision=1, financial_status="pending"))
    await deliver(shop_order("updated", revision=3, financial_status="refunded", note="same second"))

    order = await the_order(client, operator)
    assert (order["financial_status"], order["note"]) == ("refunded", "same second")
    assert kinds(order) == ["received", "ignored_stale", "updated"]


async def test_an_update_that_arrives_before_the_order_creates_it_and_the_late_received_is_ignored(
    client, operator, deliver, shop_order
):
    await deliver(shop_order("updated", updated_minutes=10, total_price=Decimal("130.00")))
    await deliver(shop_order("received", updated_minutes=0))

    order = await the_order(client, operator)
    assert (order["status"], order["total_price"]) == ("on_hold", "130.00")
    assert kinds(order) == ["received", "ignored_stale"]
    assert "shop_order.updated" in order["history"][0]["detail"]


async def test_a_newer_version_replaces_the_details_and_the_lines(client, operator, deliver, shop_order):
    await deliver(shop_order("received"))
    one_line = [
        {
            "external_id": "18446744073709551613",
            "external_product_id": "1",
            "external_variant_id": "2",
            "sku": "CARD-A6",
            "title": "Card",
            "quantity": 100,
            "unit_price": "0.35",
        }
    ]
    await deliver(shop_order("updated", updated_minutes=5, line_items=one_line, total_price=Decimal("35.00")))

    order = await the_order(client, operator)
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["line_items"]] == [
        ("CARD-A6", 100, "0.35")
    ]
    assert order["total_price"] == "35.00"
    assert order["source_updated_at"] == "2026-11-30T09:05:00Z"
    assert kinds(order) == ["received", "updated"]


async def test_an_older_version_after_a_newer_one_changes_nothing(client, operator, deliver, shop_order):
    await deliver(shop_order("received"))
    await deliver(shop_order("updated", updated_minutes=10, note="newest"))
    await deliver(shop_order("updated", updated_minutes=5, note="older"))

    order = await the_order(client, operator)
    assert order["note"] == "newest"
    assert kinds(order) == ["received", "updated", "ignored_stale"]


async def test_a_later_update_never_takes_a_cancellation_back(client, operator, deliver, shop_order):
    await deliver(shop_order("received"))
    await deliver(shop_order("cancelled", updated_minutes=5, cancel_reason="customer"))
    await deliver(shop_order("updated", updated_minutes=10, note="refunded"))

    order = await the_order(client, operator)
    assert (order["status"], order["cancel_reason"], order["note"]) == ("cancelled", "customer", "refunded")
    assert order["cancelled_at"] == "2026-11-30T09:05:00Z"
    assert kinds(order) == ["received", "cancelled", "updated"]
    assert "stays cancelled" in order["history"][-1]["detail"]


async def test_a_late_cancellation_still_cancels_but_keeps_the_newer_details(
    client, operator, deliver, shop_order
):
    await deliver(shop_order("received"))
    await deliver(shop_order("updated", updated_minutes=10, note="newest"))
    await deliver(shop_order("cancelled", updated_minutes=5, note="older", cancel_reason="fraud"))

    order = await the_order(client, operator)
    assert (order["status"], order["cancel_reason"], order["note"]) == ("cancelled", "fraud", "newest")
    assert kinds(order) == ["received", "updated", "cancelled"]


async def test_a_cancellation_that_arrives_first_creates_a_cancelled_order(
    client, operator, deliver, shop_order
):
    await deliver(shop_order("cancelled", updated_minutes=5))
    await deliver(shop_order("received"))

    order = await the_order(client, operator)
    assert order["status"] == "cancelled"
    assert kinds(order) == ["received", "cancelled", "ignored_stale"]


async def test_an_update_that_carries_cancelled_at_cancels_the_order(client, operator, deliver, shop_order):
    await deliver(shop_order("received"))
    await deliver(shop_order("updated", updated_minutes=3, cancelled_at="2026-11-30T09:02:00+01:00"))

    order = await the_order(client, operator)
    assert (order["status"], order["cancelled_at"]) == ("cancelled", "2026-11-30T08:02:00Z")


async def test_the_same_external_id_in_two_stores_is_two_orders(client, operator, deliver, shop_order):
    await deliver(shop_order("received"))
    await deliver(shop_order("received", store_id=uuid.uuid4()))

    assert len(await orders_of(client, operator)) == 2


async def test_64_bit_external_ids_stay_exact_strings(client, operator, deliver, shop_order):
    await deliver(shop_order("received", external_id="18446744073709551615"))

    [order] = await orders_of(client, operator, external_id="18446744073709551615")
    assert order["external_id"] == "18446744073709551615"
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=operator)).json()
    assert detail["line_items"][0]["external_id"] == "18446744073709551615"


async def test_money_round_trips_exactly(client, operator, deliver, shop_order):
    amounts = ["12345678901234567890.123456789", "0.10", "-5.50", "1000", "0.00000001"]
    await deliver(
        shop_order(
            "received",
            total_price=Decimal(amounts[0]),
            subtotal_price=Decimal(amounts[1]),
            total_tax=Decimal(amounts[2]),
            shipping_price=Decimal("1E+3"),
            line_items=[
                {
                    "external_id": "1",
                    "external_product_id": None,
                    "external_variant_id": None,
                    "sku": None,
                    "title": "Tiny",
                    "quantity": 1,
                    "unit_price": amounts[4],
                }
            ],
        )
    )

    order = await the_order(client, operator)
    assert [order[k] for k in ("total_price", "subtotal_price", "total_tax", "shipping_price")] == amounts[:4]
    assert order["line_items"][0]["unit_price"] == amounts[4]


async def test_an_order_whose_store_belongs_to_another_customer_is_dead_lettered(
    app, client, operator, deliver, shop_order, store_connected
):
    await deliver(store_connected())
    wrong = shop_order("received", customer_id=uuid.uuid4())

    with pytest.raises(UnprocessableEvent, match="belongs to customer"):  # dead-lettered at once
        await deliver(wrong)

    assert await orders_of(client, operator) == []


async def test_nul_and_lone_surrogates_in_free_text_are_replaced_and_the_order_kept(
    client, operator, deliver, shop_order
):
    await deliver(
        shop_order(
            "received",
            note="gift\x00 wrap",
            shipping_address={"city": "K\ud800ln"},
        )
    )

    order = await the_order(client, operator)
    assert (order["note"], order["shipping_address"]["city"]) == ("gift\ufffd wrap", "K\ufffdln")


@pytest.mark.parametrize(
    "fields",
    [{"external_id": "10\x0042"}, {"external_id": "1" * 256}, {"currency": "E" * 17}],
    ids=["NUL in the id", "id too long", "currency too long"],
)
async def test_an_order_that_cannot_be_stored_is_dead_lettered_at_once(
    client, operator, deliver, shop_order, fields
):
    with pytest.raises(UnprocessableEvent):
        await deliver(shop_order("received", **fields))

    assert await orders_of(client, operator) == []


async def test_every_arrival_order_of_the_same_versions_ends_in_the_same_order(
    client, operator, deliver, shop_order
):
    # received, two updates and a cancellation whose details are older than the newest update: in all
    # 24 orders of arrival, each its own order, the result is the newest details, cancelled.
    versions = [("received", 0), ("updated", 5), ("cancelled", 3), ("updated", 8)]
    arrivals = list(itertools.permutations(versions))
    for number, arrival in enumerate(arrivals):
        for kind, minutes in arrival:
            # (Only the cancellation's contract has a cancel_reason; the others ignore it.)
            note, reason = f"v{minutes}", "stock"
            await deliver(
                shop_order(
                    kind, updated_minutes=minutes, external_id=str(number), note=note, cancel_reason=reason
                )
            )

    items = await orders_of(client, operator, limit=200)
    assert len(items) == len(arrivals)
    for item in items:
        order = (await client.get(f"/v1/orders/{item['id']}", headers=operator)).json()
        arrival = arrivals[int(order["external_id"])]
        outcome = (order["status"], order["note"], order["cancelled_at"], order["cancel_reason"])
        assert outcome == ("cancelled", "v8", "2026-11-30T09:03:00Z", "stock"), arrival
        # One entry per event; an order first seen through its cancellation also gets `received`.
        assert len(kinds(order)) == 4 + (arrival[0][0] == "cancelled"), arrival
