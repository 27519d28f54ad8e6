"""The v3 application API: the x-api-key rule, bearer tokens and scopes per endpoint, shops, receipts with
their filters, sorting and paging, Etsy's error bodies, and createReceiptShipment."""

from typing import Any

import pytest

from printbridge_sandbox.etsy.testing import Etsy


@pytest.fixture
def token(etsy: Etsy) -> str:
    return str(etsy.install()["access_token"])


def call(etsy: Etsy, token: str, path: str, api_key: str | None, **params: Any) -> Any:
    headers = {"authorization": f"Bearer {token}"}
    if api_key is not None:
        headers["x-api-key"] = api_key
    return etsy.http.get(f"/v3/application{path}", params=params, headers=headers)


def test_the_keystring_alone_is_refused_with_etsys_shared_secret_message(etsy: Etsy, token: str) -> None:
    response = call(etsy, token, "/users/me", etsy.keystring)

    assert response.status_code == 403
    assert response.json() == {"error": "Shared secret is required in x-api-key header."}


def test_a_wrong_secret_an_unknown_key_or_no_header_is_403(etsy: Etsy, token: str) -> None:
    wrong = call(etsy, token, "/users/me", f"{etsy.keystring}:not-the-secret")
    unknown = call(etsy, token, "/users/me", f"nosuchkey:{etsy.shared_secret}")
    missing = call(etsy, token, "/users/me", None)

    assert wrong.status_code == unknown.status_code == missing.status_code == 403
    assert wrong.json() == unknown.json() == {"error": "Invalid API key"}
    assert "keystring:shared_secret" in missing.json()["error"]


def test_a_missing_or_unknown_bearer_token_is_401_invalid_token(etsy: Etsy) -> None:
    none = etsy.http.get("/v3/application/users/me", headers={"x-api-key": etsy.api_key})
    bogus = etsy.get(f"{etsy.user_id}.bogus", "/users/me")

    assert none.status_code == bogus.status_code == 401
    assert none.json()["error"] == bogus.json()["error"] == "invalid_token"


def test_another_apps_token_is_not_accepted_with_this_apps_key(etsy: Etsy, token: str) -> None:
    other = etsy.control("POST", "/apps", json={})

    response = call(etsy, token, "/users/me", f"{other['keystring']}:{other['shared_secret']}")

    assert response.status_code == 401


def test_users_me_needs_shops_r_and_receipts_need_transactions_r(etsy: Etsy) -> None:
    only_transactions = etsy.install(scope="transactions_r")["access_token"]
    only_shops = etsy.install(scope="shops_r")["access_token"]

    me = etsy.get(only_transactions, "/users/me")
    receipts = etsy.get(only_shops, etsy.receipts_path())

    assert me.status_code == receipts.status_code == 403
    assert me.json() == {"error": "insufficient_scope", "error_description": "Insufficient scope"}
    assert etsy.get(only_shops, "/users/me").status_code == 200
    assert etsy.get(only_transactions, etsy.receipts_path()).status_code == 200


def test_shops_are_public_data_read_with_the_api_key_alone(etsy: Etsy) -> None:
    headers = {"x-api-key": etsy.api_key}

    by_id = etsy.http.get(f"/v3/application/shops/{etsy.shop_id}", headers=headers)
    by_owner = etsy.http.get(f"/v3/application/users/{etsy.user_id}/shops", headers=headers)
    unknown = etsy.http.get("/v3/application/shops/1", headers=headers)

    assert by_id.status_code == by_owner.status_code == 200
    assert by_id.json() == by_owner.json()
    assert by_id.json()["shop_id"] == etsy.shop_id and by_id.json()["user_id"] == etsy.user_id
    assert unknown.status_code == 404 and "error" in unknown.json()


