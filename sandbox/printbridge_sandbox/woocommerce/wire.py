"""What a WordPress site puts on the wire: PHP's JSON encoding, WP REST errors, WP's date format."""

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from starlette.responses import Response


def php_json(value: Any) -> bytes:
    """`wp_json_encode()`: compact, non-ASCII as \\uXXXX and "/" escaped as "\\/" (PHP's defaults).

    Webhook signatures cover these exact bytes, so a receiver that re-serialises the JSON it parsed
    gets a different body and a different signature, exactly as with a real store."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    # "/" only occurs inside JSON strings, so escaping it in the whole text is escaping it in strings.
    return text.replace("/", "\\/").encode("ascii")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        php_json(value), status_code=status, headers=headers, media_type="application/json; charset=UTF-8"
    )


class WPError(Exception):
    """A `WP_Error` as the REST server renders it: `{"code", "message", "data": {"status", …}}`."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}

    def response(self) -> Response:
        return json_response(self.body(), self.status)


def no_route() -> WPError:
    return WPError("rest_no_route", "No route was found matching the URL and request method.", 404)


def add_query_arg(url: str, params: list[tuple[str, str]]) -> str:
    """WordPress's `add_query_arg()`: `params` set on the URL's own query (replacing same names)."""
    parts = urlsplit(url)
    names = {name for name, _ in params}
    kept = [
        (name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in names
    ]
    return urlunsplit(parts._replace(query=urlencode(kept + params)))


def wp_date(moment: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    """`wc_rest_prepare_date_response()`: ISO 8601 without offset, in the site's zone or in UTC (`_gmt`)."""
    if moment is None:
        return None
    local = moment.astimezone(zone or UTC)
    return local.strftime("%Y-%m-%dT%H:%M:%S")


def money(amount: Any) -> str:
    """WooCommerce money: a string with the store's two decimals."""
    return f"{amount:.2f}"
