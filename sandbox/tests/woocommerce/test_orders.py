"""Orders and products as a client reads them: WooCommerce's JSON shape, paging headers, filters."""

from typing import Any

import httpx

CONTROL = "/_sandbox/woocommerce"


async def place(client: httpx.AsyncClient, shop: Any, order: dict[str, Any]) -> dict[str, Any]:
    placed = await client.post(f"{CONTROL}/sites/{shop.slug}/orders", json=order)
    assert placed.status_code == 201, placed.text
    return placed.json()


async def test_an_order_has_woocommerces_shape(https: httpx.AsyncClient, shop: Any, an_order: Any) -> None:
    placed = await place(https, shop, an_order())

    answer = await https.get(
        f"{shop.api}/orders/{placed['id']}", auth=(shop.consumer_key, shop.consumer_secret)
    )

    order = answer.json()
    assert answer.status_code == 200
    assert isinstance(order["id"], int)
    assert order["number"] == str(order["id"])
    assert order["status"] == "processing"
    assert order["currency"] == "EUR"
    assert (order["total"], order["shipping_total"], order["total_tax"]) == ("84.90", "4.90", "0.00")
    assert order["billing"]["email"] == "anna@example.com"
    assert order["shipping"]["address_1"] == "Hauptstr. 12"
    assert order["date_created_gmt"] == order["date_modified_gmt"]
    assert order["date_paid_gmt"] is not None
    [item] = order["line_items"]
    assert (item["sku"], item["quantity"], item["price"], item["subtotal"], item["total"]) == (
        "BC-350",
        2,
        40,
        "80.00",
        "80.00",
    )
    [meta] = item["meta_data"]
    assert meta["key"] == "pa_finish"
    assert (meta["value"], meta["display_key"], meta["display_value"]) == ("matte", "Finish", "matte")
    assert isinstance(meta["id"], int)


async def test_dates_are_in_the_site_zone_and_gmt(
    https: httpx.AsyncClient, new_shop: Any, an_order: Any
) -> None:
    berlin = await new_shop(timezone="Europe/Berlin")

    placed = await place(https, berlin, an_order(date_created_gmt="2026-01-15T09:00:00Z"))

    assert placed["date_created_gmt"] == "2026-01-15T09:00:00"
    assert placed["date_created"] == "2026-01-15T10:00:00"


