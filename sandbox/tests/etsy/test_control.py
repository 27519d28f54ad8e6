"""The control API: apps, sellers, listings and receipts through their life (place, pay, change, cancel,
ship), Etsy's static update_timestamp on cancellation as a switch, and bad input named in problem+json."""

from typing import Any

import httpx
import pytest

from printbridge_sandbox.etsy.testing import CONTROL, Etsy, receipt_body


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return dict(response.json())


def field_names(body: dict[str, Any]) -> list[str]:
    return [error["loc"][-1] for error in body.get("errors", [])]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"redirect_uris": ["http://app.example/cb"]}, "redirect_uris"),
        ({"redirect_uris": ["https://app.example/cb#frag"]}, "redirect_uris"),
        ({"webhook_url": "ftp://hooks.example"}, "webhook_url"),
        ({"webhook_secret": "not-a-whsec"}, "webhook_secret"),
        ({"qps": 0}, "qps"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_an_app_with_bad_input_is_422_naming_the_field(
    http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    body = problem(http.post(f"{CONTROL}/apps", json=body), 422)

    assert field in field_names(body) or field in str(body["errors"])


def test_an_app_is_changed_in_place_and_null_removes_only_its_webhook_endpoint(etsy: Etsy) -> None:
    path = f"{CONTROL}/apps/{etsy.keystring}"

    changed = etsy.http.patch(path, json={"redirect_uris": ["https://new.example/cb"], "qps": 50})
    cleared = etsy.http.patch(path, json={"webhook_url": None, "redirect_uris": None})

    assert changed.status_code == 200 and changed.json()["qps"] == 50
    assert cleared.json()["webhook_url"] is None
    assert cleared.json()["redirect_uris"] == ["https://new.example/cb"]
    assert "redirect_uris" in str(problem(etsy.http.patch(path, json={"redirect_uris": ["ftp://x"]}), 422))
    problem(etsy.http.patch(f"{CONTROL}/apps/nosuchapp", json={}), 404)


def test_http_redirects_are_allowed_on_loopback_only(http: httpx.Client) -> None:
    local = http.post(f"{CONTROL}/apps", json={"redirect_uris": ["http://127.0.0.1:8000/etsy/callback"]})

    assert local.status_code == 201, local.text
    assert local.json()["webhook_secret"].startswith("whsec_")


def test_a_keystring_and_a_shop_name_are_unique(http: httpx.Client) -> None:
    http.post(f"{CONTROL}/apps", json={"keystring": "abcdefgh12"})
    http.post(f"{CONTROL}/sellers", json={"shop_name": "PosterLab"})

    problem(http.post(f"{CONTROL}/apps", json={"keystring": "abcdefgh12"}), 409)
    problem(http.post(f"{CONTROL}/sellers", json={"shop_name": "posterlab"}), 409)
    assert "shop_name" in field_names(
        problem(http.post(f"{CONTROL}/sellers", json={"shop_name": "a b"}), 422)
    )


def test_unknown_shops_receipts_sellers_and_listings_are_404_or_422(etsy: Etsy) -> None:
    problem(etsy.http.post(f"{CONTROL}/shops/1/receipts", json=receipt_body()), 404)
    problem(etsy.http.post(f"{CONTROL}/shops/{etsy.shop_id}/receipts/1/pay"), 404)
    problem(etsy.http.put(f"{CONTROL}/consent", json={"user_id": 1}), 404)
    problem(etsy.http.post(f"{CONTROL}/sellers/1/change_password"), 404)
    bad_listing = receipt_body(transactions=[{"listing_id": 1, "quantity": 1}])
    body = problem(etsy.http.post(f"{CONTROL}/shops/{etsy.shop_id}/receipts", json=bad_listing), 422)
    assert field_names(body) == ["listing_id"]
    no_price = receipt_body(transactions=[{"title": "Poster"}])
    assert field_names(
        problem(etsy.http.post(f"{CONTROL}/shops/{etsy.shop_id}/receipts", json=no_price), 422)
    ) == ["price"]


def test_a_receipt_from_a_listing_takes_its_product(etsy: Etsy) -> None:
    listing = etsy.control(
        "POST",
        f"/shops/{etsy.shop_id}/listings",
        json={
            "title": "Mug",
            "products": [{"sku": "MUG-W", "price": "12.50"}, {"sku": "MUG-B", "price": "13.50"}],
        },
    )

    placed = etsy.place_receipt(transactions=[{"listing_id": listing["listing_id"], "sku": "MUG-B"}])

    [line] = placed["transactions"]
    assert (line["sku"], line["title"], line["price"]["amount"]) == ("MUG-B", "Mug", 1350)
    assert line["product_id"] == listing["products"][1]["product_id"]


def test_a_receipt_is_paid_changed_and_shipped_each_moving_update_timestamp(etsy: Etsy) -> None:
    etsy.control("PUT", "/clock", json={"frozen": True})
    placed = etsy.place_receipt(paid=False)
    path = etsy.receipts_path(placed["receipt_id"])
    assert (placed["status"], placed["is_paid"]) == ("open", False)

    etsy.control("POST", "/actions/advance_clock", json={"seconds": 10})
    paid = etsy.control("POST", f"{path}/pay")
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 10})
    changed = etsy.control("PATCH", path, json={"first_line": "1 New Street"})
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 10})
    shipped = etsy.control("POST", f"{path}/ship", json={"carrier_name": "usps", "tracking_code": "9400"})
    etsy.control("PUT", "/clock", json={"frozen": False})

    assert paid["status"] == "paid" and paid["update_timestamp"] == placed["update_timestamp"] + 10
    assert (
        changed["first_line"] == "1 New Street"
        and changed["update_timestamp"] == paid["update_timestamp"] + 10
    )
    assert (
        shipped["status"] == "completed" and shipped["update_timestamp"] == changed["update_timestamp"] + 10
    )
    problem(etsy.http.post(f"{CONTROL}{path}/pay"), 409)


