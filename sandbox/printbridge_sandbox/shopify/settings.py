"""The knobs of the Shopify sandbox; tests shrink the times, `python -m printbridge_sandbox` takes flags."""

from dataclasses import dataclass, field

# Stable versions the sandbox answers as; an older one falls forward to the oldest, as Shopify does.
SUPPORTED_API_VERSIONS = ["2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10"]


@dataclass
class ShopifySettings:
    # The GraphQL leaky bucket per shop and app (Shopify: 1000 points, 100/s on Standard; older docs 50/s).
    bucket_size: float = 1000.0
    restore_rate: float = 50.0
    # Webhook retries: 8 retries over about 4 hours, the n-th after retry_base_seconds * 2**n. Tests set a
    # tiny base to watch the whole schedule in milliseconds.
    webhook_retries: int = 8
    webhook_retry_base_seconds: float = 56.5
    webhook_timeout_seconds: float = 5.0
    # Token lifetimes (seconds) as documented for expiring offline tokens.
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 90 * 24 * 3600
    online_token_ttl: int = 86400
    authorization_code_ttl: int = 600
    api_versions: list[str] = field(default_factory=lambda: list(SUPPORTED_API_VERSIONS))
