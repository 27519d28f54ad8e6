"""The connector's decisions against a stand-in transport: what it asks the shop, and what each answer
means for a connect or a connected store."""

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from connectors.config import Settings
from connectors.platforms.base import ConnectRefused, PlatformContext, PlatformProblem, StoreRef
from connectors.platforms.woocommerce.connector import WooCommerceConnector
from connectors.platforms.woocommerce.schemas import WooCommerceConnect
from printbridge_shared.events.contracts import Platform, StoreStatus

TOPICS = [
    "order.created",
    "order.updated",
    "order.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
]

SITE = "https://shop.example"
STORE = StoreRef(uuid.uuid4(), uuid.uuid4(), Platform.woocommerce, SITE, "Shop")
CREDENTIALS = {"consumer_key": "ck", "consumer_secret": "cs", "webhook_secret": "whsec", "webhook_ids": {}}
INDEX = {"name": "Shop", "namespaces": ["wp/v2", "wc/v3"]}


def context(handler: Callable[[httpx.Request], httpx.Response], tmp_path: Path) -> PlatformContext:
    settings = Settings(public_url="https://printbridge.example", data_dir=tmp_path)
    return PlatformContext(settings=settings, http=httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def error(status: int, code: str, message: str = "no") -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "data": {"status": status}})


async def test_a_registration_failing_half_way_removes_the_webhooks_it_made(tmp_path: Path) -> None:
    created: list[int] = []
    deleted: list[str] = []

    def shop(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/wp-json/":
            return httpx.Response(200, json=INDEX)
        if path == "/wp-json/wc/v3/orders":
            return httpx.Response(200, json=[])
        if path == "/wp-json/wc/v3/webhooks" and request.method == "POST":
            if len(created) == 2:
                return error(400, "woocommerce_rest_webhook_delivery_failed", "returned response code: 500")
            created.append(len(created) + 1)
            return httpx.Response(201, json={"id": created[-1], "status": "active"})
        if request.method == "DELETE":
            assert request.url.params["force"] == "true"
            deleted.append(path.rsplit("/", 1)[-1])
            return httpx.Response(200, json={})
        return httpx.Response(404)

    request = WooCommerceConnect(
        platform="woocommerce", url=SITE, consumer_key=SecretStr("ck"), consumer_secret=SecretStr("cs")
    )
    with pytest.raises(ConnectRefused) as refused:
        await WooCommerceConnector().connect(context(shop, tmp_path), uuid.uuid4(), request)
    assert refused.value.code == "webhook-refused"
    assert deleted == ["1", "2"]


async def test_polling_asks_for_orders_modified_since_the_watermark_in_gmt_by_id(tmp_path: Path) -> None:
    asked: list[dict[str, str]] = []

    def shop(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        return httpx.Response(200, json=[], headers={"X-WP-TotalPages": "0"})

    since = dt.datetime(2026, 11, 30, 7, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    versions = [
        v
        async for v in WooCommerceConnector().fetch_orders(context(shop, tmp_path), STORE, CREDENTIALS, since)
    ]
    assert versions == []
    listing = {
        "orderby": "id",
        "order": "asc",
        "modified_after": "2026-11-30T06:15:30",
        "dates_are_gmt": "true",
        "per_page": "100",
        "page": "1",
    }
    assert asked == [listing, {**listing, "status": "trash"}]  # `any` leaves trashed orders out

    asked.clear()
    assert [
        v
        async for v in WooCommerceConnector().fetch_orders(context(shop, tmp_path), STORE, CREDENTIALS, None)
    ] == []
    assert asked == [{"orderby": "id", "order": "asc", "per_page": "100", "page": "1"}]


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (
            error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid."),
            "auth_error",
            "key_revoked",
        ),
        (error(403, "woocommerce_rest_cannot_view"), "permission_missing", "orders_forbidden"),
        (error(404, "rest_no_route"), "unreachable", "api_missing"),
    ],
)
async def test_what_a_refusal_while_polling_means_for_the_store(
    answer: httpx.Response, status: str, code: str, tmp_path: Path
) -> None:
    with pytest.raises(PlatformProblem) as problem:
        async for _ in WooCommerceConnector().fetch_orders(
            context(lambda request: answer, tmp_path), STORE, CREDENTIALS, None
        ):
            pass
    assert (problem.value.status, problem.value.code) == (StoreStatus(status), code)
    assert problem.value.fix


async def test_a_key_that_lost_write_permission_shows_when_webhooks_must_be_recreated(tmp_path: Path) -> None:
    def shop(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[], headers={"X-WP-TotalPages": "1"})
        return error(
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.",
        )

    with pytest.raises(PlatformProblem) as problem:
        await WooCommerceConnector().ensure_webhooks(context(shop, tmp_path), STORE, CREDENTIALS)
    assert (problem.value.status, problem.value.code) == (StoreStatus.permission_missing, "key_read_only")


async def test_an_order_the_shop_no_longer_has_is_none_and_an_unrouted_api_is_a_problem(
    tmp_path: Path,
) -> None:
    connector = WooCommerceConnector()
    gone = context(
        lambda request: error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."), tmp_path
    )
    assert await connector.fetch_order(gone, STORE, CREDENTIALS, "7231") is None
    unrouted = context(lambda request: error(404, "rest_no_route"), tmp_path)
    with pytest.raises(PlatformProblem, match="REST API"):
        await connector.fetch_order(unrouted, STORE, CREDENTIALS, "7231")


async def test_webhooks_that_are_all_active_need_no_change(tmp_path: Path) -> None:
    methods: list[str] = []

    def shop(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        url = f"https://printbridge.example/v1/webhooks/woocommerce/{STORE.id}"
        topics = TOPICS
        ours = [
            {"id": n, "topic": t, "status": "active", "delivery_url": url} for n, t in enumerate(topics, 1)
        ]
        theirs = {
            "id": 99,
            "topic": "order.created",
            "status": "disabled",
            "delivery_url": "https://other.example",
        }
        return httpx.Response(200, json=[*ours, theirs], headers={"X-WP-TotalPages": "1"})

    shop_context = context(shop, tmp_path)
    credentials = {**CREDENTIALS, "webhook_ids": {}}
    updated = await WooCommerceConnector().ensure_webhooks(shop_context, STORE, credentials)
    assert methods == ["GET"]  # someone else's disabled webhook is not ours to touch
    assert updated["webhook_ids"] == {topic: n for n, topic in enumerate(TOPICS, 1)}
    assert await WooCommerceConnector().ensure_webhooks(shop_context, STORE, updated) is updated
