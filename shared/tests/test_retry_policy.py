"""The one retry schedule both buses follow: exponential backoff with jitter."""

import random

import pytest

from printbridge_shared.events.retry import MAX_RETRY_DELAY_S, RetryPolicy


def test_each_retry_waits_between_half_and_all_of_a_doubling_delay():
    policy = RetryPolicy(max_attempts=6, base_s=2.0)
    rng = random.Random(42)

    waits = [policy.delay(attempt, rng) for attempt in range(1, 6)]

    for attempt, wait in enumerate(waits, start=1):
        ceiling = 2.0 * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling
    assert waits == sorted(waits), "with equal jitter every wait is longer than the one before"


def test_the_same_seed_gives_the_same_schedule_and_another_seed_another():
    policy = RetryPolicy(max_attempts=4, base_s=1.0)

    first = [policy.delay(n, random.Random(7)) for n in (1, 2, 3)]
    again = [policy.delay(n, random.Random(7)) for n in (1, 2, 3)]
    other = [policy.delay(n, random.Random(8)) for n in (1, 2, 3)]

    assert first == again
    assert first != other


def test_no_wait_grows_past_the_cap():
    policy = RetryPolicy(max_attempts=40, base_s=1.0)

    assert policy.delay(39, random.Random(1)) <= MAX_RETRY_DELAY_S


def test_the_last_attempt_gives_up():
    policy = RetryPolicy(max_attempts=3, base_s=1.0)

    assert [policy.gives_up_after(n) for n in (1, 2, 3)] == [False, False, True]


@pytest.mark.parametrize(("max_attempts", "base_s"), [(0, 1.0), (3, -1.0)])
def test_a_policy_without_attempts_or_with_a_negative_wait_is_refused(max_attempts, base_s):
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=max_attempts, base_s=base_s)
