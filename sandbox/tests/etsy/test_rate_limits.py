"""Per-app rate limits as Etsy documents them: a per-second and a per-day sliding window, the four
x-limit / x-remaining headers on success, 429 with retry-after when exceeded, and the switches that
force 429s and server errors. The sandbox clock is frozen so "one second" is exact."""

from collections.abc import Iterator

import httpx
import pytest

from printbridge_sandbox.etsy.testing import Etsy


@pytest.fixture
def limited(http: httpx.Client) -> Iterator[tuple[Etsy, str]]:
    etsy = Etsy(http).setup(qps=3, qpd=5)
    token = str(etsy.install()["access_token"])
    etsy.control("PUT", "/clock", json={"frozen": True})
    yield etsy, token
    etsy.control("PUT", "/clock", json={"frozen": False})


def test_successful_calls_carry_the_limits_and_what_remains(limited: tuple[Etsy, str]) -> None:
    etsy, token = limited

    first, second = etsy.get(token, "/users/me"), etsy.get(token, "/users/me")

    assert first.headers["x-limit-per-second"] == "3" and first.headers["x-limit-per-day"] == "5"
    assert (first.headers["x-remaining-this-second"], first.headers["x-remaining-today"]) == ("2", "4")
    assert (second.headers["x-remaining-this-second"], second.headers["x-remaining-today"]) == ("1", "3")


def test_the_per_second_limit_answers_429_with_retry_after_until_the_second_has_passed(
    limited: tuple[Etsy, str],
) -> None:
    etsy, token = limited
    for _ in range(3):
        assert etsy.get(token, "/users/me").status_code == 200

    refused = etsy.get(token, "/users/me")
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 1})
    after = etsy.get(token, "/users/me")

    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.headers["x-remaining-this-second"] == "0"
    assert after.status_code == 200 and after.headers["x-remaining-today"] == "1"


def test_the_per_day_limit_is_a_sliding_window_of_24_hours(limited: tuple[Etsy, str]) -> None:
    etsy, _token = limited

    def shop() -> httpx.Response:  # an API-key-only call, so no token expires during the day
        return etsy.http.get(f"/v3/application/shops/{etsy.shop_id}", headers={"x-api-key": etsy.api_key})

    for _ in range(3):
        shop()
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 3000})
    for _ in range(2):
        assert shop().status_code == 200

    refused = shop()
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 86_400 - 3000})
    three_freed = shop()

    assert refused.status_code == 429 and refused.headers["x-remaining-today"] == "0"
    assert int(refused.headers["retry-after"]) == 86_400 - 3000 + 1
    assert three_freed.status_code == 200 and three_freed.headers["x-remaining-today"] == "2"


def test_refused_calls_do_not_count(limited: tuple[Etsy, str]) -> None:
    etsy, token = limited

    etsy.http.get("/v3/application/users/me", headers={"x-api-key": etsy.keystring})
    counted = etsy.get(token, "/users/me")

    assert counted.headers["x-remaining-today"] == "4"


def test_switches_force_429s_and_server_errors_then_wear_off(limited: tuple[Etsy, str]) -> None:
    etsy, token = limited
    etsy.control("PUT", "/misbehaviour", json={"exhaust_second": 1, "exhaust_day": 1, "fail_next_calls": 1})

    failed, day, second, ok = (etsy.get(token, "/users/me") for _ in range(4))

    assert failed.status_code == 503
    assert day.status_code == 429 and day.json() == {"error": "Exceeded daily rate limit"}
    assert second.status_code == 429 and second.headers["retry-after"] == "1"
    assert ok.status_code == 200
