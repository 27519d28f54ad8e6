"""The GraphQL client's rules (cost throttling, token refresh, failures) against scripted answers."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connectors.config import Settings
from connectors.platforms.base import (
    PlatformContext,
    PlatformProblem,
    PlatformUnavailable,
    retry_after_seconds,
)
from connectors.platforms.shopify.client import ShopifyClient, Throttle
from printbridge_shared.events.contracts import StoreStatus

SHOP = "acme.myshopify.com"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
QUERY = "{ shop { name } }"


def cost(requested: float, available: float, maximum: float = 1000.0, rate: float = 50.0) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def ok(available: float = 990.0, requested: float = 10.0) -> httpx.Response:
    return httpx.Response(
        200, json={"data": {"shop": {"name": "Acme"}}, "extensions": cost(requested, available)}
    )


def throttled(requested: float, available: float, rate: float = 50.0, status: int = 200) -> httpx.Response:
    body = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {"cost": {**cost(requested, available, rate=rate)["cost"], "actualQueryCost": None}},
    }
    return httpx.Response(status, json=body)


class Harness:
    """A client whose HTTP answers, clock and sleeps the test scripts."""

    def __init__(
        self, answers: list[Callable[[httpx.Request], httpx.Response] | httpx.Response], **credentials: Any
    ):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.slept: list[float] = []
        self.saved: list[dict[str, Any]] = []
        self.monotonic = 100.0
        self.now = NOW

        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            answer = self.answers.pop(0)
            return answer(request) if callable(answer) else answer

        async def save(new: dict[str, Any]) -> None:
            self.saved.append(new)

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)
            self.monotonic += seconds

        settings = Settings(
            shopify_client_id="cid", shopify_client_secret="secret", shopify_api_version="2026-10"
        )
        context = PlatformContext(
            settings=settings,
            http=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
            save_credentials=save,
        )
        self.client = ShopifyClient(
            context,
            SHOP,
            {"access_token": "shpat_old", "scope": "read_orders", **credentials},
            sleep=sleep,
            clock=lambda: self.monotonic,
            now=lambda: self.now,
        )

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


async def test_a_query_posts_to_the_versioned_graphql_endpoint_with_the_access_token():
    harness = Harness([ok()])
    assert await harness.client.graphql(QUERY, {"a": 1}) == {"shop": {"name": "Acme"}}
    (request,) = harness.requests
    assert str(request.url) == f"https://{SHOP}/admin/api/2026-10/graphql.json"
    assert request.headers["X-Shopify-Access-Token"] == "shpat_old"
    assert json.loads(request.content) == {"query": QUERY, "variables": {"a": 1}}
    assert harness.slept == []


def test_the_wait_is_what_the_bucket_lacks_at_its_restore_rate():
    throttle = Throttle(maximum=1000, available=100, restore_rate=50, seen_at=10.0)
    assert throttle.wait_for(300, now=10.0) == pytest.approx(4.0)
    assert throttle.wait_for(300, now=12.0) == pytest.approx(2.0)  # 100 more restored meanwhile
    assert throttle.wait_for(300, now=20.0) == 0.0
    assert throttle.wait_for(5000, now=10.0) == pytest.approx(18.0)  # never more than the bucket holds


async def test_after_an_answer_that_leaves_the_bucket_low_the_next_query_waits_until_it_refilled():
    harness = Harness([ok(available=20.0, requested=120.0), ok(available=900.0, requested=120.0)])
    await harness.client.graphql(QUERY)
    await harness.client.graphql(QUERY)
    assert harness.slept == [pytest.approx((120 - 20) / 50)]


async def test_a_throttled_answer_waits_as_its_numbers_say_and_retries():
    harness = Harness([throttled(requested=252, available=52, rate=100), ok()])
    assert await harness.client.graphql(QUERY) == {"shop": {"name": "Acme"}}
    assert harness.slept == [pytest.approx(2.0)]
    assert len(harness.requests) == 2


async def test_a_throttled_answer_with_status_429_is_handled_the_same():
    harness = Harness([throttled(requested=100, available=0, rate=50, status=429), ok()])
    await harness.client.graphql(QUERY)
    assert harness.slept == [pytest.approx(2.0)]


async def test_http_429_without_cost_waits_retry_after():
    harness = Harness([httpx.Response(429, headers={"Retry-After": "2.0"}), ok()])
    await harness.client.graphql(QUERY)
    assert harness.slept == [2.0]


async def test_endless_throttling_gives_up_as_unavailable():
    harness = Harness([throttled(requested=100, available=0) for _ in range(20)])
    with pytest.raises(PlatformUnavailable):
        await harness.client.graphql(QUERY)


async def test_5xx_is_retried_then_unavailable():
    harness = Harness([httpx.Response(503), httpx.Response(502), ok()])
    await harness.client.graphql(QUERY)
    assert len(harness.requests) == 3
    harness = Harness([httpx.Response(500)] * 3)
    with pytest.raises(PlatformUnavailable):
        await harness.client.graphql(QUERY)


async def test_an_unreachable_shop_is_a_problem_after_the_retries():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    harness = Harness([refuse, refuse, refuse])
    with pytest.raises(PlatformProblem) as problem:
        await harness.client.graphql(QUERY)
    assert (problem.value.status, problem.value.code) == (StoreStatus.unreachable, "shop_unreachable")
    assert len(harness.requests) == 3


def refreshed(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/admin/oauth/access_token"
    assert json.loads(request.content) == {
        "client_id": "cid",
        "client_secret": "secret",
        "grant_type": "refresh_token",
        "refresh_token": "shprt_old",
    }
    return httpx.Response(
        200,
        json={
            "access_token": "shpat_new",
            "scope": "read_orders",
            "expires_in": 3600,
            "refresh_token": "shprt_new",
            "refresh_token_expires_in": 7776000,
        },
    )


def with_token(expected: str) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Shopify-Access-Token"] == expected
        return ok()

    return answer


async def test_a_token_about_to_expire_is_refreshed_and_saved_before_it_is_used():
    expires = (NOW + dt.timedelta(minutes=2)).isoformat()
    harness = Harness([refreshed, with_token("shpat_new")], expires_at=expires, refresh_token="shprt_old")
    await harness.client.graphql(QUERY)
    assert harness.paths() == ["/admin/oauth/access_token", "/admin/api/2026-10/graphql.json"]
    (saved,) = harness.saved
    assert saved["access_token"] == "shpat_new" and saved["refresh_token"] == "shprt_new"
    assert saved["expires_at"] == (NOW + dt.timedelta(hours=1)).isoformat()
    assert saved["refresh_token_expires_at"] == (NOW + dt.timedelta(days=90)).isoformat()
    assert harness.client.credentials == saved


async def test_a_token_with_time_left_is_not_refreshed():
    expires = (NOW + dt.timedelta(minutes=30)).isoformat()
    harness = Harness([with_token("shpat_old")], expires_at=expires, refresh_token="shprt_old")
    await harness.client.graphql(QUERY)
    assert harness.saved == []


async def test_one_401_refreshes_and_retries_once():
    expires = (NOW + dt.timedelta(minutes=30)).isoformat()
    harness = Harness(
        [httpx.Response(401, text="Invalid API key or access token"), refreshed, with_token("shpat_new")],
        expires_at=expires,
        refresh_token="shprt_old",
    )
    await harness.client.graphql(QUERY)
    assert len(harness.saved) == 1


async def test_a_refused_refresh_is_token_revoked_with_reconnect_as_the_fix():
    harness = Harness(
        [httpx.Response(401), httpx.Response(400, json={"error": "invalid_grant"})],
        expires_at=(NOW + dt.timedelta(minutes=30)).isoformat(),
        refresh_token="shprt_old",
    )
    with pytest.raises(PlatformProblem) as problem:
        await harness.client.graphql(QUERY)
    assert (problem.value.status, problem.value.code) == (StoreStatus.auth_error, "token_revoked")
    assert "reconnect" in problem.value.fix
    assert harness.saved == []


async def test_401_without_a_refresh_token_is_token_revoked():
    harness = Harness([httpx.Response(401)])
    with pytest.raises(PlatformProblem) as problem:
        await harness.client.graphql(QUERY)
    assert problem.value.code == "token_revoked"


async def test_access_denied_is_a_missing_scope():
    denied = httpx.Response(
        200,
        json={
            "data": {"orders": None},
            "errors": [
                {"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}
            ],
        },
    )
    harness = Harness([denied])
    with pytest.raises(PlatformProblem) as problem:
        await harness.client.graphql(QUERY)
    assert (problem.value.status, problem.value.code) == (StoreStatus.permission_missing, "scope_missing")


@pytest.mark.parametrize("status", [402, 404, 423])
async def test_a_frozen_removed_or_locked_shop_is_unavailable(status):
    harness = Harness([httpx.Response(status)])
    with pytest.raises(PlatformProblem) as problem:
        await harness.client.graphql(QUERY)
    assert (problem.value.status, problem.value.code) == (StoreStatus.unreachable, "shop_unavailable")


def test_retry_after_reads_seconds_and_falls_back():
    assert retry_after_seconds("2.0", default=1.0) == 2.0
    assert retry_after_seconds(None, default=2.0) == 2.0
    assert retry_after_seconds("soon", default=1.0) == 1.0
