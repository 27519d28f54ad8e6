"""The control API: bad input is named, orders are placed with what a test gives, and the record of API
calls shows who called (the proof that nothing calls a shop after disconnecting)."""

from printbridge_sandbox.shopify.testing import SHOP, Sandbox


def test_bad_order_input_gets_problem_json_naming_the_field(sandbox: Sandbox) -> None:
    response = sandbox.http.post(
        f"/_sandbox/shopify/shops/{SHOP}/orders",
        json={"line_items": [{"title": "Poster", "price": "-1", "quantity": 1}]},
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert ["body", "line_items", "0", "price"] in [error["loc"] for error in response.json()["errors"]]


def test_an_order_of_a_variant_takes_sku_title_and_price_from_the_product(sandbox: Sandbox) -> None:
    product = sandbox.control(
        "POST",
        f"/shops/{SHOP}/products",
        json={"title": "Mug", "variants": [{"title": "White", "sku": "MUG-W", "price": "12.50"}]},
    )
    variant_id = product["variants"][0]["id"]

    order = sandbox.control(
        "POST", f"/shops/{SHOP}/orders", json={"line_items": [{"variant_id": variant_id, "quantity": 3}]}
    )

    [line] = order["line_items"]
    assert (line["sku"], line["title"], line["variant_title"], line["price"]) == (
        "MUG-W",
        "Mug",
        "White",
        "12.50",
    )
    assert line["product_id"] == product["id"] and order["total_price"] == "37.50"
    assert order["name"] == "#1001" and order["order_number"] == 1001


def test_unknown_shop_is_404(sandbox: Sandbox) -> None:
    response = sandbox.http.get("/_sandbox/shopify/shops/nobody.myshopify.com/orders/1")
    assert response.status_code == 404


def test_cancelling_twice_is_a_conflict(sandbox: Sandbox) -> None:
    order = sandbox.place_order()
    sandbox.control("POST", f"/shops/{SHOP}/orders/{order['id']}/cancel")

    again = sandbox.http.post(f"/_sandbox/shopify/shops/{SHOP}/orders/{order['id']}/cancel")

    assert again.status_code == 409


def test_calls_record_who_called_and_none_come_after_uninstall_unless_made(sandbox: Sandbox) -> None:
    token = sandbox.install()["access_token"]
    sandbox.data(token, "{ shop { id } }")
    calls = sandbox.control("GET", f"/shops/{SHOP}/calls")
    assert [(c["path"].rsplit("/", 1)[-1], c["status"]) for c in calls] == [
        ("authorize", 302),
        ("access_token", 200),
        ("graphql.json", 200),
    ]
    assert calls[2]["client_id"] == sandbox.client_id and calls[2]["has_access_token"] is True

    sandbox.control("POST", f"/shops/{SHOP}/actions/uninstall")

    assert sandbox.control("GET", f"/shops/{SHOP}/calls?since=3") == []


def test_settings_changed_by_a_test_come_back_on_reset(sandbox: Sandbox) -> None:
    changed = sandbox.control("PATCH", "/settings", json={"restore_rate": 5})
    assert changed["restore_rate"] == 5

    sandbox.control("POST", "/reset")

    assert sandbox.control("PATCH", "/settings", json={})["restore_rate"] == 50
