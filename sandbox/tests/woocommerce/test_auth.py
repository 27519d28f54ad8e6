"""Who may call a site: Basic/query credentials over HTTPS only, OAuth 1.0a over plain HTTP, the key's
permissions, and WooCommerce's error answers."""

import time
from typing import Any
from urllib.parse import quote

import httpx

CONTROL = "/_sandbox/woocommerce"


async def test_basic_auth_with_consumer_key_and_secret_works_over_https(
    https: httpx.AsyncClient, shop: Any
) -> None:
    answer = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))

    assert answer.status_code == 200, answer.text
    assert answer.json() == []


async def test_query_string_credentials_work_over_https(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(
        f"{shop.api}/orders",
        params={"consumer_key": shop.consumer_key, "consumer_secret": shop.consumer_secret},
    )

    assert answer.status_code == 200, answer.text


async def test_basic_auth_over_plain_http_is_ignored_so_the_caller_is_nobody(
    http: httpx.AsyncClient, plain_shop: Any
) -> None:
    answer = await http.get(
        f"{plain_shop.api}/orders", auth=(plain_shop.consumer_key, plain_shop.consumer_secret)
    )

    assert answer.status_code == 401
    assert answer.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }


async def test_query_string_credentials_over_plain_http_are_ignored(
    http: httpx.AsyncClient, plain_shop: Any
) -> None:
    credentials = {"consumer_key": plain_shop.consumer_key, "consumer_secret": plain_shop.consumer_secret}

    answer = await http.get(f"{plain_shop.api}/orders", params=credentials)

    assert answer.status_code == 401
    assert answer.json()["code"] == "woocommerce_rest_cannot_view"


async def test_wrong_consumer_secret_over_https_is_refused(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, "cs_wrong"))

    assert answer.status_code == 401
    assert answer.json()["code"] == "woocommerce_rest_authentication_error"
    assert answer.json()["message"] == "Consumer secret is invalid."


async def test_oauth1_hmac_sha1_signature_from_the_rfc_verifies_over_http(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    url = f"{plain_shop.api}/orders"
    params = sign("GET", url, {"per_page": "5"}, plain_shop.consumer_key, plain_shop.consumer_secret)

    answer = await http.get(url, params=params)

    assert answer.status_code == 200, answer.text


async def test_oauth1_hmac_sha256_signature_in_the_authorization_header_verifies(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    url = f"{plain_shop.api}/orders"
    signed = sign(
        "GET",
        url,
        {"status": "processing"},
        plain_shop.consumer_key,
        plain_shop.consumer_secret,
        signature_method="HMAC-SHA256",
    )
    oauth = {name: value for name, value in signed.items() if name.startswith("oauth_")}
    header = "OAuth " + ", ".join(f'{name}="{quote(value, safe="")}"' for name, value in oauth.items())

    answer = await http.get(url, params={"status": "processing"}, headers={"Authorization": header})

    assert answer.status_code == 200, answer.text


async def test_oauth1_signature_covers_the_query_parameters(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    url = f"{plain_shop.api}/orders"
    params = sign("GET", url, {"per_page": "5"}, plain_shop.consumer_key, plain_shop.consumer_secret)

    answer = await http.get(url, params={**params, "per_page": "100"})

    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid signature - provided signature does not match."


async def test_oauth1_signature_covers_the_path_and_method(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    params = sign(
        "GET", f"{plain_shop.api}/products", {}, plain_shop.consumer_key, plain_shop.consumer_secret
    )

    answer = await http.get(f"{plain_shop.api}/orders", params=params)

    assert answer.status_code == 401
    assert answer.json()["code"] == "woocommerce_rest_authentication_error"


async def test_oauth1_replayed_nonce_is_refused(http: httpx.AsyncClient, plain_shop: Any, sign: Any) -> None:
    url = f"{plain_shop.api}/orders"
    params = sign("GET", url, {}, plain_shop.consumer_key, plain_shop.consumer_secret)
    first = await http.get(url, params=params)

    replay = await http.get(url, params=params)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."


async def test_oauth1_timestamp_outside_15_minutes_is_refused(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    url = f"{plain_shop.api}/orders"
    stale = sign(
        "GET",
        url,
        {},
        plain_shop.consumer_key,
        plain_shop.consumer_secret,
        timestamp=int(time.time()) - 16 * 60,
    )

    answer = await http.get(url, params=stale)

    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid timestamp."


async def test_oauth1_unknown_consumer_key_and_missing_parameters_are_refused(
    http: httpx.AsyncClient, plain_shop: Any, sign: Any
) -> None:
    url = f"{plain_shop.api}/orders"
    unknown = await http.get(url, params=sign("GET", url, {}, "ck_nobody", plain_shop.consumer_secret))
    partial = await http.get(url, params={"oauth_consumer_key": plain_shop.consumer_key})

    assert unknown.status_code == 401
    assert unknown.json()["message"] == "Consumer key is invalid."
    assert partial.status_code == 401
    assert partial.json()["code"] == "woocommerce_rest_authentication_missing_parameter"
    assert "oauth_signature" in partial.json()["message"]


async def test_a_read_key_cannot_write_and_a_write_key_cannot_read(
    https: httpx.AsyncClient, new_shop: Any
) -> None:
    reader = await new_shop(permissions="read")
    writer_key = await https.post(f"{CONTROL}/sites/{reader.slug}/keys", json={"permissions": "write"})
    writer = (writer_key.json()["consumer_key"], writer_key.json()["consumer_secret"])
    hook = {"topic": "order.created", "delivery_url": "http://127.0.0.1:9/hooks"}

    write_with_read_key = await https.post(
        f"{reader.api}/webhooks", json=hook, auth=(reader.consumer_key, reader.consumer_secret)
    )
    read_with_write_key = await https.get(f"{reader.api}/orders", auth=writer)

    assert write_with_read_key.status_code == 401
    assert write_with_read_key.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "The API key provided does not have write permissions.",
        "data": {"status": 401},
    }
    assert read_with_write_key.status_code == 401
    assert read_with_write_key.json()["message"] == "The API key provided does not have read permissions."


async def test_nobody_creating_a_webhook_gets_cannot_create(https: httpx.AsyncClient, shop: Any) -> None:
    answer = await https.post(
        f"{shop.api}/webhooks", json={"topic": "order.created", "delivery_url": "http://x.test/"}
    )

    assert answer.status_code == 401
    assert answer.json()["code"] == "woocommerce_rest_cannot_create"


async def test_a_revoked_key_is_refused(https: httpx.AsyncClient, shop: Any) -> None:
    site = (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()
    key_id = site["keys"][0]["key_id"]
    before = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))

    revoked = await https.delete(f"{CONTROL}/sites/{shop.slug}/keys/{key_id}")
    after = await https.get(f"{shop.api}/orders", auth=(shop.consumer_key, shop.consumer_secret))

    assert before.status_code == 200
    assert revoked.status_code == 204
    assert after.status_code == 401
