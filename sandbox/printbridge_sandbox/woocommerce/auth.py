"""How a WooCommerce site decides who is calling (`WC_REST_Authentication`).

Over HTTPS: the consumer key and secret as `consumer_key`/`consumer_secret` query parameters (read
first) or HTTP Basic auth. Over plain HTTP, and over HTTPS when those are absent: OAuth 1.0a
"one-legged" (RFC 5849 without a token), parameters in the query string, a form body or an
`Authorization: OAuth …` header; HMAC-SHA1 or HMAC-SHA256 keyed with `consumer_secret&`; the
timestamp within 15 minutes of the site's clock and the nonce unused within those 15 minutes.
"""

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlsplit

from printbridge_sandbox.woocommerce.state import ApiKey, Site
from printbridge_sandbox.woocommerce.wire import WPError

OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
TIMESTAMP_WINDOW_S = 15 * 60
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')
_BRACKETED = re.compile(r"^([^\[\]]+)\[([^\[\]]*)\]$")


def auth_error(message: str) -> WPError:
    return WPError("woocommerce_rest_authentication_error", message, 401)


@dataclass
class Caller:
    """The outcome of authentication: a key, or nobody, or a refusal to pass on."""

    key: ApiKey | None = None
    method: str | None = None  # "query", "basic" or "oauth1"
    error: WPError | None = None


@dataclass
class SignedRequest:
    """What the signature covers: the method, the URL and every parameter of the request."""

    method: str
    url_without_query: str
    params: dict[str, Any]


def rfc3986(text: str) -> str:
    """`rawurlencode()`: everything but A-Z a-z 0-9 - . _ ~ percent-encoded (UTF-8)."""
    return quote(text, safe="~")


def php_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`$_GET`/`$_POST` as PHP builds them: a repeated name keeps its last value; `name[]` collects a
    list and `name[key]` a map (one level, all this sandbox needs)."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        bracketed = _BRACKETED.match(name)
        if bracketed is None:
            params[name] = value
            continue
        base, index = bracketed.groups()
        container = params.get(base)
        if not isinstance(container, dict):
            container = {}
            params[base] = container
        container[index if index else str(len(container))] = value
    return params


def _pairs(params: dict[str, Any], prefix: str = "") -> list[str]:
    """Each parameter as the string `key=value`, arrays as `key%5B0%5D=value` (WooCommerce's
    `join_with_equals_sign()` on parameters already percent-encoded once)."""
    joined = []
    for name, value in params.items():
        key = f"{prefix}%5B{name}%5D" if prefix else name
        if isinstance(value, dict):
            joined.extend(_pairs(value, key))
        else:
            joined.append(rfc3986(f"{key}={value}"))
    return joined


def _normalised(params: dict[str, Any]) -> dict[str, Any]:
    return {
        rfc3986(name): _normalised(value) if isinstance(value, dict) else rfc3986(str(value))
        for name, value in params.items()
    }


def signature_base_string(signed: SignedRequest) -> str:
    params = {name: value for name, value in signed.params.items() if name != "oauth_signature"}
    ordered = dict(sorted(params.items(), key=lambda item: item[0].encode()))
    return "&".join(
        (signed.method.upper(), rfc3986(signed.url_without_query), "%26".join(_pairs(_normalised(ordered))))
    )


def signature(signed: SignedRequest, consumer_secret: str, method: str) -> str:
    algorithm = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
    digest = hmac.new(
        (consumer_secret + "&").encode(), signature_base_string(signed).encode(), algorithm
    ).digest()
    return base64.b64encode(digest).decode()


def parse_oauth_header(header: str) -> dict[str, str]:
    if not header.startswith("OAuth "):
        return {}
    params = {}
    for match in _HEADER_PARAM.finditer(header):
        quoted, bare = match.group(3), match.group(4)
        params[match.group(1)] = unquote_plus(quoted if quoted else bare)
    return params


def _basic_credentials(query: dict[str, Any], authorization: str) -> tuple[str, str] | None:
    key, secret = query.get("consumer_key"), query.get("consumer_secret")
    if isinstance(key, str) and isinstance(secret, str) and key and secret:
        return key, secret
    if authorization[:6].lower() == "basic ":
        try:
            user, _, password = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if user and password:
            return user, password
    return None


