"""The gateway's rate limiter on its own, with its clock in the test's hand."""

from printbridge.gateway import TokenBucket


def test_the_rate_limiter_keeps_a_bounded_number_of_clients_and_forgets_the_quietest_first():
    now = [0.0]
    limiter = TokenBucket(rate=1, burst=2, max_clients=3, clock=lambda: now[0])
    assert [limiter.take("busy") for _ in range(2)] == [0.0, 0.0]
    assert limiter.take("busy") > 0
    for newcomer in ("a", "b", "c", "d"):
        assert limiter.take(newcomer) == 0.0
        assert limiter.take("busy") > 0, "a flood of new addresses must not reset an active client"
    assert len(limiter) == 3
