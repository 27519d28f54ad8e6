"""The distributed gateway: an nginx configuration rendered from the route table and the gateway
settings, so nginx applies the same edge rules as the embedded gateway (printbridge/gateway.py) and
the two can never drift. `render_nginx_conf` is a pure function; `write_site` lays out everything
nginx reads at run time (config, merged OpenAPI document, docs page, Swagger UI assets)."""

import json
import math
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from printbridge.config import GatewaySettings
from printbridge.console_site import CONSOLE_CSP, CONSOLE_DIR, CONSOLE_PREFIX
from printbridge.docs_page import ASSETS_DIR, DOCS_CSP, DOCS_HTML
from printbridge_shared.errors import TYPE_BASE
from printbridge_shared.http import REQUEST_ID_PATTERN, too_large_detail
from printbridge_shared.routes import INTERNAL_PREFIX, ROUTES, SERVICES_BY_NAME, Route, RouteTable
from printbridge_shared.security_headers import NOSNIFF

CONF_NAME = "nginx.conf"
OPENAPI_NAME = "openapi.json"
DOCS_NAME = "docs.html"
ASSETS_NAME = "assets"
CONSOLE_NAME = "console"
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"
CORS_ALLOW_HEADERS = "Authorization, Content-Type, X-Request-ID"
CORS_EXPOSE_HEADERS = "X-Request-ID, Location, Retry-After"
CORS_MAX_AGE = 600
UPSTREAM_KEEPALIVE = 64
RESOLVER_VALID_SECONDS = 10
RESOLVER_TIMEOUT_SECONDS = 5

