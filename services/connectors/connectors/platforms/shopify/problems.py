"""What the Shopify connector reports about a store: each problem with its stable code and its fix
(docs/connectors-shopify.md lists them)."""

from connectors.platforms.base import PlatformProblem
from printbridge_shared.events.contracts import StoreStatus

RECONNECT = (
    "Reconnect the store (POST /v1/stores/{id}/reconnect) and grant access again in Shopify; if the app "
    "was uninstalled, install it again from there."
)


def token_revoked(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.auth_error,
        "token_revoked",
        f"Shopify no longer accepts Printbridge's access to this shop ({detail}).",
        RECONNECT,
    )


def scope_missing(missing: list[str] | None = None, detail: str | None = None) -> PlatformProblem:
    what = f"the access scopes {', '.join(missing)}" if missing else "an access scope this call needs"
    return PlatformProblem(
        StoreStatus.permission_missing,
        "scope_missing",
        f"The shop did not grant {what}{f' ({detail})' if detail else ''}.",
        "Reconnect the store (POST /v1/stores/{id}/reconnect) and approve every permission Shopify asks for.",
    )


def webhooks_missing(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.webhooks_missing,
        "webhooks_missing",
        f"Printbridge could not subscribe to the shop's order webhooks ({detail}); orders arrive only by "
        "polling, minutes late.",
        "Check that PRINTBRIDGE_PUBLIC_URL is an https address Shopify can reach, then reconcile the store "
        "(POST /v1/stores/{id}/reconcile), which tries again.",
    )


def shop_unreachable(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.unreachable,
        "shop_unreachable",
        f"The shop could not be reached ({detail}).",
        "Nothing to do if Shopify is having an outage: polling goes on and clears this. If it lasts, check "
        "that the shop still exists and that this server can reach *.myshopify.com.",
    )


def shop_unavailable(status: int) -> PlatformProblem:
    reason = {
        402: "its Shopify plan is unpaid or frozen",
        404: "Shopify does not know it any more",
        423: "Shopify has locked it",
    }.get(status, f"Shopify answers {status}")
    return PlatformProblem(
        StoreStatus.unreachable,
        "shop_unavailable",
        f"The shop is not available: {reason}.",
        "The merchant resolves this in their Shopify admin (billing, or contacting Shopify support); "
        "polling goes on and clears this once the shop answers again.",
    )
