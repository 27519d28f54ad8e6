"""createReceiptShipment as a connector sees it: tracking sent as a form marks the receipt shipped with a
shipment; what Etsy refuses (half the tracking, none where tracking is required, a canceled receipt, a bad
flag), the JSON-body mistake, who may not call it, and the failures the sandbox can be set to."""

from typing import Any

import httpx
import pytest

from printbridge_sandbox.etsy.testing import Etsy

SMALL = [{"title": "Sticker", "quantity": 1, "price": "4.00"}]
TO_GERMANY = {"country_iso": "DE", "state": None, "zip": "10115", "city": "Berlin"}


@pytest.fixture
def token(etsy: Etsy) -> str:
    return str(etsy.install()["access_token"])


def ship(
    etsy: Etsy, token: str, receipt_id: int, shop_id: int | None = None, **kwargs: Any
) -> httpx.Response:
    path = f"/v3/application/shops/{shop_id or etsy.shop_id}/receipts/{receipt_id}/tracking"
    headers = {"authorization": f"Bearer {token}", "x-api-key": etsy.api_key, **kwargs.pop("headers", {})}
    return etsy.http.post(path, headers=headers, **kwargs)


def shipments(etsy: Etsy, receipt_id: int) -> dict[str, Any]:
    return dict(etsy.control("GET", f"/shops/{etsy.shop_id}/receipts/{receipt_id}/shipments"))


