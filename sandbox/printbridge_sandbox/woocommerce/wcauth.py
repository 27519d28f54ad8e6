"""The app authorization endpoint (`WC_Auth`): `{home}/wc-auth/v1/authorize?app_name=…&scope=…&user_id=…
&return_url=…&callback_url=…` shows the merchant a grant page; "Approve" creates a key, POSTs it as JSON
to `callback_url` (which must be https) and redirects the browser to `return_url?success=1&user_id=…`.

The merchant's browser is taken to be logged in as the shop's administrator (no login form). Errors are
WordPress's `wp_die()` page with status 401, "Error: <message>."."""

import hashlib
import hmac
import html
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit

from starlette.responses import HTMLResponse, RedirectResponse, Response

from printbridge_sandbox.woocommerce import auth
from printbridge_sandbox.woocommerce.deliveries import Deliverer
from printbridge_sandbox.woocommerce.schemas import KeyCreate
from printbridge_sandbox.woocommerce.shop import create_key
from printbridge_sandbox.woocommerce.state import Delivery, Permission, Site, now
from printbridge_sandbox.woocommerce.wire import add_query_arg, php_json

PARAMS = ("app_name", "user_id", "return_url", "callback_url", "scope")
SCOPES = ("read", "write", "read_write")
SCOPE_NAMES = {"read": "Read", "write": "Write", "read_write": "Read/Write"}
CALLBACK_TIMEOUT_S = 60.0


class Refused(Exception):
    pass


def formatted_url(url: str) -> str:
    """`get_formatted_url()`: decoded, and https:// when it names no scheme."""
    decoded = unquote_plus(url)
    return decoded if "://" in decoded else "https://" + decoded


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.netloc)


def _validate(data: dict[str, Any], *, allow_http_callback: bool) -> dict[str, str]:
    for name in PARAMS:
        if not isinstance(data.get(name), str) or not data[name]:
            raise Refused(f"Missing parameter {name}")
    values = {name: str(data[name]) for name in PARAMS}
    if values["scope"] not in SCOPES:
        raise Refused(f"Invalid scope {values['scope']}")
    for name in ("return_url", "callback_url"):
        if not _valid_url(formatted_url(values[name])):
            raise Refused(f"The {formatted_url(values[name])} is not a valid URL")
    if not formatted_url(values["callback_url"]).lower().startswith("https://") and not allow_http_callback:
        raise Refused("The callback_url needs to be over SSL")
    return values


def _nonce(site: Site) -> str:
    return hmac.new(site.salt.encode(), b"wc_auth_grant_access", hashlib.sha256).hexdigest()[:10]


def _endpoint_url(site: Site, endpoint: str, values: dict[str, str], **extra: str) -> str:
    query = {
        "app_name": values["app_name"],
        "user_id": values["user_id"],
        "return_url": formatted_url(values["return_url"]),
        "callback_url": formatted_url(values["callback_url"]),
        "scope": values["scope"],
        **extra,
    }
    return f"{site.home_url}/wc-auth/v1/{endpoint}?{urlencode(query)}"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>",
        status,
    )


def _grant_page(site: Site, values: dict[str, str]) -> HTMLResponse:
    denied = add_query_arg(
        formatted_url(values["return_url"]), [("success", "0"), ("user_id", values["user_id"])]
    )
    granted = _endpoint_url(site, "access_granted", values, wc_auth_nonce=_nonce(site))
    app = html.escape(values["app_name"])
    body = (
        f'<div class="wc-auth-content"><p>{app} would like to connect to {html.escape(site.name)}. '
        f"This will give &quot;{app}&quot; <strong>{SCOPE_NAMES[values['scope']]}</strong> access.</p>"
        f'<p class="wc-auth-actions">'
        f'<a href="{html.escape(granted)}" class="button button-primary wc-auth-approve">Approve</a> '
        f'<a href="{html.escape(denied)}" class="button wc-auth-deny">Deny</a></p></div>'
    )
    return _page(f"{site.name} - Authorize", body)


async def _grant(site: Site, deliverer: Deliverer, values: dict[str, str]) -> Response:
    spec = KeyCreate(
        permissions=Permission(values["scope"]),
        description=f"{values['app_name'][:170]} - API ({now().strftime('%Y-%m-%d %H:%M:%S')})",
    )
    key = create_key(site, spec)
    body = php_json(
        {
            "key_id": key.key_id,
            "user_id": values["user_id"],
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
            "key_permissions": key.permissions.value,
        }
    )
    delivery = Delivery(
        number=site.next_delivery_number(),
        kind="key_callback",
        webhook_id=0,
        topic=None,
        delivery_url=formatted_url(values["callback_url"]),
        delivery_id=None,
        body=body,
        headers={"Content-Type": "application/json;charset=UTF-8"},
        queued_at=now(),
    )
    site.deliveries.append(delivery)
    status = await deliverer.post(delivery, CALLBACK_TIMEOUT_S)
    if status != 200:
        del site.keys[key.key_id]
        if status is None:
            raise Refused(delivery.error or "the callback_url cannot be reached")
        raise Refused(
            "An error occurred in the request and at the time were unable to send the consumer data"
        )
    return RedirectResponse(
        add_query_arg(
            formatted_url(values["return_url"]), [("success", "1"), ("user_id", values["user_id"])]
        ),
        302,
    )


async def handle(site: Site, deliverer: Deliverer, route: str, raw_query: str) -> Response:
    data = auth.query_params(raw_query)
    try:
        values = _validate(data, allow_http_callback=site.allow_http_callback)
        route = route.strip("/").lower()
        if route == "login":  # the merchant is logged in already
            return RedirectResponse(_endpoint_url(site, "authorize", values), 302)
        if route == "authorize":
            return _grant_page(site, values)
        if route == "access_granted":
            if not hmac.compare_digest(str(data.get("wc_auth_nonce", "")), _nonce(site)):
                raise Refused("Invalid nonce verification")
            return await _grant(site, deliverer, values)
        raise Refused("You do not have permission to access this page")
    except Refused as refusal:
        return _page("Access denied", f"<p>Error: {html.escape(str(refusal))}.</p>", 401)
