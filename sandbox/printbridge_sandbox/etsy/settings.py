"""The knobs of the Etsy sandbox; tests shrink the times, `python -m printbridge_sandbox` takes flags."""

from dataclasses import dataclass, field

# Etsy's documented retry schedule for a webhook delivery that was not acknowledged: the first attempt at
# once, then these delays (seconds) between attempts: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
WEBHOOK_RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 36000]


@dataclass
class EtsySettings:
    # Token lifetimes (seconds): access 1 hour, refresh 90 days, as documented.
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 90 * 24 * 3600
    # Not documented by Etsy; RFC 6749 recommends at most 10 minutes.
    authorization_code_ttl: int = 600
    # How long a rotated-out refresh token still works (Etsy: not at all). A test sets it to show what
    # two concurrent refreshes do without the connector's single-flight.
    refresh_grace_seconds: float = 0.0
    # Multiplies WEBHOOK_RETRY_DELAYS: 0.0001 makes the whole schedule take milliseconds.
    webhook_retry_scale: float = 1.0
    webhook_retry_delays: list[float] = field(default_factory=lambda: list(WEBHOOK_RETRY_DELAYS))
    webhook_timeout_seconds: float = 15.0
    # Default limits of a new app (Etsy's documented defaults for a personal app).
    default_qps: int = 10
    default_qpd: int = 10_000
