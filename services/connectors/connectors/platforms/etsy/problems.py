"""What the Etsy connector reports about a store: each problem with its stable code and its fix
(docs/connectors-etsy.md lists them)."""

import datetime as dt

from connectors.platforms.base import PlatformProblem
from printbridge_shared.events.contracts import StoreStatus

RECONNECT = (
    "Reconnect the store (POST /v1/stores/{id}/reconnect) and let the shop owner grant access again in "
    "Etsy; a password change in Etsy ends every grant, so this is expected after one."
)


def token_revoked(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.auth_error,
        "token_revoked",
        f"Etsy no longer accepts Printbridge's access to this shop ({detail}).",
        RECONNECT,
    )


def access_refused(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.permission_missing,
        "access_refused",
        f"Etsy refuses a call this store needs (403: {detail}).",
        "If Etsy names the x-api-key, set PRINTBRIDGE_ETSY_KEYSTRING and PRINTBRIDGE_ETSY_SHARED_SECRET to "
        "the app's current keys and restart; otherwise reconnect the store (POST /v1/stores/{id}/reconnect) "
        "and grant every permission Etsy asks for.",
    )


def shop_unavailable(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.unreachable,
        "shop_unavailable",
        f"Etsy does not know this shop any more ({detail}).",
        "The seller checks the shop in Etsy (closed, suspended, vacation); polling goes on and clears this "
        "once Etsy answers for it again, else disconnect the store.",
    )


def rate_limited(remaining: int, limit: int, retry_at: dt.datetime) -> PlatformProblem:
    """Not a broken store: orders still arrive once Etsy's 24-hour window frees calls, so the store
    stays `connected` with the problem listed (docs/connectors-etsy.md)."""
    return PlatformProblem(
        StoreStatus.connected,
        "rate_limited",
        f"Printbridge's Etsy app has {remaining} of its {limit} calls a day left; polling waits (webhook "
        f"fetches use what is left) and tries again at {retry_at:%Y-%m-%d %H:%M} UTC.",
        "Nothing to do if this is rare: Etsy's window slides and the next poll clears this. If it recurs, "
        "ask Etsy (developer@etsy.com) to raise the app's daily limit, or poll less often "
        "(PRINTBRIDGE_RECONCILE_INTERVAL_S).",
    )
