"""Calls to Etsy's Open API v3 for one shop: the OAuth token endpoint (code exchange, refresh) and the
REST endpoints, within Etsy's per-app rate limits.

- Headers: every call sends `x-api-key: <keystring>:<shared secret>` (enforced by Etsy since February
  2026) and, with a token, `Authorization: Bearer <access token>`.
- Tokens: an access token lives an hour and is refreshed `REFRESH_MARGIN` before it expires and once
  after a 401. Etsy rotates the refresh token on each use, so the refresh goes through the core's
  single flight (`PlatformContext.refreshed`): one worker spends the refresh token and stores the new
  credentials before anyone uses them; the others take those. A refused refresh is `token_revoked`.
- Rate limits: `x-remaining-this-second: 0` → the next call waits a second; a 429 waits its
  `retry-after` when short and retries, else `PlatformUnavailable` — or, when the day's budget
  (`x-remaining-today`) is spent, the `rate_limited` problem. The budget is the app's, shared by every
  shop, and kept in `Budget` (one per process).
- Failures: 5xx and transport errors are retried, then `PlatformUnavailable` (the job tries again)."""

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from connectors.platforms.base import PlatformContext, PlatformUnavailable, retry_after_seconds
from connectors.platforms.etsy import problems
from connectors.platforms.etsy.pkce import CALLBACK_PATH
from printbridge_shared.db import utcnow
from printbridge_shared.outbound import UrlNotAllowed

log = structlog.get_logger(__name__)

TOKEN_PATH = "/v3/public/oauth/token"
REFRESH_MARGIN = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3  # transport errors and 5xx, per call
MAX_THROTTLED = 5  # 429s in a row, per call
MAX_WAIT_S = 10.0  # a longer wait is the job's business (it retries later)
# Below this share of the daily budget, polls wait (webhook fetches use what is left).
DAILY_RESERVE = 0.02
# How long a seen daily budget is believed: Etsy's window slides, so it is looked at again after this.
BUDGET_FRESH = dt.timedelta(minutes=15)

Sleep = Callable[[float], Awaitable[None]]


class EtsyError(Exception):
    """An answer that no retry or reconnect changes (an unexpected shape): a bug to look at."""


class TokenRefused(Exception):
    """The token endpoint refused the code or refresh token; the message says what Etsy said."""


class NotFound(Exception):
    """Etsy answers 404 for this resource."""


class Refused(Exception):
    """Etsy refused a change (a 4xx other than 401, 403, 404 and 429): its status and words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass
class Budget:
    """The app's call budget as Etsy's last answer stated it (`x-remaining-today`), and until when
    (monotonic clock) no call is made because none was left this second — both the app's, not a shop's."""

    remaining: int | None = None
    limit: int | None = None
    seen_at: dt.datetime | None = None
    calm_until: float = 0.0

    def note(self, headers: httpx.Headers, now: dt.datetime) -> None:
        try:
            remaining, limit = headers.get("x-remaining-today"), headers.get("x-limit-per-day")
            if remaining is not None:
                self.remaining, self.seen_at = int(remaining), now
            if limit is not None:
                self.limit = int(limit)
        except ValueError:
            return

    def low(self, now: dt.datetime) -> bool:
        """Nearly spent, as last seen recently enough to believe it."""
        if self.remaining is None or self.seen_at is None or now - self.seen_at > BUDGET_FRESH:
            return False
        reserve = max(10, int((self.limit or 0) * DAILY_RESERVE))
        return self.remaining <= reserve

    def problem(self, now: dt.datetime) -> Any:
        seen = self.seen_at or now
        return problems.rate_limited(self.remaining or 0, self.limit or 0, seen + BUDGET_FRESH)


def user_id_of(access_token: str) -> str:
    """Etsy's access tokens start with the numeric id of the user who granted them and a dot."""
    prefix, dot, _rest = access_token.partition(".")
    if not dot or not prefix.isdigit():
        raise EtsyError("the access token does not start with the Etsy user id")
    return prefix


def tokens_from(answer: Any, now: dt.datetime) -> dict[str, Any]:
    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise EtsyError("the token endpoint answered without an access_token")
    expires_in = float(answer.get("expires_in") or 3600)
    credentials = {
        "access_token": answer["access_token"],
        "expires_at": (now + dt.timedelta(seconds=expires_in)).isoformat(),
        "user_id": user_id_of(answer["access_token"]),
    }
    # Etsy always sends a new one; an answer without keeps the one in use (merged by the caller).
    if isinstance(answer.get("refresh_token"), str) and answer["refresh_token"]:
        credentials["refresh_token"] = answer["refresh_token"]
    return credentials


