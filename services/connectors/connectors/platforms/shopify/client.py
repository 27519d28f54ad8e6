"""Calls to one Shopify shop: the OAuth token endpoint (code exchange, refresh of expiring offline
tokens) and the GraphQL Admin API, within Shopify's calculated-cost rate limit.

- Cost: every answer carries `extensions.cost.throttleStatus`; before the next query the client waits
  until the bucket has restored what that query cost last time (or `DEFAULT_COST`). A THROTTLED answer
  waits exactly as long as its numbers say and retries; HTTP 429 waits `Retry-After`.
- Tokens: an expiring token is refreshed `REFRESH_MARGIN` before it expires and after one 401; since
  Shopify rotates the refresh token on every use, the refresh goes through the core's single flight
  (`PlatformContext.refreshed`): one worker spends the refresh token and stores the new tokens before
  anyone uses them, the others take those. A refused refresh is `token_revoked`.
- Failures: 5xx → retried, then `PlatformUnavailable` (the job tries again later); a shop that cannot be
  reached at all → retried, then the `shop_unreachable` problem; 402/404/423 → `shop_unavailable`."""

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from connectors.platforms.base import PlatformContext, PlatformUnavailable, retry_after_seconds
from connectors.platforms.shopify import problems
from printbridge_shared.db import utcnow
from printbridge_shared.outbound import UrlNotAllowed

log = structlog.get_logger(__name__)

REFRESH_MARGIN = dt.timedelta(minutes=5)
DEFAULT_COST = 50.0
MAX_ATTEMPTS = 3  # transport errors and 5xx, per call
MAX_THROTTLED = 8  # THROTTLED / 429 answers in a row, per call
MAX_WAIT_S = 60.0  # a longer wait is the job's business (it retries later)

Sleep = Callable[[float], Awaitable[None]]


class ShopifyError(Exception):
    """An answer that no retry or reconnect changes (a malformed query, an unexpected shape): a bug to
    look at, logged with the job's attempt."""


class TokenRefused(Exception):
    """The token endpoint refused the code or refresh token (4xx); the message says what Shopify said."""