def _oauth(site: Site, signed: SignedRequest, caller: Caller) -> Caller:
    params = signed.params
    missing = [name for name in OAUTH_PARAMS if not params.get(name)]
    if len(missing) == len(OAUTH_PARAMS):
        return caller  # not trying OAuth at all
    if missing:
        noun = "parameter" if len(missing) == 1 else "parameters"
        error = WPError(
            "woocommerce_rest_authentication_missing_parameter",
            f"Missing OAuth {noun} {', '.join(missing)}",
            401,
        )
        return Caller(error=error, method="oauth1")
    key = site.key_by_consumer_key(str(params["oauth_consumer_key"]))
    if key is None:
        return Caller(error=auth_error("Consumer key is invalid."), method="oauth1")
    method = str(params["oauth_signature_method"])
    if method not in ("HMAC-SHA1", "HMAC-SHA256"):
        return Caller(error=auth_error("Invalid signature - signature method is invalid."), method="oauth1")
    given = unquote(str(params["oauth_signature"]).replace(" ", "+"))
    if not hmac.compare_digest(signature(signed, key.consumer_secret, method).encode(), given.encode()):
        return Caller(
            error=auth_error("Invalid signature - provided signature does not match."), method="oauth1"
        )
    replay = _check_timestamp_and_nonce(key, str(params["oauth_timestamp"]), str(params["oauth_nonce"]))
    if replay is not None:
        return Caller(error=replay, method="oauth1")
    # A refusal from the Basic attempt before stays the answer (WooCommerce keeps its first error).
    return Caller(key=key, method="oauth1", error=caller.error)


def _check_timestamp_and_nonce(key: ApiKey, timestamp: str, nonce: str) -> WPError | None:
    clock = int(time.time())
    try:
        stamp = int(timestamp)
    except ValueError:
        return auth_error("Invalid timestamp.")
    if not clock - TIMESTAMP_WINDOW_S <= stamp <= clock + TIMESTAMP_WINDOW_S:
        return auth_error("Invalid timestamp.")
    if nonce in key.nonces:
        return auth_error("Invalid nonce - nonce has already been used.")
    key.nonces = {seen: at for seen, at in key.nonces.items() if at >= clock - TIMESTAMP_WINDOW_S} | {
        nonce: stamp
    }
    return None


def authenticate(
    site: Site,
    *,
    method: str,
    url_without_query: str,
    query: dict[str, Any],
    form: dict[str, Any],
    authorization: str,
    is_ssl: bool,
) -> Caller:
    caller = Caller()
    if is_ssl:
        credentials = _basic_credentials(query, authorization)
        if credentials is not None:
            caller.method = "query" if query.get("consumer_key") else "basic"
            key = site.key_by_consumer_key(credentials[0])
            if key is not None:
                if hmac.compare_digest(key.consumer_secret.encode(), credentials[1].encode()):
                    return Caller(key=key, method=caller.method)
                caller.error = auth_error("Consumer secret is invalid.")
    params = {**query, **form, **parse_oauth_header(authorization.strip())}
    return _oauth(site, SignedRequest(method, url_without_query, params), caller)


def signature_url(site: Site, scheme: str, request_path: str) -> str:
    """The URL the signature covers: the site's home URL (its host, as configured, not the Host header)
    with the scheme of the request, and the path of the request below home."""
    home = urlsplit(site.home_url)
    below_home = request_path[len(home.path) :] if request_path.startswith(home.path) else request_path
    return f"{scheme}://{home.netloc}{home.path}/{below_home.lstrip('/')}"


def query_params(raw_query: str) -> dict[str, Any]:
    return php_params(parse_qsl(raw_query, keep_blank_values=True))


def key_permission_error(key: ApiKey, method: str) -> WPError | None:
    """`check_permissions()`: what a read-only or write-only key may not do, refused before routing."""
    if method in ("GET", "HEAD") and not key.permissions.can_read():
        return auth_error("The API key provided does not have read permissions.")
    if method in ("POST", "PUT", "PATCH", "DELETE") and not key.permissions.can_write():
        return auth_error("The API key provided does not have write permissions.")
    if method not in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        return auth_error("Unknown request method.")
    return None
