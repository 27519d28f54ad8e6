"""The Etsy client's rules against the documented fake: headers on every call, token refresh, 429s and
the daily budget."""

import datetime as dt
from typing import Any

import httpx
import pytest

from connectors.platforms.base import PlatformContext, PlatformProblem, PlatformUnavailable
from connectors.platforms.etsy.client import Budget, EtsyClient
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import StoreStatus

from .conftest import KEYSTRING, SHARED_SECRET, SHOP_ID, USER_ID, FakeEtsy, etsy_settings

RECEIPTS = f"/v3/application/shops/{SHOP_ID}/receipts"


class Harness:
    def __init__(self, etsy: FakeEtsy, *, expires_in: float = 3600) -> None:
        self.etsy = etsy
        self.saved: list[dict[str, Any]] = []
        self.slept: list[float] = []
        self.clock = 0.0

        async def save(credentials: dict[str, Any]) -> None:
            self.saved.append(credentials)

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)
            self.clock += seconds

        context = PlatformContext(
            settings=etsy_settings("sqlite+aiosqlite://"),
            http=httpx.AsyncClient(transport=httpx.MockTransport(etsy)),
            save_credentials=save,
        )
        self.budget = Budget()
        self.client = EtsyClient(
            context,
            etsy.credentials(expires_in=expires_in),
            budget=self.budget,
            sleep=sleep,
            clock=lambda: self.clock,
        )


def limited(status: int = 200, *, second: str = "9", today: str = "9000", **extra: str) -> httpx.Response:
    headers = {
        "x-limit-per-second": "10",
        "x-remaining-this-second": second,
        "x-limit-per-day": "10000",
        "x-remaining-today": today,
        **extra,
    }
    return httpx.Response(status, json={"count": 0, "results": []}, headers=headers)


async def test_every_call_sends_the_bearer_token_and_keystring_colon_shared_secret():
    etsy = FakeEtsy()
    harness = Harness(etsy)
    await harness.client.get(RECEIPTS)
    (request,) = etsy.requests
    assert request.headers["x-api-key"] == f"{KEYSTRING}:{SHARED_SECRET}"
    assert request.headers["authorization"] == f"Bearer {USER_ID}.at-1"


async def test_a_token_about_to_expire_is_refreshed_and_stored_before_it_is_used():
    etsy = FakeEtsy()
    harness = Harness(etsy, expires_in=60)
    await harness.client.get(RECEIPTS)
    assert etsy.token_calls == [
        {"grant_type": "refresh_token", "client_id": KEYSTRING, "refresh_token": "rt-1"}
    ]
    assert [c["refresh_token"] for c in harness.saved] == ["rt-2"]
    assert etsy.requests[0].headers["authorization"] == f"Bearer {USER_ID}.at-2"


async def test_a_401_refreshes_once_and_retries():
    etsy = FakeEtsy()
    harness = Harness(etsy)
    etsy.access_tokens.clear()  # Etsy no longer takes the access token
    await harness.client.get(RECEIPTS)
    assert len(etsy.token_calls) == 1
    assert [r.headers["authorization"] for r in etsy.requests] == [
        f"Bearer {USER_ID}.at-1",
        f"Bearer {USER_ID}.at-2",
    ]


async def test_a_revoked_refresh_token_is_token_revoked_with_a_reconnect_fix():
    etsy = FakeEtsy()
    etsy.revoked = True
    harness = Harness(etsy, expires_in=60)
    with pytest.raises(PlatformProblem) as raised:
        await harness.client.get(RECEIPTS)
    assert raised.value.status == StoreStatus.auth_error
    assert raised.value.code == "token_revoked"
    assert "refresh_token is revoked" in raised.value.message
    assert "POST /v1/stores/{id}/reconnect" in raised.value.fix
    assert harness.saved == []


async def test_a_429_waits_its_retry_after_and_retries():
    etsy = FakeEtsy()
    etsy.answers = [limited(429, **{"retry-after": "2"}), limited()]
    harness = Harness(etsy)
    await harness.client.get(RECEIPTS)
    assert harness.slept == [2.0]
    assert len(etsy.requests) == 2


async def test_a_long_retry_after_is_left_to_the_job():
    etsy = FakeEtsy()
    etsy.answers = [limited(429, **{"retry-after": "120"})]
    harness = Harness(etsy)
    with pytest.raises(PlatformUnavailable) as raised:
        await harness.client.get(RECEIPTS)
    assert raised.value.retry_after == 120.0
    assert harness.slept == []


async def test_no_calls_left_this_second_makes_the_next_call_wait_a_second():
    etsy = FakeEtsy()
    etsy.answers = [limited(second="0"), limited()]
    harness = Harness(etsy)
    await harness.client.get(RECEIPTS)
    await harness.client.get(RECEIPTS)
    assert harness.slept == [1.0]


async def test_a_429_with_the_days_budget_spent_is_the_rate_limited_problem():
    etsy = FakeEtsy()
    etsy.answers = [limited(today="3"), limited(429, today="0", **{"retry-after": "3600"})]
    harness = Harness(etsy)
    await harness.client.get(RECEIPTS)
    with pytest.raises(PlatformProblem) as raised:
        await harness.client.get(RECEIPTS)
    assert raised.value.code == "rate_limited"
    assert raised.value.status == StoreStatus.connected
    assert "0 of its 10000 calls" in raised.value.message


def test_the_budget_is_low_near_its_end_and_forgotten_when_old():
    budget, now = Budget(), utcnow()
    budget.note(httpx.Headers({"x-remaining-today": "250", "x-limit-per-day": "10000"}), now)
    assert not budget.low(now)
    budget.note(httpx.Headers({"x-remaining-today": "199", "x-limit-per-day": "10000"}), now)
    assert budget.low(now)
    assert not budget.low(now + dt.timedelta(minutes=16))