@dataclass
class Throttle:
    """The cost bucket as the last answer described it, and when."""

    maximum: float
    available: float
    restore_rate: float
    seen_at: float

    @classmethod
    def from_cost(cls, cost: Any, now: float) -> "Throttle | None":
        status = cost.get("throttleStatus") if isinstance(cost, dict) else None
        if not isinstance(status, dict):
            return None
        try:
            return cls(
                maximum=float(status["maximumAvailable"]),
                available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                seen_at=now,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until the bucket holds `cost` (at most its size) again."""
        if self.restore_rate <= 0:
            return 0.0
        available = min(self.maximum, self.available + self.restore_rate * max(0.0, now - self.seen_at))
        missing = min(cost, self.maximum) - available
        return max(0.0, missing / self.restore_rate)


def tokens_from(answer: Any, now: dt.datetime) -> dict[str, Any]:
    """The credentials kept from a token answer: the token, its granted scopes and, for an expiring
    offline token, the refresh token and both expiry times."""
    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise ShopifyError("the token endpoint answered without an access_token")
    credentials: dict[str, Any] = {"access_token": answer["access_token"], "scope": answer.get("scope") or ""}
    if answer.get("expires_in") is not None:
        credentials["expires_at"] = (now + dt.timedelta(seconds=float(answer["expires_in"]))).isoformat()
    if answer.get("refresh_token"):
        credentials["refresh_token"] = answer["refresh_token"]
    if answer.get("refresh_token_expires_in") is not None:
        expires = now + dt.timedelta(seconds=float(answer["refresh_token_expires_in"]))
        credentials["refresh_token_expires_at"] = expires.isoformat()
    return credentials


def _graphql_errors(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return []
    if isinstance(errors, str):
        return [{"message": errors}]
    if isinstance(errors, dict):
        return [{"message": str(errors)}]
    return [e if isinstance(e, dict) else {"message": str(e)} for e in errors]


def _error_code(error: dict[str, Any]) -> str:
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return str(code or "").upper()


def _is_throttled(errors: list[dict[str, Any]]) -> bool:
    return any(
        _error_code(e) == "THROTTLED" or str(e.get("message", "")).lower() == "throttled" for e in errors
    )


class ShopifyClient:
    def __init__(
        self,
        context: PlatformContext,
        shop: str,
        credentials: dict[str, Any] | None = None,
        *,
        throttles: dict[str, Throttle] | None = None,
        persist: bool = True,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.context = context
        self.shop = shop
        self.credentials: dict[str, Any] = dict(credentials or {})
        # The bucket per shop, shared by the connector's clients (one process's view of it).
        self.throttles = throttles if throttles is not None else {}
        self.persist = persist
        self.sleep = sleep
        self.clock = clock
        self.now = now
        self._costs: dict[str, float] = {}

    @property
    def settings(self) -> Any:
        return self.context.settings

    @property
    def base(self) -> str:
        return str(self.settings.shopify_base(self.shop))

    # OAuth token endpoint ---------------------------------------------------------------------------

    async def _token_request(self, body: dict[str, str]) -> dict[str, Any]:
        url = f"{self.base}/admin/oauth/access_token"
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = await self.context.http.post(
                    url, json=body, headers={"Accept": "application/json"}
                )
            except UrlNotAllowed as refused:
                raise problems.shop_unreachable(str(refused)) from None
            except httpx.TransportError as error:
                if attempt == MAX_ATTEMPTS:
                    raise problems.shop_unreachable(str(error) or type(error).__name__) from None
                await self.sleep(0.5 * attempt)
                continue
            if response.status_code >= 500 or response.status_code == 429:
                if attempt == MAX_ATTEMPTS:
                    raise PlatformUnavailable(
                        f"Shopify's token endpoint answers {response.status_code}",
                        retry_after=retry_after_seconds(response.headers.get("Retry-After"), default=2.0),
                    )
                await self.sleep(
                    min(MAX_WAIT_S, retry_after_seconds(response.headers.get("Retry-After"), default=0.5))
                )
                continue
            if response.status_code != 200:
                raise TokenRefused(f"{response.status_code}: {response.text[:300]}")
            try:
                answer = response.json()
            except ValueError:
                raise ShopifyError("the token endpoint answered something that is not JSON") from None
            return tokens_from(answer, self.now())
        raise AssertionError("unreachable")

    async def exchange_code(self, code: str) -> dict[str, Any]:
        """The authorization code for an expiring offline token (`expiring=1`)."""
        self.credentials = await self._token_request(
            {
                "client_id": self.settings.shopify_client_id,
                "client_secret": self.settings.shopify_client_secret.get_secret_value(),
                "code": code,
                "expiring": "1",
            }
        )
        return self.credentials

    async def refresh(self) -> None:
        """New tokens for the refresh token, stored before they are used: through the core's single
        flight (decision 0012), since Shopify rotates the refresh token and two workers must not both
        spend it. A client that does not persist (a callback before the store has credentials, the
        removal of webhooks) refreshes on its own."""
        if self.persist:
            self.credentials = await self.context.refreshed(self.credentials, self._spend_refresh_token)
        else:
            self.credentials = await self._spend_refresh_token(self.credentials)

    async def _spend_refresh_token(self, current: dict[str, Any]) -> dict[str, Any]:
        refresh_token = current.get("refresh_token")
        if not refresh_token:
            raise problems.token_revoked("the access token expired and there is no refresh token")
        try:
            fresh = await self._token_request(
                {
                    "client_id": self.settings.shopify_client_id,
                    "client_secret": self.settings.shopify_client_secret.get_secret_value(),
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                }
            )
        except TokenRefused as refused:
            raise problems.token_revoked(f"refreshing the token was refused: {refused}") from None
        credentials = {**current, **fresh}
        if "expires_at" not in fresh:
            credentials.pop("expires_at", None)
        log.info("shopify_token_refreshed", shop=self.shop)
        return credentials

    def _expires_soon(self) -> bool:
        expires_at = self.credentials.get("expires_at")
        if not expires_at or not self.credentials.get("refresh_token"):
            return False
        return dt.datetime.fromisoformat(expires_at) - self.now() < REFRESH_MARGIN

    # GraphQL ----------------------------------------------------------------------------------------

    async def _wait_for_budget(self, document: str) -> None:
        throttle = self.throttles.get(self.shop)
        if throttle is None:
            return
        wait = throttle.wait_for(self._costs.get(document, DEFAULT_COST), self.clock())
        if wait > 0:
            await self.sleep(min(wait, MAX_WAIT_S))

    def _note_cost(self, document: str, body: Any) -> dict[str, Any] | None:
        extensions = body.get("extensions") if isinstance(body, dict) else None
        cost = extensions.get("cost") if isinstance(extensions, dict) else None
        if not isinstance(cost, dict):
            return None
        throttle = Throttle.from_cost(cost, self.clock())
        if throttle is not None:
            self.throttles[self.shop] = throttle
        requested = cost.get("requestedQueryCost")
        if isinstance(requested, int | float):
            self._costs[document] = float(requested)
        return cost

    async def graphql(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Runs one query or mutation and returns its `data`."""
        url = f"{self.base}/admin/api/{self.settings.shopify_api_version}/graphql.json"
        refreshed = False
        failures = 0
        throttled = 0
        while True:
            if self._expires_soon():
                await self.refresh()
                refreshed = True
            await self._wait_for_budget(document)
            headers = {
                "X-Shopify-Access-Token": str(self.credentials.get("access_token", "")),
                "Accept": "application/json",
            }
            try:
                response = await self.context.http.post(
                    url, json={"query": document, "variables": variables or {}}, headers=headers
                )
            except UrlNotAllowed as refused:
                raise problems.shop_unreachable(str(refused)) from None
            except httpx.TransportError as error:
                failures += 1
                if failures >= MAX_ATTEMPTS:
                    raise problems.shop_unreachable(str(error) or type(error).__name__) from None
                await self.sleep(0.5 * failures)
                continue
            status = response.status_code
            if status == 401:
                if refreshed or not self.credentials.get("refresh_token"):
                    raise problems.token_revoked(f"Shopify answers 401: {response.text[:200]}")
                await self.refresh()
                refreshed = True
                continue
            if status in (402, 404, 423):
                raise problems.shop_unavailable(status)
            if status == 403:
                raise problems.scope_missing(detail=f"Shopify answers 403: {response.text[:200]}")
            if status >= 500:
                failures += 1
                if failures >= MAX_ATTEMPTS:
                    raise PlatformUnavailable(f"Shopify answers {status}")
                await self.sleep(0.5 * failures)
                continue
            try:
                body = response.json()
            except ValueError:
                body = None
            cost = self._note_cost(document, body)
            errors = _graphql_errors(body)
            if status == 429 or _is_throttled(errors):
                throttled += 1
                wait = self._throttled_wait(response, cost)
                if throttled > MAX_THROTTLED or wait > MAX_WAIT_S:
                    raise PlatformUnavailable("Shopify keeps throttling the calls", retry_after=wait)
                log.info("shopify_throttled", shop=self.shop, wait_s=round(wait, 3))
                await self.sleep(wait)
                continue
            if status != 200 or not isinstance(body, dict):
                raise ShopifyError(f"GraphQL answered {status}: {response.text[:300]}")
            denied = [e for e in errors if _error_code(e) == "ACCESS_DENIED"]
            if denied:
                raise problems.scope_missing(detail=str(denied[0].get("message", "access denied")))
            if errors:
                raise ShopifyError("; ".join(str(e.get("message")) for e in errors)[:500])
            data = body.get("data")
            if not isinstance(data, dict):
                raise ShopifyError("GraphQL answered without data")
            return data

    def _throttled_wait(self, response: httpx.Response, cost: dict[str, Any] | None) -> float:
        """As long as the THROTTLED answer's numbers say (the query's cost minus what is available, at
        the restore rate), else `Retry-After`."""
        throttle = Throttle.from_cost(cost, self.clock()) if cost else None
        requested = cost.get("requestedQueryCost") if cost else None
        if throttle is not None and isinstance(requested, int | float) and throttle.restore_rate > 0:
            return max(throttle.wait_for(float(requested), throttle.seen_at), 1.0 / throttle.restore_rate)
        return retry_after_seconds(response.headers.get("Retry-After"), default=2.0)
