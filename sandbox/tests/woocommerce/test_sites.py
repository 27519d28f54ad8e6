"""A site as a client first meets it: discovery, the REST index, plain WordPress without WooCommerce,
HTTPS redirects, a host that fails on demand, and the record of calls it received."""

import asyncio
import time
from typing import Any

import httpx

CONTROL = "/_sandbox/woocommerce"


async def test_the_home_page_advertises_the_rest_api(https: httpx.AsyncClient, shop: Any) -> None:
    home = await https.get(shop.url + "/")

    assert home.status_code == 200
    assert home.links["https://api.w.org/"]["url"] == f"{shop.url}/wp-json/"


async def test_the_rest_index_of_a_woocommerce_site_lists_wc_v3(https: httpx.AsyncClient, shop: Any) -> None:
    index = await https.get(f"{shop.url}/wp-json/")

    assert index.status_code == 200
    assert "wc/v3" in index.json()["namespaces"]
    assert index.json()["home"] == shop.url
    assert "/wc/v3/orders" in index.json()["routes"]


async def test_plain_wordpress_has_no_wc_namespace_and_no_wc_routes(
    https: httpx.AsyncClient, new_shop: Any
) -> None:
    blog = await new_shop(woocommerce=False)

    index = await https.get(f"{blog.url}/wp-json/")
    orders = await https.get(f"{blog.api}/orders", auth=(blog.consumer_key, blog.consumer_secret))

    assert index.status_code == 200
    assert not [namespace for namespace in index.json()["namespaces"] if namespace.startswith("wc")]
    assert orders.status_code == 404
    assert orders.json()["code"] == "rest_no_route"


async def test_deactivating_woocommerce_takes_the_wc_routes_away(https: httpx.AsyncClient, shop: Any) -> None:
    auth = (shop.consumer_key, shop.consumer_secret)
    before = await https.get(f"{shop.api}/orders", auth=auth)

    await https.put(f"{CONTROL}/sites/{shop.slug}/misbehaviour", json={"woocommerce": False})
    after = await https.get(f"{shop.api}/orders", auth=auth)

    assert before.status_code == 200
    assert after.json()["code"] == "rest_no_route"


async def test_an_unknown_route_or_method_is_rest_no_route(https: httpx.AsyncClient, shop: Any) -> None:
    auth = (shop.consumer_key, shop.consumer_secret)

    unknown = await https.get(f"{shop.api}/shipments", auth=auth)
    wrong_method = await https.delete(f"{shop.api}/orders", auth=auth)

    assert (unknown.status_code, unknown.json()["code"]) == (404, "rest_no_route")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (404, "rest_no_route")


async def test_an_https_site_redirects_plain_http_to_https(http: httpx.AsyncClient, shop: Any) -> None:
    plain_url = shop.api.replace("https://127.0.0.1:9443", "http://127.0.0.1:9102")

    answer = await http.get(f"{plain_url}/orders?per_page=5")

    assert answer.status_code == 301
    assert answer.headers["location"] == f"{shop.api}/orders?per_page=5"


async def test_the_plain_permalink_route_form_works(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(
        shop.url + "/", params={"rest_route": "/wc/v3/orders"}, auth=(shop.consumer_key, shop.consumer_secret)
    )

    assert answer.status_code == 200
    assert answer.headers["X-WP-Total"] == "0"


async def test_oauth1_signs_the_home_url_for_the_plain_permalink_form(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    params = sign(
        "GET",
        plain_shop.url + "/",
        {"rest_route": "/wc/v3/orders"},
        plain_shop.consumer_key,
        plain_shop.consumer_secret,
    )

    answer = await http.get(plain_shop.url + "/", params=params)

    assert answer.status_code == 200, answer.text


async def test_the_next_calls_fail_with_429_then_the_site_recovers(
    https: httpx.AsyncClient, shop: Any
) -> None:
    auth = (shop.consumer_key, shop.consumer_secret)
    await https.put(
        f"{CONTROL}/sites/{shop.slug}/misbehaviour",
        json={"fail_next_calls": 2, "fail_status": 429, "retry_after_s": 30},
    )

    first, second, third = [await https.get(f"{shop.api}/orders", auth=auth) for _ in range(3)]

    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["retry-after"] == "30"


async def test_a_500_is_wordpress_critical_error_json(https: httpx.AsyncClient, shop: Any) -> None:
    await https.put(
        f"{CONTROL}/sites/{shop.slug}/misbehaviour", json={"fail_next_calls": 1, "fail_status": 500}
    )

    answer = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))

    assert answer.status_code == 500
    assert answer.json()["code"] == "internal_server_error"


async def test_a_site_that_is_down_answers_502_until_it_is_up(https: httpx.AsyncClient, shop: Any) -> None:
    misbehave = f"{CONTROL}/sites/{shop.slug}/misbehaviour"
    auth = (shop.consumer_key, shop.consumer_secret)

    await https.put(misbehave, json={"reachability": "down"})
    down = await https.get(f"{shop.api}/orders", auth=auth)
    await https.put(misbehave, json={"reachability": "up"})
    up = await https.get(f"{shop.api}/orders", auth=auth)

    assert down.status_code == 502
    assert "text/html" in down.headers["content-type"]
    assert up.status_code == 200