class EtsyClient:
    def __init__(
        self,
        context: PlatformContext,
        credentials: dict[str, Any] | None = None,
        *,
        budget: Budget | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.context = context
        self.credentials: dict[str, Any] = dict(credentials or {})
        self.budget = budget if budget is not None else Budget()
        self.sleep = sleep
        self.clock = clock
        self.now = now

    @property
    def settings(self) -> Any:
        return self.context.settings

    @property
    def base(self) -> str:
        return str(self.settings.etsy_api_url).rstrip("/")

    def api_key(self) -> str:
        return f"{self.settings.etsy_keystring}:{self.settings.etsy_shared_secret.get_secret_value()}"

    def headers(self) -> dict[str, str]:
        headers = {"x-api-key": self.api_key(), "Accept": "application/json"}
        if self.credentials.get("access_token"):
            headers["Authorization"] = f"Bearer {self.credentials['access_token']}"
        return headers

    # OAuth token endpoint ---------------------------------------------------------------------------

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = await self.context.http.post(
                    self.base + TOKEN_PATH,
                    data=form,
                    headers={"x-api-key": self.api_key(), "Accept": "application/json"},
                )
            except (UrlNotAllowed, httpx.TransportError) as error:
                if attempt == MAX_ATTEMPTS or isinstance(error, UrlNotAllowed):
                    raise PlatformUnavailable(
                        f"Etsy's token endpoint: {error or type(error).__name__}"
                    ) from None
                await self.sleep(0.5 * attempt)
                continue
            if response.status_code >= 500 or response.status_code == 429:
                wait = retry_after_seconds(response.headers.get("retry-after"), default=0.5 * attempt)
                if attempt == MAX_ATTEMPTS or wait > MAX_WAIT_S:
                    raise PlatformUnavailable(
                        f"Etsy's token endpoint answers {response.status_code}", retry_after=wait
                    )
                await self.sleep(wait)
                continue
            if response.status_code != 200:
                raise TokenRefused(f"{response.status_code}: {response.text[:300]}")
            try:
                return tokens_from(response.json(), self.now())
            except ValueError:
                raise EtsyError("the token endpoint answered something that is not JSON") from None
        raise AssertionError("unreachable")

    async def exchange_code(self, code: str, verifier: str) -> dict[str, Any]:
        credentials = await self._token_request(
            {
                "grant_type": "authorization_code",
                "client_id": self.settings.etsy_keystring,
                "redirect_uri": self.settings.public_url + CALLBACK_PATH,
                "code": code,
                "code_verifier": verifier,
            }
        )
        if "refresh_token" not in credentials:
            raise EtsyError("the token endpoint answered the code without a refresh_token")
        self.credentials = credentials
        return credentials

    async def _spend_refresh_token(self, current: dict[str, Any]) -> dict[str, Any]:
        """One refresh at Etsy (the single flight calls it at most once per credentials version)."""
        refresh_token = current.get("refresh_token")
        if not refresh_token:
            raise problems.token_revoked("the access token expired and there is no refresh token")
        try:
            fresh = await self._token_request(
                {
                    "grant_type": "refresh_token",
                    "client_id": self.settings.etsy_keystring,
                    "refresh_token": str(refresh_token),
                }
            )
        except TokenRefused as refused:
            raise problems.token_revoked(f"refreshing the token was refused: {refused}") from None
        log.info("etsy_token_refreshed", user_id=fresh["user_id"])
        return {**current, **fresh}

    async def refresh(self) -> None:
        self.credentials = await self.context.refreshed(self.credentials, self._spend_refresh_token)

    def _expires_soon(self) -> bool:
        expires_at = self.credentials.get("expires_at")
        if not expires_at or not self.credentials.get("refresh_token"):
            return False
        return dt.datetime.fromisoformat(expires_at) - self.now() < REFRESH_MARGIN

    # REST -------------------------------------------------------------------------------------------

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON of `GET {api}{path}`; `NotFound` for a 404."""
        return await self._call("GET", path, params=params)

    async def post_form(self, path: str, form: dict[str, str]) -> Any:
        """The JSON of `POST {api}{path}` with a form-encoded body; `NotFound` for a 404, `Refused` for
        another 4xx (400: Etsy's words). A 5xx or a lost connection is not sent again here (the call
        may have been applied): `PlatformUnavailable`, for the caller to look before it tries again."""
        return await self._call("POST", path, form=form)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
    ) -> Any:
        repeatable = method == "GET"
        refreshed = False
        failures = throttled = 0
        while True:
            if self._expires_soon() and not refreshed:
                await self.refresh()
                refreshed = True
            pause = self.budget.calm_until - self.clock()
            if pause > 0:
                await self.sleep(pause)
            try:
                response = await self.context.http.request(
                    method, self.base + path, params=params, data=form, headers=self.headers()
                )
            except (UrlNotAllowed, httpx.TransportError) as error:
                failures += 1
                if failures >= MAX_ATTEMPTS or isinstance(error, UrlNotAllowed) or not repeatable:
                    raise PlatformUnavailable(
                        f"Etsy cannot be reached: {error or type(error).__name__}"
                    ) from None
                await self.sleep(0.5 * failures)
                continue
            self.budget.note(response.headers, self.now())
            if response.headers.get("x-remaining-this-second") == "0":
                self.budget.calm_until = self.clock() + 1.0
            status = response.status_code
            if status == 401:
                if refreshed or not self.credentials.get("refresh_token"):
                    raise problems.token_revoked(f"Etsy answers 401: {response.text[:200]}")
                await self.refresh()
                refreshed = True
                continue
            if status == 403:
                raise problems.access_refused(_error_text(response))
            if status == 404:
                raise NotFound(_error_text(response))
            if status == 429:
                throttled += 1
                wait = retry_after_seconds(response.headers.get("retry-after"), default=1.0)
                if throttled <= MAX_THROTTLED and wait <= MAX_WAIT_S:
                    log.info("etsy_throttled", wait_s=wait)
                    await self.sleep(wait)
                    continue
                if self.budget.remaining is not None and self.budget.low(self.now()):
                    raise self.budget.problem(self.now())
                raise PlatformUnavailable("Etsy keeps answering 429", retry_after=wait)
            if status >= 500:
                failures += 1
                if failures >= MAX_ATTEMPTS or not repeatable:
                    raise PlatformUnavailable(f"Etsy answers {status}")
                await self.sleep(0.5 * failures)
                continue
            if 400 <= status < 500 and not repeatable:
                raise Refused(status, _error_text(response))
            if status not in (200, 201):
                raise EtsyError(f"{method} {path} answered {status}: {response.text[:300]}")
            try:
                return response.json()
            except ValueError:
                raise EtsyError(f"{method} {path} answered something that is not JSON") from None


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])[:200]
    return response.text[:200]
