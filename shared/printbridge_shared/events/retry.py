"""One retry schedule for both buses: exponential backoff with jitter. RabbitMQ waits it out in the
group's retry queues, the embedded bus in the outbox row's `next_attempt_at`."""

import random
from dataclasses import dataclass

# No wait grows past an hour, however many attempts are allowed.
MAX_RETRY_DELAY_S = 3600.0
_JITTER = random.Random()


def doubling_delay(attempt: int, base: float, cap: float) -> float:
    """`base` after attempt 1, twice as long after each further one, never longer than `cap`."""
    return float(min(cap, base * 2.0 ** (attempt - 1)))


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` handler attempts in all; after the failed attempt `n` the next one waits
    `base_s * 2**(n-1)` seconds, of which a random half is taken off ("equal jitter"): the waits still
    grow, and events that failed together do not come back together."""

    max_attempts: int = 5
    base_s: float = 1.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_s < 0:
            raise ValueError("base_s must not be negative")

    def delay(self, failed_attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before the attempt after `failed_attempt` (1 for the first delivery)."""
        ceiling = doubling_delay(failed_attempt, self.base_s, MAX_RETRY_DELAY_S)
        return ceiling / 2 + (rng or _JITTER).uniform(0, ceiling / 2)

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


class RetryLater(Exception):
    """A consumer failed this delivery and is to be tried again in `delay` seconds (embedded bus: the
    relay keeps the outbox row unsent until then)."""

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(f"retry in {delay:.3f}s: {reason}")
        self.delay = delay