async def test_calls_are_recorded_per_site_with_secrets_redacted(
    https: httpx.AsyncClient, shop: Any, new_shop: Any
) -> None:
    other = await new_shop()
    await https.get(
        f"{shop.api}/orders",
        params={"consumer_key": shop.consumer_key, "consumer_secret": shop.consumer_secret},
    )
    await https.get(f"{shop.api}/products", auth=(shop.consumer_key, shop.consumer_secret))

    calls = (await https.get(f"{CONTROL}/sites/{shop.slug}/calls")).json()
    later = (
        await https.get(f"{CONTROL}/sites/{shop.slug}/calls", params={"after": calls[0]["number"]})
    ).json()
    others = (await https.get(f"{CONTROL}/sites/{other.slug}/calls")).json()

    assert [(call["method"], call["path"], call["status"]) for call in calls] == [
        ("GET", "/sites/acme/wp-json/wc/v3/orders", 200),
        ("GET", "/sites/acme/wp-json/wc/v3/products", 200),
    ]
    assert shop.consumer_secret not in calls[0]["query"]
    assert (calls[0]["auth"], calls[1]["auth"]) == ("query", "basic")
    assert [call["path"] for call in later] == ["/sites/acme/wp-json/wc/v3/products"]
    assert others == []


async def test_system_status_reports_the_woocommerce_environment(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(f"{shop.api}/system_status", auth=(shop.consumer_key, shop.consumer_secret))

    status = answer.json()
    assert status["environment"]["home_url"] == shop.url
    assert status["environment"]["version"]
    assert status["settings"]["currency"] == "EUR"


async def test_a_taken_slug_is_a_conflict_and_an_unknown_zone_invalid_both_naming_the_field(
    https: httpx.AsyncClient, shop: Any
) -> None:
    taken = await https.post(f"{CONTROL}/sites", json={"slug": shop.slug})
    zone = await https.post(f"{CONTROL}/sites", json={"timezone": "Mars/Olympus"})

    assert taken.status_code == 409
    assert taken.json()["errors"][0]["loc"] == ["body", "slug"]
    assert zone.status_code == 422
    assert zone.json()["errors"][0]["loc"][-1] == "timezone"


async def test_reset_forgets_every_site(https: httpx.AsyncClient, shop: Any) -> None:
    reset = await https.post(f"{CONTROL}/reset")
    sites = await https.get(f"{CONTROL}/sites")
    home = await https.get(shop.url + "/")

    assert reset.status_code == 204
    assert sites.json() == []
    assert home.status_code == 404


async def test_a_hanging_site_holds_the_request_until_it_is_reachable_again(
    https: httpx.AsyncClient, shop: Any
) -> None:
    misbehave = f"{CONTROL}/sites/{shop.slug}/misbehaviour"
    await https.put(misbehave, json={"reachability": "hang"})
    held = asyncio.create_task(
        https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))
    )
    await asyncio.sleep(0)  # let the request start (no time passes)

    assert not held.done()
    await https.put(misbehave, json={"reachability": "up"})
    answer = await asyncio.wait_for(held, 5)

    assert answer.status_code == 504


async def test_a_body_that_is_not_json_is_rest_invalid_json(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.post(
        f"{shop.api}/webhooks",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
        auth=(shop.consumer_key, shop.consumer_secret),
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "rest_invalid_json"


async def test_a_slow_site_answers_after_the_delay(https: httpx.AsyncClient, shop: Any) -> None:
    await https.put(f"{CONTROL}/sites/{shop.slug}/misbehaviour", json={"response_delay_s": 0.2})

    started = time.monotonic()
    answer = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))

    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.2


async def test_with_plain_permalinks_the_api_lives_at_rest_route_only(
    https: httpx.AsyncClient, new_shop: Any, an_order: Any
) -> None:
    plain = await new_shop(pretty_permalinks=False)
    for _ in range(3):
        await https.post(f"{CONTROL}/sites/{plain.slug}/orders", json=an_order())
    auth = (plain.consumer_key, plain.consumer_secret)

    pretty = await https.get(f"{plain.api}/orders", auth=auth)
    api_root = (await https.get(plain.url + "/")).links["https://api.w.org/"]["url"]
    index = await https.get(api_root)
    first = await https.get(
        f"{plain.url}/index.php", params={"rest_route": "/wc/v3/orders", "per_page": 2}, auth=auth
    )
    second = await https.get(first.links["next"]["url"], auth=auth)

    assert pretty.status_code == 404
    assert "text/html" in pretty.headers["content-type"]
    assert api_root.startswith(f"{plain.url}/index.php?rest_route=")
    assert "wc/v3" in index.json()["namespaces"]
    assert len(first.json()) == 2
    assert first.links["next"]["url"].startswith(f"{plain.url}/index.php?rest_route=")
    assert len(second.json()) == 1


async def test_a_host_that_strips_authorization_leaves_only_query_credentials(
    https: httpx.AsyncClient, shop: Any
) -> None:
    await https.put(f"{CONTROL}/sites/{shop.slug}/misbehaviour", json={"strip_authorization": True})
    credentials = {"consumer_key": shop.consumer_key, "consumer_secret": shop.consumer_secret}

    basic = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))
    query = await https.get(f"{shop.api}/orders", params=credentials)

    assert basic.status_code == 401
    assert basic.json()["code"] == "woocommerce_rest_cannot_view"
    assert query.status_code == 200