def test_a_receipt_has_etsys_fields_money_and_personalisation(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()

    response = etsy.get(token, etsy.receipts_path(placed["receipt_id"]))

    assert response.status_code == 200
    receipt = response.json()
    assert receipt["status"] == "paid" and receipt["is_paid"] is True and receipt["is_shipped"] is False
    assert receipt["create_timestamp"] == receipt["created_timestamp"]
    assert receipt["update_timestamp"] == receipt["updated_timestamp"]
    assert (receipt["name"], receipt["zip"], receipt["country_iso"]) == ("Jamie Lee", "97205", "US")
    assert receipt["subtotal"] == {"amount": 4200, "divisor": 100, "currency_code": "USD"}
    assert receipt["grandtotal"]["amount"] == 4650
    assert receipt["total_shipping_cost"]["amount"] == 450 and receipt["total_tax_cost"]["amount"] == 0
    [line] = receipt["transactions"]
    assert line["sku"] == "POSTER-A3-MATT" and line["quantity"] == 2
    assert line["price"] == {"amount": 2100, "divisor": 100, "currency_code": "USD"}
    assert {"formatted_name": "Personalization", "formatted_value": "Portland"}.items() <= line["variations"][
        1
    ].items()
    assert receipt["shipments"] == []


def test_another_sellers_shop_is_403_and_an_unknown_receipt_404(etsy: Etsy, token: str) -> None:
    other = etsy.control("POST", "/sellers", json={"shop_name": "OtherShop"})

    foreign = etsy.get(token, f"/shops/{other['shop_id']}/receipts")
    missing = etsy.get(token, etsy.receipts_path(123))
    not_a_number = etsy.get(token, etsy.receipts_path() + "/abc")

    assert foreign.status_code == 403
    assert missing.status_code == 404 and "123" in missing.json()["error"]
    assert not_a_number.status_code == 400


def test_receipts_filter_by_time_and_flags(etsy: Etsy, token: str) -> None:
    old = etsy.place_receipt(created_timestamp=1_700_000_000)
    unpaid = etsy.place_receipt(paid=False)
    shipped = etsy.place_receipt()
    etsy.control("POST", f"{etsy.receipts_path(shipped['receipt_id'])}/ship", json={})

    def ids(**params: Any) -> set[int]:
        response = etsy.get(token, etsy.receipts_path(), **params)
        assert response.status_code == 200, response.text
        return {r["receipt_id"] for r in response.json()["results"]}

    assert ids() == {old["receipt_id"], unpaid["receipt_id"], shipped["receipt_id"]}
    assert ids(max_created=1_700_000_000) == {old["receipt_id"]}
    assert ids(min_created=1_700_000_001) == {unpaid["receipt_id"], shipped["receipt_id"]}
    assert ids(min_last_modified=1_700_000_001, was_paid="true") == {shipped["receipt_id"]}
    assert ids(was_paid="false") == {unpaid["receipt_id"]}
    assert ids(was_shipped="true") == {shipped["receipt_id"]}
    assert ids(was_canceled="true") == set()


def test_receipts_page_with_limit_and_offset_in_the_order_asked(etsy: Etsy, token: str) -> None:
    placed = [etsy.place_receipt(created_timestamp=1_700_000_000 + i)["receipt_id"] for i in range(5)]

    def page(**params: Any) -> tuple[int, list[int]]:
        body = etsy.get(token, etsy.receipts_path(), **params).json()
        return body["count"], [r["receipt_id"] for r in body["results"]]

    assert page(limit=2) == (5, placed[::-1][:2])
    assert page(limit=2, offset=2, sort_order="up") == (5, placed[2:4])
    assert page(limit=100, offset=4, sort_on="receipt_id", sort_order="ascending") == (5, placed[4:])
    assert page(offset=10) == (5, [])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "ten"),
        ("offset", "-1"),
        ("min_created", "946684799"),
        ("max_last_modified", "yesterday"),
        ("sort_on", "price"),
        ("sort_order", "sideways"),
        ("was_paid", "maybe"),
    ],
)
def test_invalid_receipt_parameters_are_400_naming_the_parameter(
    etsy: Etsy, token: str, name: str, value: str
) -> None:
    response = etsy.get(token, etsy.receipts_path(), **{name: value})

    assert response.status_code == 400
    assert name in response.json()["error"]


def test_create_receipt_shipment_marks_it_shipped_with_tracking(etsy: Etsy, token: str) -> None:
    placed = etsy.place_receipt()
    headers = {"authorization": f"Bearer {token}", "x-api-key": etsy.api_key}
    path = f"/v3/application{etsy.receipts_path(placed['receipt_id'])}/tracking"

    response = etsy.http.post(path, data={"tracking_code": "1Z999", "carrier_name": "ups"}, headers=headers)

    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["is_shipped"] is True and receipt["status"] == "completed"
    assert receipt["shipments"][0]["tracking_code"] == "1Z999"
    assert receipt["shipments"][0]["carrier_name"] == "ups"
    assert receipt["update_timestamp"] >= placed["update_timestamp"]


def test_create_receipt_shipment_needs_transactions_w(etsy: Etsy) -> None:
    read_only = etsy.install(scope="transactions_r")["access_token"]
    placed = etsy.place_receipt()
    headers = {"authorization": f"Bearer {read_only}", "x-api-key": etsy.api_key}

    response = etsy.http.post(
        f"/v3/application{etsy.receipts_path(placed['receipt_id'])}/tracking", data={}, headers=headers
    )

    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"


def test_listings_and_their_inventory_products_carry_skus(etsy: Etsy, token: str) -> None:
    listing = etsy.control(
        "POST",
        f"/shops/{etsy.shop_id}/listings",
        json={
            "title": "Poster",
            "products": [{"sku": "P-A3", "price": "19.95"}, {"sku": "P-A2", "price": "24.95"}],
        },
    )

    listed = etsy.get(token, f"/shops/{etsy.shop_id}/listings").json()
    inventory = etsy.get(token, f"/listings/{listing['listing_id']}/inventory").json()

    assert listed["count"] == 1 and listed["results"][0]["listing_id"] == listing["listing_id"]
    assert [p["sku"] for p in inventory["products"]] == ["P-A3", "P-A2"]
    assert inventory["products"][0]["offerings"][0]["price"]["amount"] == 1995


def _listing(etsy: Etsy, title: str, **extra: Any) -> dict[str, Any]:
    body = {"title": title, "products": [{"sku": f"{title}-1", "price": "5.00"}], **extra}
    return dict(etsy.control("POST", f"/shops/{etsy.shop_id}/listings", json=body))