def test_tracking_sent_as_a_form_ships_the_receipt_with_a_shipment(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()

    response = ship(
        etsy,
        token,
        placed["receipt_id"],
        data={
            "tracking_code": "00340434123456789012",
            "carrier_name": "dhl",
            "send_bcc": "true",
            "note_to_buyer": "On its way!",
        },
    )

    assert response.status_code == 200, response.text
    assert response.headers["x-limit-per-second"]
    receipt = response.json()
    assert receipt["receipt_id"] == placed["receipt_id"]
    assert receipt["is_shipped"] is True and receipt["status"] == "completed"
    [shipment] = receipt["shipments"]
    assert set(shipment) == {
        "receipt_shipping_id",
        "shipment_notification_timestamp",
        "carrier_name",
        "tracking_code",
    }
    assert (shipment["carrier_name"], shipment["tracking_code"]) == ("dhl", "00340434123456789012")
    assert shipment["shipment_notification_timestamp"] == receipt["update_timestamp"]
    assert all(t["shipped_timestamp"] == receipt["update_timestamp"] for t in receipt["transactions"])
    recorded = shipments(etsy, placed["receipt_id"])
    assert recorded["is_shipped"] is True and recorded["status"] == "completed"
    assert recorded["shipments"][0]["note_to_buyer"] == "On its way!"
    assert recorded["shipments"][0]["send_bcc"] is True
    fetched = etsy.get(token, etsy.receipts_path(placed["receipt_id"])).json()
    assert fetched["shipments"] == receipt["shipments"]


def test_a_second_parcel_is_a_second_shipment(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()

    first = ship(etsy, token, placed["receipt_id"], data={"tracking_code": "1Z1", "carrier_name": "ups"})
    second = ship(etsy, token, placed["receipt_id"], data={"tracking_code": "1Z2", "carrier_name": "ups"})

    assert first.status_code == second.status_code == 200
    codes = [s["tracking_code"] for s in second.json()["shipments"]]
    assert codes == ["1Z1", "1Z2"]
    ids = {s["receipt_shipping_id"] for s in second.json()["shipments"]}
    assert len(ids) == 2


def test_half_the_tracking_is_refused_and_changes_nothing(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()

    code_only = ship(etsy, token, placed["receipt_id"], data={"tracking_code": "1Z999"})
    carrier_only = ship(etsy, token, placed["receipt_id"], data={"carrier_name": "ups"})
    bad_flag = ship(
        etsy,
        token,
        placed["receipt_id"],
        data={"tracking_code": "1Z999", "carrier_name": "ups", "send_bcc": "maybe"},
    )

    for refused in (code_only, carrier_only):
        assert refused.status_code == 400
        assert refused.json() == {"error": "tracking_code and carrier_name must be given together."}
    assert bad_flag.status_code == 400 and "send_bcc" in bad_flag.json()["error"]
    assert shipments(etsy, placed["receipt_id"]) == {"is_shipped": False, "status": "paid", "shipments": []}


def test_without_tracking_a_receipt_is_only_marked_shipped_where_etsy_does_not_require_it(
    etsy: Etsy, token: str
) -> None:
    to_germany = etsy.place_receipt(**TO_GERMANY)
    small_us = etsy.place_receipt(transactions=SMALL, total_shipping_cost="0")
    large_us = etsy.place_receipt()
    to_india = etsy.place_receipt(country_iso="IN", state=None, zip="110001", city="New Delhi")

    shipped = [ship(etsy, token, r["receipt_id"], data={"send_bcc": "false"}) for r in (to_germany, small_us)]
    refused = [ship(etsy, token, r["receipt_id"], data={}) for r in (large_us, to_india)]

    for answer in shipped:
        assert answer.status_code == 200, answer.text
        assert answer.json()["is_shipped"] is True and answer.json()["shipments"] == []
    for answer in refused:
        assert answer.status_code == 400 and answer.json() == {"error": "A tracking number is required"}
    assert shipments(etsy, large_us["receipt_id"])["is_shipped"] is False


def test_tracking_sent_as_json_is_not_read(etsy: Etsy, token: str) -> None:
    to_germany = etsy.place_receipt(**TO_GERMANY)
    large_us = etsy.place_receipt()
    tracking = {"tracking_code": "1Z999", "carrier_name": "ups"}

    lost = ship(etsy, token, to_germany["receipt_id"], json=tracking)
    refused = ship(etsy, token, large_us["receipt_id"], json=tracking)

    assert lost.status_code == 200 and lost.json()["is_shipped"] is True
    assert lost.json()["shipments"] == []
    assert refused.status_code == 400 and refused.json() == {"error": "A tracking number is required"}


def test_a_canceled_receipt_cannot_be_shipped(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()
    etsy.control("POST", f"/shops/{etsy.shop_id}/receipts/{placed['receipt_id']}/cancel")

    response = ship(etsy, token, placed["receipt_id"], data={"tracking_code": "1Z9", "carrier_name": "ups"})

    assert response.status_code == 400 and "canceled" in response.json()["error"]
    assert shipments(etsy, placed["receipt_id"])["shipments"] == []


def test_who_may_not_ship_a_receipt(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()
    tracking = {"tracking_code": "1Z9", "carrier_name": "ups"}
    other = etsy.control("POST", "/sellers", json={"shop_name": "OtherShop42"})
    path = f"/v3/application{etsy.receipts_path(placed['receipt_id'])}/tracking"

    no_key = etsy.http.post(path, data=tracking, headers={"authorization": f"Bearer {token}"})
    no_token = etsy.http.post(path, data=tracking, headers={"x-api-key": etsy.api_key})
    read_only = ship(
        etsy, etsy.install(scope="transactions_r")["access_token"], placed["receipt_id"], data=tracking
    )
    other_shop = ship(etsy, token, placed["receipt_id"], shop_id=other["shop_id"], data=tracking)
    unknown = ship(etsy, token, 1, data=tracking)

    assert no_key.status_code == 403
    assert no_key.json() == {"error": "Invalid API key: should be in the format 'keystring:shared_secret'."}
    assert no_token.status_code == 401 and no_token.json()["error"] == "invalid_token"
    assert read_only.status_code == 403 and read_only.json()["error"] == "insufficient_scope"
    assert other_shop.status_code == 403
    assert unknown.status_code == 404 and "receipt_id = 1" in unknown.json()["error"]
    assert shipments(etsy, placed["receipt_id"])["is_shipped"] is False


def test_a_failing_or_rate_limited_etsy_ships_nothing(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()
    tracking = {"tracking_code": "1Z9", "carrier_name": "ups"}
    etsy.control("PUT", "/misbehaviour", json={"fail_next_calls": 1, "fail_status": 503, "exhaust_second": 1})

    failed = ship(etsy, token, placed["receipt_id"], data=tracking)
    limited = ship(etsy, token, placed["receipt_id"], data=tracking)
    assert shipments(etsy, placed["receipt_id"])["is_shipped"] is False
    recovered = ship(etsy, token, placed["receipt_id"], data=tracking)

    assert failed.status_code == 503 and failed.json() == {"error": "Server Error"}
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert recovered.status_code == 200 and len(recovered.json()["shipments"]) == 1


def test_the_control_api_reads_shipments_of_known_receipts_only(etsy: Etsy) -> None:
    response = etsy.http.get(f"/_sandbox/etsy/shops/{etsy.shop_id}/receipts/1/shipments")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