# Everything interpolated into the configuration is checked, so a setting can never inject directives.
_ADDRESS = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$|^unix:/[A-Za-z0-9._/-]+$")
_ORIGIN = re.compile(r"^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
_HOST = re.compile(r"^(\[?[0-9A-Fa-f:.]+\]?|[A-Za-z0-9.-]+)$")
_RESOLVER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$")
_UNSAFE_PATH_CHARS = set("\"$\\;{}\n\r'")
# A route's regex as routes.py builds it: literal segments (dots escaped) or `[^/]+`, whole segments.
_ROUTE_REGEX = re.compile(r"\^(/(([A-Za-z0-9_-]|\\\.)+|\[\^/\]\+))+\(\?:/\|\$\)")


class GatewayConfigError(ValueError):
    """A setting that cannot go into the nginx configuration; the message names it and the fix."""


def render_nginx_conf(
    settings: GatewaySettings,
    site_dir: Path,
    upstreams: Mapping[str, Sequence[str]],
    routes: RouteTable = ROUTES,
    *,
    resolver_valid_seconds: int = RESOLVER_VALID_SECONDS,
) -> str:
    """The complete nginx.conf. `site_dir` is where nginx finds the files `write_site` writes and keeps
    its pid and temp files, so it runs as any user; `upstreams` maps each service to its addresses.
    With PRINTBRIDGE_GATEWAY_RESOLVER set, each service's one address is a name nginx resolves again
    every `resolver_valid_seconds` (see `_resolved_upstreams`) instead of an upstream block."""
    site = _path(site_dir)
    resolvers = _resolvers(settings.gateway_resolver)
    lines: list[str] = [
        "# Rendered by `printbridge gateway-config` from the route table (printbridge_shared/routes.py)",
        "# and the PRINTBRIDGE_* gateway settings. Do not edit: change the settings and render again.",
        "daemon off;",
        "worker_processes auto;",
        f'pid "{site}/nginx.pid";',
        "error_log stderr warn;",
        "",
        "events {",
        "    worker_connections 4096;",
        "}",
        "",
        "http {",
        "    server_tokens off;",
        "    charset utf-8;",
        "    sendfile on;",
        "    keepalive_timeout 65s;",
        "    default_type application/octet-stream;",
        "    types {",
        "        text/html html;",
        "        text/css css;",
        "        application/javascript js;",
        "        application/json json map;",
        "        image/png png;",
        "    }",
        *(f'    {kind}_temp_path "{site}/tmp/{kind}";' for kind in TEMP_KINDS),
        "",
        *_indent(_access_log(settings), 1),
        "",
        *_indent(_request_id_map(), 1),
        *_indent(_docs_csp_map(), 1),
        *_indent(_cors_maps(settings.cors_origins), 1),
        *_indent(_rate_limit_zone(settings), 1),
        "",
        *_indent(
            _resolved_upstreams(resolvers, resolver_valid_seconds, routes, upstreams)
            if resolvers
            else _upstreams(routes, upstreams),
            1,
        ),
        *_indent(_server(settings, site, routes), 1),
        "}",
    ]
    return "\n".join(lines) + "\n"


def _access_log(settings: GatewaySettings) -> list[str]:
    if not settings.access_log:
        return ["access_log off;"]
    fields = {
        "timestamp": '"$time_iso8601"',
        "level": '"info"',
        "logger": '"printbridge.gateway"',
        "event": '"request"',
        "method": '"$request_method"',
        "path": '"$uri"',
        "status": "$status",
        "duration_seconds": "$request_time",
        "request_id": '"$pb_request_id"',
        "client": '"$remote_addr"',
        "bytes_sent": "$body_bytes_sent",
        "upstream": '"$upstream_addr"',
        "upstream_status": '"$upstream_status"',
        "upstream_seconds": '"$upstream_response_time"',
    }
    body = ",".join(f'"{name}":{value}' for name, value in fields.items())
    return [
        "# One JSON line per request, with the request id the services log too.",
        f"log_format pb_json escape=json '{{{body}}}';",
        "access_log /dev/stderr pb_json;",
    ]


def _request_id_map() -> list[str]:
    return [
        "# A sane incoming X-Request-ID is kept; a missing or odd one is replaced by nginx's own id.",
        "map $http_x_request_id $pb_request_id {",
        "    default $request_id;",
        f'    "~{REQUEST_ID_PATTERN}" $http_x_request_id;',
        "}",
    ]


def _docs_csp_map() -> list[str]:
    for csp in (DOCS_CSP, CONSOLE_CSP):
        if any(unsafe in csp for unsafe in ('"', "$", "\\")):
            raise GatewayConfigError(f"a page's Content-Security-Policy cannot go in nginx's quotes: {csp}")
    return [
        "# The Content-Security-Policy of /docs and the console; the services' own pages send theirs.",
        "map $uri $pb_page_csp {",
        '    default "";',
        f'    /docs "{DOCS_CSP}";',
        f'    /docs/ "{DOCS_CSP}";',
        f'    "~^{CONSOLE_PREFIX}(/|$)" "{CONSOLE_CSP}";',
        "}",
    ]


def _cors_maps(origins: Sequence[str]) -> list[str]:
    if not origins:
        return []
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise GatewayConfigError(
                f"PRINTBRIDGE_CORS_ORIGINS entry {origin!r} is not an origin; use e.g. https://app.example.com"
            )
    if "*" in origins:
        origin_rules = ['    default "*";']
    else:
        origin_rules = ['    default "";', *(f'    "{origin}" $http_origin;' for origin in origins)]
    return [
        "# CORS: the origin is echoed only for the configured ones; preflights are answered here.",
        "map $http_origin $pb_cors_origin {",
        *origin_rules,
        "}",
        'map "$request_method:$http_access_control_request_method" $pb_preflight {',
        "    default 0;",
        '    "~^OPTIONS:." 1;',
        "}",
        'map "$pb_preflight:$pb_cors_origin" $pb_cors_methods {',
        '    default "";',
        f'    "~^1:." "{CORS_METHODS}";',
        "}",
        'map "$pb_preflight:$pb_cors_origin" $pb_cors_allow_headers {',
        '    default "";',
        f'    "~^1:." "{CORS_ALLOW_HEADERS}";',
        "}",
        'map "$pb_preflight:$pb_cors_origin" $pb_cors_max_age {',
        '    default "";',
        f'    "~^1:." "{CORS_MAX_AGE}";',
        "}",
        'map "$pb_preflight:$pb_cors_origin" $pb_cors_expose_headers {',
        '    default "";',
        f'    "~^0:." "{CORS_EXPOSE_HEADERS}";',
        "}",
        "map $http_origin $pb_vary_origin {",
        '    default "Origin";',
        '    "" "";',
        "}",
    ]


def nginx_rate(per_second: float) -> str:
    """nginx takes whole requests per second or per minute; fractions become per minute."""
    if per_second >= 1 and per_second == int(per_second):
        return f"{int(per_second)}r/s"
    return f"{max(1, round(per_second * 60))}r/m"


def _rate_limit_zone(settings: GatewaySettings) -> list[str]:
    if settings.rate_limit_per_second <= 0:
        return []
    retry_after = max(1, math.ceil(1 / settings.rate_limit_per_second))
    return [
        "# Per client address, like the embedded gateway's token bucket.",
        "limit_req_zone $binary_remote_addr zone=pb_per_client:20m "
        f"rate={nginx_rate(settings.rate_limit_per_second)};",
        "map $status $pb_retry_after {",
        '    default "";',
        f'    429 "{retry_after}";',
        "}",
    ]


def _upstream_name(service: str) -> str:
    return "pb_" + service.replace("-", "_")


def _upstream_variable(service: str) -> str:
    return "$pb_address_" + service.replace("-", "_")


def _resolvers(setting: str) -> list[str]:
    resolvers = [part.strip() for part in setting.split(",") if part.strip()]
    for resolver in resolvers:
        if not _RESOLVER.fullmatch(resolver):
            raise GatewayConfigError(
                f"PRINTBRIDGE_GATEWAY_RESOLVER entry {resolver!r} is not a DNS server address; use e.g. "
                "127.0.0.11 (Docker) or kube-dns.kube-system.svc.cluster.local (Kubernetes)"
            )
    return resolvers


def _resolved_upstreams(
    resolvers: Sequence[str], valid_seconds: int, routes: RouteTable, upstreams: Mapping[str, Sequence[str]]
) -> list[str]:
    """nginx resolves a name in an upstream block once, at start; a name in a variable it resolves when
    a request needs it, through `resolver`, and again once the answer is `valid_seconds` old. So each
    service's address goes into a variable (a map with only a default) that proxy_pass uses. Requests to
    a name with several addresses (a scaled compose service, a headless Service) are spread over them.
    There is no upstream block, so no keepalive pool: each request opens its own connection."""
    lines = [
        "# The upstreams' names are resolved again every "
        f"{valid_seconds} s (PRINTBRIDGE_GATEWAY_RESOLVER), so a recreated",
        "# container or pod is found at its new address.",
        f"resolver {' '.join(resolvers)} valid={valid_seconds}s;",
        f"resolver_timeout {RESOLVER_TIMEOUT_SECONDS}s;",
    ]
    for service in routes.services:
        addresses = upstreams.get(service)
        if not addresses:
            raise GatewayConfigError(f"no upstream address for service {service}")
        setting = SERVICES_BY_NAME[service].env_prefix + "UPSTREAM"
        if len(addresses) != 1 or not _HOST_PORT.fullmatch(addresses[0]):
            example = f"{service}:{SERVICES_BY_NAME[service].port}"
            raise GatewayConfigError(
                f"with PRINTBRIDGE_GATEWAY_RESOLVER set, {setting} must be one host:port whose name resolves "
                f"to every replica (e.g. {example}), not {','.join(addresses)!r}"
            )
        lines += [f'map "" {_upstream_variable(service)} {{', f'    default "{addresses[0]}";', "}"]
    return lines


def _upstreams(routes: RouteTable, upstreams: Mapping[str, Sequence[str]]) -> list[str]:
    lines: list[str] = []
    for service in routes.services:
        addresses = upstreams.get(service)
        if not addresses:
            raise GatewayConfigError(f"no upstream address for service {service}")
        lines.append(f"upstream {_upstream_name(service)} {{")
        for address in addresses:
            if not _ADDRESS.fullmatch(address):
                raise GatewayConfigError(
                    f"upstream address {address!r} of {service} must be host:port (e.g. 10.0.0.5:8101)"
                )
            lines.append(f"    server {address} max_fails=0;")
        lines += [f"    keepalive {UPSTREAM_KEEPALIVE};", "    keepalive_timeout 60s;", "}"]
    return lines


def _problem(status: int, code: str, title: str, detail: str) -> str:
    """A static problem+json body for nginx's `return`; static because nginx cannot escape JSON."""
    body = json.dumps({"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail})
    assert "'" not in body and "$" not in body and "\\" not in body
    return f"'{body}'"


def _answer(status: int, code: str, title: str, detail: str) -> list[str]:
    return [
        "default_type application/problem+json;",
        f"return {status} {_problem(status, code, title, detail)};",
    ]


def _listen(settings: GatewaySettings) -> str:
    host = settings.host
    if not _HOST.fullmatch(host):
        raise GatewayConfigError(f"PRINTBRIDGE_HOST {host!r} is not an address; use 127.0.0.1 or 0.0.0.0")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"listen {host}:{settings.port};"


def _too_large_location(limit: int) -> str:
    return f"@pb_too_large_{limit}"


def _error_pages(settings: GatewaySettings, body_limit: int) -> list[str]:
    """nginx inherits `error_page` only into a block that sets none itself, so a route with its own body
    limit repeats all of them with its own 413 answer."""
    lines = []
    if settings.rate_limit_per_second > 0:
        lines.append("error_page 429 @pb_rate_limited;")
    return [
        *lines,
        f"error_page 413 {_too_large_location(body_limit)};",
        "error_page 502 @pb_bad_gateway;",
        "error_page 504 @pb_gateway_timeout;",
    ]


def _route_location(route: Route, settings: GatewaySettings) -> list[str]:
    """One regex location per route, in the table's order (most specific first): nginx takes the first
    regex location that matches, as the embedded dispatcher takes the first route."""
    if not _ROUTE_REGEX.fullmatch(route.regex):
        raise GatewayConfigError(
            f"route {route.pattern!r} has a regex nginx must not be given: {route.regex}"
        )
    resolved = bool(_resolvers(settings.gateway_resolver))
    target = _upstream_variable(route.service) if resolved else _upstream_name(route.service)
    proxy = f"proxy_pass http://{target};"
    if route.max_body_bytes is None:
        return [f"location ~ {route.regex} {{ {proxy} }}"]
    return [
        f"location ~ {route.regex} {{",
        f"    client_max_body_size {_body_limit(route.max_body_bytes, route.pattern)};",
        *_indent(_error_pages(settings, route.max_body_bytes), 1),
        f"    {proxy}",
        "}",
    ]


def _body_limit(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise GatewayConfigError(f"the body limit of {what} must be a whole number of bytes, 0 or more")
    return value


def _server(settings: GatewaySettings, site: str, routes: RouteTable) -> list[str]:
    default_limit = _body_limit(settings.max_body_bytes, "PRINTBRIDGE_MAX_BODY_BYTES")
    lines = [
        "server {",
        f"    {_listen(settings)}",
        "    server_name _;",
        f"    client_max_body_size {default_limit};",
        "",
        "    # Headers on every answer, nginx's own included (`always`); empty values add nothing.",
        "    add_header X-Request-ID $pb_request_id always;",
        f"    add_header {NOSNIFF[0]} {NOSNIFF[1]} always;",
        "    add_header Content-Security-Policy $pb_page_csp always;",
        f"    proxy_hide_header {NOSNIFF[0]};",
    ]
    if settings.cors_origins:
        lines += [
            "    add_header Access-Control-Allow-Origin $pb_cors_origin always;",
            "    add_header Access-Control-Allow-Methods $pb_cors_methods always;",
            "    add_header Access-Control-Allow-Headers $pb_cors_allow_headers always;",
            "    add_header Access-Control-Max-Age $pb_cors_max_age always;",
            "    add_header Access-Control-Expose-Headers $pb_cors_expose_headers always;",
            "    add_header Vary $pb_vary_origin always;",
            "    if ($pb_preflight) {",
            "        return 204;",
            "    }",
        ]
    if settings.rate_limit_per_second > 0:
        burst = f" burst={settings.rate_limit_burst} nodelay" if settings.rate_limit_burst > 0 else ""
        lines += [
            "    add_header Retry-After $pb_retry_after always;",
            f"    limit_req zone=pb_per_client{burst};",
            "    limit_req_status 429;",
        ]
    lines += [
        *_indent(_error_pages(settings, default_limit), 1),
        "",
        "    proxy_http_version 1.1;",
        '    proxy_set_header Connection "";',
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Request-ID $pb_request_id;",
        "    proxy_set_header X-Real-IP $remote_addr;",
        "    proxy_set_header X-Forwarded-For $remote_addr;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Forwarded-Host $host;",
        "    proxy_hide_header X-Request-ID;",
        "    proxy_read_timeout 60s;",
        "",
        "    # The route table, most specific first; whole path segments only (/v1/x and /v1/x/…, never",
        "    # /v1/xy). The locations below are exact or `^~` prefixes, which no route shares.",
    ]
    for route in routes:
        lines += _indent(_route_location(route, settings), 1)
    refused = _answer(404, "not-found", "Not found", "No such route; see /docs.")
    lines += [
        "",
        "    # Service-to-service endpoints are never reachable from outside.",
        f"    location = {INTERNAL_PREFIX} {{ {' '.join(refused)} }}",
        f"    location ^~ {INTERNAL_PREFIX}/ {{ {' '.join(refused)} }}",
        "",
        "    location = /healthz {",
        "        default_type application/json;",
        """        return 200 '{"status":"ok","service":"gateway"}';""",
        "    }",
        "    location = /openapi.json {",
        f'        alias "{site}/{OPENAPI_NAME}";',
        "    }",
        "    location = /docs {",
        "        default_type text/html;",
        f'        alias "{site}/{DOCS_NAME}";',
        "    }",
        "    location = /docs/ {",
        "        default_type text/html;",
        f'        alias "{site}/{DOCS_NAME}";',
        "    }",
        "    location ^~ /docs/assets/ {",
        f'        alias "{site}/{ASSETS_NAME}/";',
        "        expires 1h;",
        "    }",
        f"    location = {CONSOLE_PREFIX} {{",
        "        default_type text/html;",
        f'        alias "{site}/{CONSOLE_NAME}/index.html";',
        "        expires -1;",
        "    }",
        f"    location ^~ {CONSOLE_PREFIX}/ {{",
        f'        alias "{site}/{CONSOLE_NAME}/";',
        "        index index.html;",
        "        expires -1;",
        "    }",
        "    location / {",
        *_indent(refused, 2),
        "    }",
        "",
    ]
    limits = dict.fromkeys(
        [default_limit, *(r.max_body_bytes for r in routes if r.max_body_bytes is not None)]
    )
    for limit in limits:
        body_detail = too_large_detail(limit)
        lines += [
            f"    location {_too_large_location(limit)} {{",
            *_indent(_answer(413, "payload-too-large", "Payload too large", body_detail), 2),
            "    }",
        ]
    if settings.rate_limit_per_second > 0:
        lines += [
            "    location @pb_rate_limited {",
            *_indent(_answer(429, "rate-limited", "Too many requests", "Slow down; retry shortly."), 2),
            "    }",
        ]
    lines += [
        "    location @pb_bad_gateway {",
        *_indent(_answer(502, "bad-gateway", "Bad gateway", "The service is not answering; retry."), 2),
        "    }",
        "    location @pb_gateway_timeout {",
        *_indent(_answer(504, "gateway-timeout", "Gateway timeout", "The service took too long; retry."), 2),
        "    }",
        "}",
    ]
    return lines


def _indent(lines: Sequence[str], levels: int) -> list[str]:
    pad = "    " * levels
    return [pad + line if line else line for line in lines]


def _path(path: Path) -> str:
    text = str(path)
    if not path.is_absolute() or _UNSAFE_PATH_CHARS & set(text):
        raise GatewayConfigError(f"site directory {text!r} must be an absolute path without quotes or $")
    return text.rstrip("/")


def write_site(
    site_dir: Path,
    settings: GatewaySettings,
    upstreams: Mapping[str, Sequence[str]],
    openapi_document: Mapping[str, Any],
    *,
    copy_assets: bool = False,
    routes: RouteTable = ROUTES,
) -> Path:
    """Writes nginx.conf, openapi.json, docs.html and the temp directories into `site_dir` and links
    the Swagger UI assets and the console (or copies them, for a gateway host without the Python
    package). Returns the configuration's path."""
    site_dir = site_dir.resolve()
    conf = render_nginx_conf(settings, site_dir, upstreams, routes)
    for kind in TEMP_KINDS:
        (site_dir / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    (site_dir / OPENAPI_NAME).write_text(json.dumps(openapi_document), encoding="utf-8")
    (site_dir / DOCS_NAME).write_text(DOCS_HTML, encoding="utf-8")
    for source, name in ((ASSETS_DIR, ASSETS_NAME), (CONSOLE_DIR, CONSOLE_NAME)):
        target = site_dir / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        if copy_assets:
            shutil.copytree(source, target)
        else:
            target.symlink_to(source, target_is_directory=True)
    conf_path = site_dir / CONF_NAME
    conf_path.write_text(conf, encoding="utf-8")
    return conf_path


def nginx_command(nginx_bin: str, conf_path: Path) -> list[str]:
    """nginx in the foreground with its prefix in the site directory and early errors on stderr,
    so it needs no write access outside the site directory."""
    return [nginx_bin, "-p", str(conf_path.parent), "-c", str(conf_path), "-e", "stderr"]