def test_cancelling_moves_update_timestamp_unless_etsys_quirk_is_switched_on(etsy: Etsy) -> None:
    etsy.control("PUT", "/clock", json={"frozen": True})
    moved = etsy.place_receipt()
    kept = etsy.place_receipt()
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 60})

    cancelled = etsy.control("POST", f"{etsy.receipts_path(moved['receipt_id'])}/cancel")
    etsy.control("PUT", "/misbehaviour", json={"cancel_keeps_update_timestamp": True})
    quiet = etsy.control("POST", f"{etsy.receipts_path(kept['receipt_id'])}/cancel")
    etsy.control("PUT", "/clock", json={"frozen": False})

    assert (
        cancelled["status"] == "canceled" and cancelled["update_timestamp"] == moved["update_timestamp"] + 60
    )
    assert quiet["status"] == "canceled" and quiet["update_timestamp"] == kept["update_timestamp"]
    problem(etsy.http.post(f"{CONTROL}{etsy.receipts_path(kept['receipt_id'])}/cancel"), 409)
    problem(etsy.http.post(f"{CONTROL}{etsy.receipts_path(kept['receipt_id'])}/ship", json={}), 409)


def test_bad_misbehaviour_settings_and_clock_values_are_422(http: httpx.Client) -> None:
    assert "fail_status" in field_names(
        problem(http.put(f"{CONTROL}/misbehaviour", json={"fail_status": 404}), 422)
    )
    assert "seconds" in field_names(
        problem(http.post(f"{CONTROL}/actions/advance_clock", json={"seconds": -1}), 422)
    )
    assert "refresh_grace_seconds" in field_names(
        problem(http.patch(f"{CONTROL}/settings", json={"refresh_grace_seconds": -1}), 422)
    )


def test_calls_are_recorded_with_the_app_the_seller_and_the_status(etsy: Etsy) -> None:
    token = etsy.install()["access_token"]
    etsy.get(token, "/users/me")
    etsy.http.get("/v3/application/users/me", headers={"x-api-key": etsy.keystring})

    calls = etsy.control("GET", "/calls")

    assert [(c["path"], c["keystring"], c["user_id"], c["status"]) for c in calls] == [
        ("/v3/application/users/me", etsy.keystring, etsy.user_id, 200),
        ("/v3/application/users/me", etsy.keystring, None, 403),
    ]


def test_reset_forgets_sellers_and_keeps_apps(etsy: Etsy) -> None:
    etsy.control("POST", "/reset")

    assert etsy.control("GET", "/sellers") == []
    assert etsy.keystring in [app["keystring"] for app in etsy.control("GET", "/apps")]
