"""The client's token handling, with Pressero's answers scripted per request: a 401 gets one new token
and one retry, the new token is stored before it is used, and what a refusal means for the store."""

import datetime as dt
import json

import httpx
import pytest

from connectors.platforms.base import PlatformProblem
from connectors.platforms.pressero.client import PresseroApiError, PresseroClient, TokenRefused
from connectors.platforms.pressero.connector import problem_for
from printbridge_shared.events.contracts import StoreStatus

LOGIN = {"UserName": "u", "Password": "p", "SubscriberId": "s", "ConsumerID": "c"}


def scripted(answers: list[httpx.Response], seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def test_a_401_gets_one_new_token_stored_before_the_retry() -> None:
    seen: list[httpx.Request] = []
    saved: list[str] = []

    async def save(token: str) -> None:
        saved.append(token)

    answers = [
        httpx.Response(401, json={"Message": "Authorization has been denied"}),
        httpx.Response(200, json={"Code": 200, "Data": "fresh"}),
        httpx.Response(200, json={"OrderNumber": 7}),
    ]
    async with scripted(answers, seen) as http:
        client = PresseroClient(http, "https://admin.test", LOGIN, token="old", save_token=save)
        assert await client.call("GET", "v2/orders/7/Details") == {"OrderNumber": 7}
    details = "/api/v2/orders/7/Details"
    assert [r.url.path for r in seen] == [details, "/api/token", details]
    assert [r.headers.get("authorization") for r in seen] == ["token old", None, "token fresh"]
    assert json.loads(seen[1].content) == LOGIN
    assert saved == ["fresh"]


async def test_a_refused_token_request_and_a_401_with_a_fresh_token_are_refused_credentials() -> None:
    seen: list[httpx.Request] = []
    answers = [httpx.Response(401, json={}), httpx.Response(401, json={"Code": 401, "Message": "Invalid"})]
    async with scripted(answers, seen) as http:
        client = PresseroClient(http, "https://admin.test", LOGIN, token="old")
        with pytest.raises(TokenRefused) as refused:
            await client.call("GET", "v2/orders/7/Details")
    problem = problem_for(refused.value)
    assert isinstance(problem, PlatformProblem) and problem.status == StoreStatus.auth_error

    answers = [httpx.Response(401), httpx.Response(200, json={"Code": 200, "Data": "t"}), httpx.Response(401)]
    async with scripted(answers, seen) as http:
        client = PresseroClient(http, "https://admin.test", LOGIN, token="old")
        with pytest.raises(PresseroApiError) as second:
            await client.call("GET", "v2/orders/7/Details")
    problem = problem_for(second.value)
    assert isinstance(problem, PlatformProblem) and problem.code == "credentials_refused"


async def test_search_pages_from_zero_until_total_items() -> None:
    seen: list[httpx.Request] = []
    rows = [{"OrderNumber": n, "OrderItemNumber": 1} for n in range(3)]
    answers = [
        httpx.Response(200, json={"Items": rows[:2], "PageNumber": 0, "PageSize": 2, "TotalItems": 3}),
        httpx.Response(200, json={"Items": rows[2:], "PageNumber": 1, "PageSize": 2, "TotalItems": 3}),
    ]
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    async with scripted(answers, seen) as http:
        client = PresseroClient(http, "https://admin.test", LOGIN, token="t")
        found = [row async for row in client.search_rows(start, start + dt.timedelta(days=1))]
    assert found == rows
    assert [r.url.params["pageNumber"] for r in seen] == ["0", "1"]
    body = json.loads(seen[0].content)
    assert body["StartDate"] == "2030-01-01T00:00:00Z" and body["EndDate"] == "2030-01-02T00:00:00Z"