def test_listings_are_listed_one_state_at_a_time_and_sorted_on_updated(etsy: Etsy, token: str) -> None:
    first = _listing(etsy, "First")
    second = _listing(etsy, "Second")
    draft = _listing(etsy, "Draft", state="draft")
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 5})
    etsy.control("PATCH", f"/shops/{etsy.shop_id}/listings/{first['listing_id']}", json={"title": "First!"})

    path = f"/shops/{etsy.shop_id}/listings"
    newest = etsy.get(token, path, sort_on="updated", sort_order="desc").json()
    oldest = etsy.get(token, path, sort_on="updated", sort_order="asc", limit=1, offset=1).json()
    drafts = etsy.get(token, path, state="draft").json()

    assert [x["listing_id"] for x in newest["results"]] == [first["listing_id"], second["listing_id"]]
    assert newest["results"][0]["updated_timestamp"] > newest["results"][1]["updated_timestamp"]
    assert newest["results"][0]["title"] == "First!"
    assert (oldest["count"], [x["listing_id"] for x in oldest["results"]]) == (2, [first["listing_id"]])
    assert [(x["listing_id"], x["state"]) for x in drafts["results"]] == [(draft["listing_id"], "draft")]


def test_listing_parameters_out_of_range_are_400_with_etsys_error_body(etsy: Etsy, token: str) -> None:
    path = f"/shops/{etsy.shop_id}/listings"
    state = etsy.get(token, path, state="removed")
    sort = etsy.get(token, path, sort_on="title")
    limit = etsy.get(token, path, limit=101)

    assert state.status_code == sort.status_code == limit.status_code == 400
    assert '"state"' in state.json()["error"] and '"sort_on"' in sort.json()["error"]
    assert '"limit"' in limit.json()["error"]


def test_get_listing_shows_an_inactive_listing_to_its_owner_only_and_a_deleted_one_to_nobody(
    etsy: Etsy, token: str
) -> None:
    listing = _listing(etsy, "Hidden", state="inactive")
    path = f"/listings/{listing['listing_id']}"

    owner = etsy.get(token, path)
    anonymous = etsy.http.get(f"/v3/application{path}", headers={"x-api-key": etsy.api_key})
    etsy.control("DELETE", f"/shops/{etsy.shop_id}/listings/{listing['listing_id']}")
    deleted = etsy.get(token, path)

    assert owner.status_code == 200 and owner.json()["state"] == "inactive"
    assert anonymous.status_code == 404
    assert deleted.status_code == 404 and "Could not find a listing" in deleted.json()["error"]


def test_an_inventory_replaced_by_the_seller_gets_new_product_ids(etsy: Etsy, token: str) -> None:
    listing = _listing(etsy, "Card")
    before = etsy.get(token, f"/listings/{listing['listing_id']}/inventory").json()
    etsy.control(
        "PATCH",
        f"/shops/{etsy.shop_id}/listings/{listing['listing_id']}",
        json={
            "products": [{"sku": "CARD-A6", "price": "3.10", "property_values": [{"property_name": "Size"}]}]
        },
    )
    after = etsy.get(token, f"/listings/{listing['listing_id']}/inventory").json()

    assert [p["sku"] for p in after["products"]] == ["CARD-A6"]
    assert after["products"][0]["product_id"] != before["products"][0]["product_id"]
    assert after["products"][0]["offerings"][0]["price"] == {
        "amount": 310,
        "divisor": 100,
        "currency_code": "USD",
    }


def test_editing_listings_through_control_refuses_bad_input_and_unknown_listings(etsy: Etsy) -> None:
    listing = _listing(etsy, "Card")
    base = f"/_sandbox/etsy/shops/{etsy.shop_id}/listings"
    bad_state = etsy.http.patch(f"{base}/{listing['listing_id']}", json={"state": "removed"})
    unknown = etsy.http.patch(f"{base}/999", json={"title": "x"})
    unknown_delete = etsy.http.delete(f"{base}/999")

    assert bad_state.status_code == 422
    assert bad_state.headers["content-type"].startswith("application/problem+json")
    assert "state" in bad_state.text
    assert unknown.status_code == unknown_delete.status_code == 404


def test_includes_inventory_attaches_each_listings_inventory_and_unknown_includes_are_400(
    etsy: Etsy, token: str
) -> None:
    listing = _listing(etsy, "Card")
    listed = etsy.get(token, f"/shops/{etsy.shop_id}/listings", includes="Images,Inventory").json()
    one = etsy.get(token, f"/listings/{listing['listing_id']}", includes="Inventory").json()
    plain = etsy.get(token, f"/listings/{listing['listing_id']}").json()
    unknown = etsy.get(token, f"/shops/{etsy.shop_id}/listings", includes="Variations")

    inventory = etsy.get(token, f"/listings/{listing['listing_id']}/inventory").json()
    assert listed["results"][0]["inventory"] == one["inventory"] == inventory
    assert "inventory" not in plain
    assert unknown.status_code == 400 and '"includes"' in unknown.json()["error"]
