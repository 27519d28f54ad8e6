"""Pressero admin API calls for one account: the token request (`POST {admin}/api/token` with the four
credentials → `{Code: 200, Data: "<token>"}`), `Authorization: token <token>` on every call, one new
token and one retry when a call answers 401 (Pressero does not publish a token lifetime), and the
order search paged from 0 until `TotalItems`. JSON names are read case-insensitively (ASP.NET answers
PascalCase, but nothing promises it). Transient failures (5xx, timeouts, refused connections) are
`PlatformUnavailable`; what a refusal means is the caller's to say."""

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from connectors.platforms.base import PlatformUnavailable

SEARCH_PAGE_SIZE = 200
PRODUCTS_PAGE_SIZE = 200
MAX_SEARCH_PAGES = 500

SaveToken = Callable[[str], Awaitable[None]]


def lower_keys(value: Any) -> dict[str, Any]:
    """A JSON object with its names lower-cased (case-insensitive reads); {} for anything else."""
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def wire_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TokenRefused(Exception):
    """Pressero refused the credentials (401/403/400, or an answer whose `Code` is not 200)."""


class NotPressero(Exception):
    """The address answered, but not as Pressero's token endpoint does."""


class PresseroApiError(Exception):
    """A 4xx answer to an authenticated call (after the one re-authentication a 401 gets)."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = None
        message = lower_keys(body).get("message") if isinstance(body, dict) else None
        self.message = str(message or response.text[:300] or response.reason_phrase)
        super().__init__(f"{self.status}: {self.message}")


def unwrapped(body: Any) -> Any:
    """An answer wrapped as the token answer is (`{Code, Data, Message}`) is read as its `Data`; the
    public integrator reads the order answers unwrapped, and both are taken."""
    fields = lower_keys(body)
    if (
        set(fields) <= {"code", "data", "message"}
        and "code" in fields
        and isinstance(fields.get("data"), dict | list)
    ):
        return fields["data"]
    return body


def token_from(body: Any) -> str:
    """The token in the answer to `POST /api/token`: `{Code: 200, Data: "<token>"}` as the public
    integrator reads it; also a bare JSON string, or `Data`/the answer as `{Token: …}`."""
    if isinstance(body, str) and body.strip():
        return body.strip()
    fields = lower_keys(body)
    if not fields:
        raise NotPressero("the token answer is not a JSON object")
    code = fields.get("code")
    if code is not None and str(code) != "200":
        raise TokenRefused(str(fields.get("message") or f"Code {code}"))
    for candidate in (fields.get("data"), lower_keys(fields.get("data")).get("token"), fields.get("token")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    raise NotPressero("the token answer carries no token")


class PresseroClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        admin_url: str,
        login: dict[str, str],
        *,
        token: str | None = None,
        save_token: SaveToken | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        """`login`: `{UserName, Password, SubscriberId, ConsumerID}` as the token request sends it.
        `save_token`: keeps a new token (re-authentication) before it is used."""
        self.http = http
        self.admin_url = admin_url.rstrip("/")
        self.login = login
        self.token = token
        self.save_token = save_token
        self.timeout = timeout

    async def _request(self, method: str, path: str, **options: Any) -> httpx.Response:
        if self.timeout is not None:
            options["timeout"] = self.timeout
        try:
            response = await self.http.request(method, f"{self.admin_url}/api/{path.lstrip('/')}", **options)
        except httpx.TimeoutException:
            raise PlatformUnavailable(f"{self.admin_url} did not answer in time") from None
        except httpx.TransportError as exc:
            raise PlatformUnavailable(f"{self.admin_url} cannot be reached: {exc}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise PlatformUnavailable(f"{self.admin_url} answered {response.status_code} to {method} {path}")
        return response

    async def authenticate(self) -> str:
        """A new token. Raises `TokenRefused`, `NotPressero` or `PlatformUnavailable`."""
        response = await self._request("POST", "token", json=self.login)
        if response.status_code in (400, 401, 403):
            message = lower_keys(_json_or_none(response)).get("message")
            raise TokenRefused(str(message or f"HTTP {response.status_code}"))
        if response.status_code != 200:
            raise NotPressero(f"POST {response.request.url} answered {response.status_code}")
        body = _json_or_none(response)
        if body is None:
            raise NotPressero(f"POST {response.request.url} did not answer JSON")
        self.token = token_from(body)
        if self.save_token is not None:
            await self.save_token(self.token)
        return self.token

    async def call(self, method: str, path: str, **options: Any) -> Any:
        """An authenticated call's JSON. A 401 gets one new token and one retry; `TokenRefused` when
        the new token is refused, `PresseroApiError` for any other 4xx."""
        if self.token is None:
            await self.authenticate()
        response = await self._authorised(method, path, **options)
        if response.status_code == 401:
            await self.authenticate()
            response = await self._authorised(method, path, **options)
        if response.status_code >= 400:
            raise PresseroApiError(response)
        body = _json_or_none(response)
        if body is None:
            raise PlatformUnavailable(f"{self.admin_url}: {path} did not answer JSON")
        return unwrapped(body)

    async def _authorised(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"token {self.token}", "Accept": "application/json"}
        return await self._request(method, path, headers=headers, **options)

    async def search_rows(self, start: dt.datetime, end: dt.datetime) -> AsyncIterator[dict[str, Any]]:
        """Every order-item row `Orders/Search` lists with an order date in [start, end], by order number:
        pages from 0 until `TotalItems` rows came (or a page comes back empty)."""
        query = {
            "StartDate": wire_time(start),
            "EndDate": wire_time(end),
            "SortDescriptor": {"Member": "OrderNumber", "Direction": "Ascending"},
            "Filters": [],
        }
        seen = 0
        for page in range(MAX_SEARCH_PAGES):
            params = {"pageNumber": page, "pageSize": SEARCH_PAGE_SIZE}
            body = lower_keys(await self.call("POST", "v2/Orders/Search", params=params, json=query))
            items = body.get("items")
            if not isinstance(items, list):
                raise PlatformUnavailable(f"{self.admin_url}: Orders/Search did not answer Items")
            for row in items:
                if isinstance(row, dict):
                    yield row
            seen += len(items)
            total = body.get("totalitems")
            if not items or not isinstance(total, int) or seen >= total:
                return

    async def site_products(self, site: str) -> AsyncIterator[dict[str, Any]]:
        """Every product of the site that is not deleted: pages from 0 until `TotalItems` came (or a page
        comes back empty)."""
        seen = 0
        for page in range(MAX_SEARCH_PAGES):
            params = {"pageNumber": page, "pageSize": PRODUCTS_PAGE_SIZE, "includeDeleted": "false"}
            body = lower_keys(await self.call("GET", f"site/{site}/products/", params=params))
            items = body.get("items")
            if not isinstance(items, list):
                raise PlatformUnavailable(f"{self.admin_url}: the products list did not answer Items")
            for product in items:
                if isinstance(product, dict):
                    yield product
            seen += len(items)
            total = body.get("totalitems")
            if not items or not isinstance(total, int) or seen >= total:
                return


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
