"""WooCommerce REST API v3 calls for one shop: authentication (HTTP Basic over HTTPS, or the key pair in
the query string where the host strips the Authorization header; OAuth 1.0a one-legged over plain
HTTP), the API at `/wp-json/` or, with plain permalinks, at `/?rest_route=`, paging by
`page`/`per_page` until `X-WP-TotalPages`, patience with 429 (`Retry-After`, bounded), and transient
failures (5xx, timeouts, refused connections) as `PlatformUnavailable`. What a 4xx means is the
caller's to say (connecting and polling differ)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from connectors.platforms.base import PlatformUnavailable, retry_after_seconds
from connectors.platforms.woocommerce import oauth1

API_PREFIX = "/wp-json/wc/v3/"
REST_ROUTE_PREFIX = "/wc/v3/"
# How a shop is called, kept with its credentials (`api`, `auth`): what connecting found to work.
PRETTY, REST_ROUTE = "wp-json", "rest_route"
BASIC, QUERY = "basic", "query"
PER_PAGE = 100  # WordPress caps a collection page at 100
# 429s: at most this many waits per call, none longer than MAX_WAIT_S (a longer ask fails the call as
# unavailable, with the shop's wish as retry_after, so the job retries later instead of blocking).
MAX_RATE_LIMIT_WAITS = 3
MAX_WAIT_S = 30.0

Sleep = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int]


class WooApiError(Exception):
    """A 4xx answer (other than 429): its status, WordPress's error `code` and `message`."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.code, self.message = "", response.text[:300]
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            self.code = str(body.get("code") or "")
            self.message = str(body.get("message") or self.message)
        super().__init__(f"{self.status} {self.code}: {self.message}")


class WooClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        site_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        timeout: httpx.Timeout | None = None,
        sleep: Sleep = asyncio.sleep,
        max_wait_s: float = MAX_WAIT_S,
        api: str = PRETTY,
        auth: str = BASIC,
    ) -> None:
        self.http = http
        self.site_url = site_url.rstrip("/")
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.over_https = self.site_url.startswith("https://")
        self.timeout = timeout
        self.sleep = sleep
        self.max_wait_s = max_wait_s
        self.api = api
        self.auth = auth

    def url(self, path: str) -> httpx.URL:
        if self.api == REST_ROUTE:
            return httpx.URL(self.site_url + "/")
        return httpx.URL(self.site_url + API_PREFIX + path.lstrip("/"))

    def index_request(self) -> tuple[httpx.URL, list[tuple[str, str]]]:
        """Where the site's REST index is (public: no authentication)."""
        if self.api == REST_ROUTE:
            return httpx.URL(self.site_url + "/"), [("rest_route", "/")]
        return httpx.URL(self.site_url + "/wp-json/"), []

    async def send(
        self, method: str, path: str, params: Params | None = None, json: Any = None
    ) -> httpx.Response:
        """One call, authenticated; 429 waited out (bounded). Returns a 2xx response; raises
        `WooApiError` on another 4xx and `PlatformUnavailable` on 5xx or when the shop cannot be reached
        (`UrlNotAllowed` passes through: the address is not one we call)."""
        url = self.url(path)
        query = [(k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (params or {}).items()]
        if self.api == REST_ROUTE:
            query.insert(0, ("rest_route", REST_ROUTE_PREFIX + path.lstrip("/")))
        for waited in range(MAX_RATE_LIMIT_WAITS + 1):
            response = await self._send_once(method, url, query, json)
            if response.status_code != 429:
                break
            wait = retry_after_seconds(response.headers.get("Retry-After"), default=1.0)
            if waited == MAX_RATE_LIMIT_WAITS or wait > self.max_wait_s:
                raise PlatformUnavailable(
                    f"{self.site_url} keeps answering 429 (too many requests)", retry_after=wait
                )
            await self.sleep(wait)
        if response.status_code >= 500:
            raise PlatformUnavailable(f"{self.site_url} answered {response.status_code} to {method} {path}")
        if response.status_code >= 400:
            raise WooApiError(response)
        return response

    async def _send_once(
        self, method: str, url: httpx.URL, query: list[tuple[str, str]], json: Any
    ) -> httpx.Response:
        auth: tuple[str, str] | None = None
        if self.over_https and self.auth == QUERY:
            # Documented for hosts that drop the Authorization header (only ever over HTTPS).
            query = [*query, ("consumer_key", self.consumer_key), ("consumer_secret", self.consumer_secret)]
        elif self.over_https:
            auth = (self.consumer_key, self.consumer_secret)
        else:
            query = oauth1.sign(method, url, query, self.consumer_key, self.consumer_secret)
        options: dict[str, Any] = {"params": query, "json": json, "auth": auth}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        try:
            return await self.http.request(method, url, **options)
        except httpx.TimeoutException:
            raise PlatformUnavailable(f"{self.site_url} did not answer in time") from None
        except httpx.TransportError as exc:
            raise PlatformUnavailable(f"{self.site_url} cannot be reached: {exc}") from None

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        return _json(await self.send("GET", path, params), path)

    async def pages(self, path: str, params: Params | None = None) -> AsyncIterator[list[Any]]:
        """Each page of a collection, `per_page=100`, until `X-WP-TotalPages` (or a short page when the
        header is missing)."""
        page = 1
        while True:
            response = await self.send("GET", path, {**(params or {}), "per_page": PER_PAGE, "page": page})
            items = _json(response, path)
            if not isinstance(items, list):
                raise PlatformUnavailable(f"{self.site_url}: {path} did not answer a list")
            yield items
            total_pages = response.headers.get("X-WP-TotalPages")
            if total_pages is not None and total_pages.strip().isdigit():
                if page >= int(total_pages):
                    return
            elif len(items) < PER_PAGE:
                return
            if not items:
                return
            page += 1


def _json(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformUnavailable(f"{response.request.url.host}: {path} did not answer JSON") from None
