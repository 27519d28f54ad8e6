"""The REST client against a stand-in transport: authentication per scheme, paging, 429 and failures."""

import base64
import datetime as dt
import hashlib
import hmac

import httpx
import pytest

from connectors.platforms.base import PlatformUnavailable, retry_after_seconds
from connectors.platforms.woocommerce import oauth1
from connectors.platforms.woocommerce.client import WooApiError, WooClient


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def client_for(handler, site: str = "https://shop.example", **options) -> WooClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return WooClient(http, site, "ck_key", "cs_secret", **options)


async def test_pages_are_read_100_at_a_time_until_x_wp_totalpages() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        page = int(params["page"])
        items = [{"id": page * 1000 + i} for i in range(100 if page < 3 else 7)]
        return httpx.Response(200, json=items, headers={"X-WP-Total": "207", "X-WP-TotalPages": "3"})

    pages = [page async for page in client_for(handler).pages("orders", {"orderby": "id"})]

    assert [len(page) for page in pages] == [100, 100, 7]
    assert [p["page"] for p in seen] == ["1", "2", "3"]
    assert all(p["per_page"] == "100" and p["orderby"] == "id" for p in seen)


async def test_without_total_pages_a_short_page_is_the_last() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json=[{"id": 1}] * (100 if calls == 1 else 3))

    pages = [page async for page in client_for(handler).pages("webhooks")]
    assert [len(page) for page in pages] == [100, 3]


async def test_https_uses_basic_auth_with_the_key_pair() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/shop/wp-json/wc/v3/orders"
        expected = base64.b64encode(b"ck_key:cs_secret").decode()
        assert request.headers["Authorization"] == f"Basic {expected}"
        assert "oauth_signature" not in request.url.params
        return httpx.Response(200, json=[])

    await client_for(handler, "https://shop.example/shop").send("GET", "orders")


async def test_plain_http_signs_each_request_with_oauth1_and_no_authorization_header() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        params = list(request.url.params.multi_items())
        given = dict(params)["oauth_signature"]
        unsigned = [(k, v) for k, v in params if k != "oauth_signature"]
        base = oauth1.signature_base_string(request.method, request.url, unsigned)
        expected = base64.b64encode(hmac.new(b"cs_secret&", base.encode(), hashlib.sha256).digest()).decode()
        assert given == expected
        assert dict(params)["modified_after"] == "2025-01-01T00:00:00"
        return httpx.Response(200, json=[])

    client = client_for(handler, "http://127.0.0.1:8080")
    await client.send("GET", "orders", {"modified_after": "2025-01-01T00:00:00", "dates_are_gmt": True})


async def test_429_is_waited_out_as_retry_after_says() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(429),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    waits = Waits()
    client = client_for(lambda request: next(answers), sleep=waits)
    assert (await client.get_json("system_status")) == {"ok": True}
    assert waits.seconds == [2.0, 1.0]


async def test_429_beyond_patience_is_unavailable_with_the_shops_wish() -> None:
    waits = Waits()
    client = client_for(lambda request: httpx.Response(429, headers={"Retry-After": "600"}), sleep=waits)
    with pytest.raises(PlatformUnavailable) as unavailable:
        await client.send("GET", "orders")
    assert unavailable.value.retry_after == 600.0
    assert waits.seconds == []

    endless = client_for(lambda request: httpx.Response(429, headers={"Retry-After": "1"}), sleep=waits)
    with pytest.raises(PlatformUnavailable):
        await endless.send("GET", "orders")
    assert waits.seconds == [1.0, 1.0, 1.0]


def test_retry_after_may_be_an_http_date() -> None:
    now = dt.datetime(2026, 11, 30, 6, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("Mon, 30 Nov 2026 06:00:09 GMT", default=1.0, now=now) == 9.0
    assert retry_after_seconds("soon", default=1.0, now=now) == 1.0


async def test_server_errors_and_timeouts_are_unavailable_and_4xx_are_api_errors() -> None:
    with pytest.raises(PlatformUnavailable, match="503"):
        await client_for(lambda request: httpx.Response(503)).send("GET", "orders")

    def times_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(PlatformUnavailable, match="in time"):
        await client_for(times_out).send("GET", "orders")

    def refuses(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(PlatformUnavailable, match="cannot be reached"):
        await client_for(refuses).send("GET", "orders")

    body = {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer secret is invalid.",
        "data": {},
    }
    with pytest.raises(WooApiError) as error:
        await client_for(lambda request: httpx.Response(401, json=body)).send("GET", "orders")
    assert (error.value.status, error.value.code) == (401, "woocommerce_rest_authentication_error")