async def test_orders_are_paged_with_total_headers_and_links(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    for _ in range(25):
        await place(https, shop, an_order())
    auth = (shop.consumer_key, shop.consumer_secret)

    first = await https.get(
        f"{shop.api}/orders", params={"per_page": 10, "orderby": "id", "order": "asc"}, auth=auth
    )
    last = await https.get(
        f"{shop.api}/orders", params={"per_page": 10, "page": 3, "orderby": "id"}, auth=auth
    )

    assert first.headers["X-WP-Total"] == "25"
    assert first.headers["X-WP-TotalPages"] == "3"
    assert len(first.json()) == 10
    ids = [order["id"] for order in first.json()]
    assert ids == sorted(ids)
    assert set(first.links) == {"next", "https://api.w.org/"}
    assert "page=2" in first.links["next"]["url"]
    assert first.links["next"]["url"].startswith(f"{shop.api}/orders?")
    assert len(last.json()) == 5
    assert set(last.links) == {"prev", "https://api.w.org/"}


async def test_following_the_next_links_reaches_every_order_once(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = {(await place(https, shop, an_order()))["id"] for _ in range(7)}
    auth = (shop.consumer_key, shop.consumer_secret)

    seen: list[int] = []
    url: str | None = f"{shop.api}/orders?per_page=3"
    while url:
        page = await https.get(url, auth=auth)
        seen += [order["id"] for order in page.json()]
        url = page.links.get("next", {}).get("url")

    assert sorted(seen) == sorted(placed)


async def test_per_page_above_100_is_an_invalid_parameter(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(
        f"{shop.api}/orders", params={"per_page": 101}, auth=(shop.consumer_key, shop.consumer_secret)
    )

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "rest_invalid_param"
    assert "per_page" in body["data"]["params"]


async def test_modified_after_in_gmt_returns_only_later_changes(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    old = await place(https, shop, an_order(date_created_gmt="2026-01-01T08:00:00Z"))
    changed = await place(https, shop, an_order(date_created_gmt="2026-01-01T08:00:00Z"))
    await https.patch(
        f"{CONTROL}/sites/{shop.slug}/orders/{changed['id']}",
        json={"status": "completed", "date_modified_gmt": "2026-01-02T12:00:00Z"},
    )
    auth = (shop.consumer_key, shop.consumer_secret)

    answer = await https.get(
        f"{shop.api}/orders",
        params={"modified_after": "2026-01-02T00:00:00", "dates_are_gmt": "true", "orderby": "modified"},
        auth=auth,
    )

    assert [order["id"] for order in answer.json()] == [changed["id"]]
    assert old["id"] != changed["id"]


async def test_status_filter_and_trash_left_out_of_any(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    pending = await place(https, shop, an_order(status="pending"))
    processing = await place(https, shop, an_order())
    trashed = await place(https, shop, an_order())
    await https.delete(f"{CONTROL}/sites/{shop.slug}/orders/{trashed['id']}")
    auth = (shop.consumer_key, shop.consumer_secret)

    only_pending = await https.get(f"{shop.api}/orders", params={"status": "pending"}, auth=auth)
    every = await https.get(f"{shop.api}/orders", auth=auth)
    bad = await https.get(f"{shop.api}/orders", params={"status": "shipped"}, auth=auth)

    assert [order["id"] for order in only_pending.json()] == [pending["id"]]
    assert {order["id"] for order in every.json()} == {pending["id"], processing["id"]}
    assert bad.status_code == 400


async def test_an_unknown_order_is_404_invalid_id(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(f"{shop.api}/orders/999999", auth=(shop.consumer_key, shop.consumer_secret))

    assert answer.status_code == 404
    assert answer.json() == {
        "code": "woocommerce_rest_shop_order_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }


async def test_a_client_can_complete_an_order_and_add_a_note(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    placed = await place(https, shop, an_order())
    auth = (shop.consumer_key, shop.consumer_secret)

    updated = await https.put(f"{shop.api}/orders/{placed['id']}", json={"status": "completed"}, auth=auth)
    note = await https.post(
        f"{shop.api}/orders/{placed['id']}/notes",
        json={"note": "Shipped with DHL", "customer_note": True},
        auth=auth,
    )
    missing_note = await https.post(f"{shop.api}/orders/{placed['id']}/notes", json={}, auth=auth)

    assert updated.json()["status"] == "completed"
    assert updated.json()["date_completed_gmt"] is not None
    assert note.status_code == 201
    assert note.json()["customer_note"] is True
    assert missing_note.status_code == 400
    assert missing_note.json()["code"] == "rest_missing_callback_param"


async def test_line_items_take_sku_and_price_from_the_catalogue(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    product = await https.post(
        f"{CONTROL}/sites/{shop.slug}/products",
        json={
            "name": "Poster",
            "type": "variable",
            "attributes": [{"name": "Size", "options": ["A3", "A2"]}],
            "variations": [
                {
                    "sku": "POSTER-A3",
                    "regular_price": "12.50",
                    "attributes": [{"name": "Size", "option": "A3"}],
                },
                {
                    "sku": "POSTER-A2",
                    "regular_price": "19.00",
                    "attributes": [{"name": "Size", "option": "A2"}],
                },
            ],
        },
    )
    a2 = product.json()["variations"][1]

    placed = await place(https, shop, an_order(line_items=[{"variation_id": a2, "quantity": 3}]))

    [item] = placed["line_items"]
    assert (item["product_id"], item["variation_id"], item["sku"]) == (product.json()["id"], a2, "POSTER-A2")
    assert (item["name"], item["parent_name"], item["total"]) == ("Poster - A2", "Poster", "57.00")


async def test_products_and_variations_are_listed_with_paging(https: httpx.AsyncClient, shop: Any) -> None:
    for number in range(3):
        await https.post(
            f"{CONTROL}/sites/{shop.slug}/products",
            json={"name": f"Flyer {number}", "sku": f"FLY-{number}", "regular_price": "9.90"},
        )
    variable = await https.post(
        f"{CONTROL}/sites/{shop.slug}/products",
        json={
            "name": "Mug",
            "type": "variable",
            "variations": [{"sku": "MUG-W", "regular_price": "8"}, {"sku": "MUG-B", "regular_price": "9"}],
        },
    )
    auth = (shop.consumer_key, shop.consumer_secret)

    page = await https.get(f"{shop.api}/products", params={"per_page": 2}, auth=auth)
    by_sku = await https.get(f"{shop.api}/products", params={"sku": "FLY-1"}, auth=auth)
    variations = await https.get(f"{shop.api}/products/{variable.json()['id']}/variations", auth=auth)

    assert page.headers["X-WP-Total"] == "4"
    assert page.headers["X-WP-TotalPages"] == "2"
    assert [product["sku"] for product in by_sku.json()] == ["FLY-1"]
    assert {variation["sku"] for variation in variations.json()} == {"MUG-W", "MUG-B"}
    assert variations.headers["X-WP-Total"] == "2"


async def test_control_api_names_the_bad_field_in_problem_json(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.post(f"{CONTROL}/sites/{shop.slug}/orders", json={"line_items": [{"quantity": 0}]})

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(error["loc"][-1] == "quantity" for error in answer.json()["errors"])


async def test_date_filters_are_read_in_the_sites_zone_unless_gmt(
    https: httpx.AsyncClient, new_shop: Any, an_order: Any
) -> None:
    berlin = await new_shop(timezone="Europe/Berlin")
    placed = await place(https, berlin, an_order(date_created_gmt="2026-01-15T09:30:00Z"))  # 10:30 in Berlin
    auth = (berlin.consumer_key, berlin.consumer_secret)

    local = await https.get(f"{berlin.api}/orders", params={"after": "2026-01-15T10:00:00"}, auth=auth)
    gmt = await https.get(
        f"{berlin.api}/orders", params={"after": "2026-01-15T10:00:00", "dates_are_gmt": "1"}, auth=auth
    )
    bad = await https.get(f"{berlin.api}/orders", params={"after": "yesterday"}, auth=auth)

    assert [order["id"] for order in local.json()] == [placed["id"]]
    assert gmt.json() == []
    assert bad.status_code == 400
    assert bad.json()["data"]["params"] == {"after": "Invalid date."}


async def test_offset_skips_orders_and_search_finds_by_email(
    https: httpx.AsyncClient, shop: Any, an_order: Any
) -> None:
    first = await place(https, shop, an_order())
    second = await place(
        https, shop, an_order(billing={"first_name": "Ben", "email": "ben@example.org", "country": "AT"})
    )
    auth = (shop.consumer_key, shop.consumer_secret)

    skipped = await https.get(
        f"{shop.api}/orders", params={"orderby": "id", "order": "asc", "offset": 1}, auth=auth
    )
    found = await https.get(f"{shop.api}/orders", params={"search": "ben@example"}, auth=auth)

    assert [order["id"] for order in skipped.json()] == [second["id"]]
    assert skipped.headers["X-WP-Total"] == "2"
    assert [order["id"] for order in found.json()] == [second["id"]]
    assert first["id"] != second["id"]
