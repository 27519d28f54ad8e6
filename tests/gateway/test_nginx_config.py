"""The nginx configuration of the distributed gateway, rendered from the route table and settings."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from printbridge.config import GatewaySettings
from printbridge.distributed import placements, upstreams_of
from printbridge.nginx import GatewayConfigError, nginx_rate, render_nginx_conf, write_site
from printbridge_shared.routes import (
    ORDER_IMPORT_MAX_BYTES,
    PRODUCT_IMPORT_MAX_BYTES,
    ROUTES,
    SERVICES,
    Route,
    RouteTable,
)

NGINX = "/usr/sbin/nginx"
SITE = Path("/srv/printbridge/gateway")


def default_upstreams() -> dict[str, tuple[str, ...]]:
    """Every service on this machine at its route-table port, as run-dist places them by default."""
    return upstreams_of(placements({}))


def render(
    upstreams: dict[str, tuple[str, ...]] | None = None, routes: RouteTable = ROUTES, **settings: Any
) -> str:
    return render_nginx_conf(GatewaySettings(**settings), SITE, upstreams or default_upstreams(), routes)


def block(conf: str, opening: str) -> str:
    """The text of the block that starts with `opening` (up to its closing brace)."""
    start = conf.index(opening + " {")
    depth = 0
    for index in range(start, len(conf)):
        if conf[index] == "{":
            depth += 1
        elif conf[index] == "}":
            depth -= 1
            if depth == 0:
                return conf[start : index + 1]
    raise AssertionError(f"unclosed block {opening}")


def route_locations(conf: str) -> list[str]:
    return re.findall(r"^\s+location ~ (\S+) \{", conf, flags=re.MULTILINE)


def test_every_route_is_a_regex_location_of_its_service_on_whole_path_segments_only() -> None:
    conf = render()
    for route in ROUTES:
        upstream = "pb_" + route.service.replace("-", "_")
        if route.max_body_bytes is None:
            assert f"location ~ {route.regex} {{ proxy_pass http://{upstream}; }}" in conf
        else:  # a block of its own, with its body limit
            assert f"proxy_pass http://{upstream};" in block(conf, f"location ~ {route.regex}")
        assert route.regex.endswith("(?:/|$)"), "without it /v1/customers would also match /v1/customersx"
    assert "location ^~ /v1/" not in conf, "a ^~ prefix location would hide the regex locations under it"


def test_routes_are_rendered_most_specific_first_as_nginx_takes_the_first_regex_that_matches() -> None:
    regexes = route_locations(render())
    assert regexes == [route.regex for route in ROUTES]
    nested = regexes.index("^/v1/stores/[^/]+/products(?:/|$)")
    assert nested < regexes.index("^/v1/stores(?:/|$)")


def test_a_route_with_its_own_body_limit_answers_413_with_that_limit() -> None:
    routes = RouteTable([*ROUTES, Route("/v1/catalog/import", "mapping", max_body_bytes=10_000_000)])
    conf = render(routes=routes, max_body_bytes=2048, rate_limit_per_second=5)
    upload = block(conf, "location ~ ^/v1/catalog/import(?:/|$)")
    assert "client_max_body_size 10000000;" in upload
    assert "error_page 413 @pb_too_large_10000000;" in upload
    # nginx drops every inherited error_page in a block that sets one, so all of them are repeated.
    assert {"error_page 429 @pb_rate_limited;", "error_page 502 @pb_bad_gateway;"} <= set(
        line.strip() for line in upload.splitlines()
    )
    assert "larger than 10000000 bytes" in block(conf, "location @pb_too_large_10000000")
    assert "client_max_body_size" not in block(conf, "location ~ ^/v1/catalog(?:/|$)")


def test_the_order_import_upload_takes_csv_files_up_to_its_own_limit() -> None:
    upload = block(render(), "location ~ ^/v1/stores/[^/]+/orders/imports(?:/|$)")
    assert f"client_max_body_size {ORDER_IMPORT_MAX_BYTES};" in upload
    assert "proxy_pass http://pb_orders;" in upload


def test_the_mapping_csv_import_takes_files_up_to_its_own_limit_and_its_progress_reaches_mapping() -> None:
    conf = render()
    upload = block(conf, "location ~ ^/v1/stores/[^/]+/products/import(?:/|$)")
    assert f"client_max_body_size {PRODUCT_IMPORT_MAX_BYTES};" in upload
    assert "proxy_pass http://pb_mapping;" in upload
    assert "proxy_pass http://pb_mapping;" in block(conf, "location ~ ^/v1/product-imports(?:/|$)")
    assert ROUTES.service_for_path("/v1/stores/7/products/imports") == "mapping"
    assert ROUTES.max_body_bytes_for("/v1/stores/7/products/imports", 1024) == 1024


def test_a_route_regex_that_could_inject_directives_is_refused() -> None:
    class Sneaky(Route):
        @property
        def regex(self) -> str:  # type: ignore[override]
            return "^/v1/x { return 200; } location ~ ^/(?:/|$)"

    with pytest.raises(GatewayConfigError, match="/v1/x"):
        render(routes=RouteTable([Sneaky("/v1/x", "orders")]))


def test_each_service_has_one_keepalive_upstream_at_its_route_table_port() -> None:
    conf = render()
    for service in SERVICES:
        upstream = block(conf, "upstream pb_" + service.package)
        assert f"server 127.0.0.1:{service.port} " in upstream
        assert "keepalive " in upstream
    assert "proxy_http_version 1.1;" in conf
    assert 'proxy_set_header Connection "";' in conf


def test_internal_paths_are_refused_with_a_problem_404() -> None:
    conf = render()
    for opening in ("location = /internal", "location ^~ /internal/"):
        refused = block(conf, opening)
        assert "default_type application/problem+json;" in refused
        assert "return 404 " in refused
        assert "proxy_pass" not in refused


def test_unknown_paths_get_a_problem_404() -> None:
    fallback = block(render(), "location /")
    assert "return 404 " in fallback
    assert '"status": 404' in fallback


def test_the_body_limit_answers_413_as_problem_json() -> None:
    conf = render(max_body_bytes=2048)
    assert "client_max_body_size 2048;" in conf
    assert "error_page 413 @pb_too_large_2048;" in conf
    too_large = block(conf, "location @pb_too_large_2048")
    assert "default_type application/problem+json;" in too_large
    assert "return 413 " in too_large
    assert "larger than 2048 bytes" in too_large


def test_the_rate_limit_is_per_client_address_with_a_burst_and_answers_429() -> None:
    conf = render(rate_limit_per_second=50, rate_limit_burst=80)
    assert "limit_req_zone $binary_remote_addr zone=pb_per_client:20m rate=50r/s;" in conf
    assert "limit_req zone=pb_per_client burst=80 nodelay;" in conf
    assert "limit_req_status 429;" in conf
    assert "return 429 " in block(conf, "location @pb_rate_limited")


def test_a_rate_limit_of_zero_leaves_the_rate_limit_out() -> None:
    conf = render(rate_limit_per_second=0)
    assert "limit_req" not in conf
    assert "@pb_rate_limited" not in conf
    assert "Retry-After" not in conf.replace("X-Request-ID, Location, Retry-After", "")


def test_fractional_rates_become_requests_per_minute() -> None:
    assert nginx_rate(100) == "100r/s"
    assert nginx_rate(2.5) == "150r/m"
    assert nginx_rate(0.001) == "1r/m"


def test_request_ids_are_kept_when_sane_generated_otherwise_and_sent_both_ways() -> None:
    conf = render()
    request_id_map = block(conf, "map $http_x_request_id $pb_request_id")
    assert "default $request_id;" in request_id_map
    assert '"~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;' in request_id_map
    assert "proxy_set_header X-Request-ID $pb_request_id;" in conf
    assert "add_header X-Request-ID $pb_request_id always;" in conf
    assert "proxy_hide_header X-Request-ID;" in conf
    assert '"request_id":"$pb_request_id"' in conf


def test_cors_echoes_only_configured_origins_and_answers_preflights() -> None:
    conf = render(cors_origins=["https://app.example.com", "http://localhost:5173"])
    origins = block(conf, "map $http_origin $pb_cors_origin")
    assert 'default "";' in origins
    assert '"https://app.example.com" $http_origin;' in origins
    assert '"http://localhost:5173" $http_origin;' in origins
    assert "add_header Access-Control-Allow-Origin $pb_cors_origin always;" in conf
    assert "return 204;" in block(conf, "if ($pb_preflight)")


def test_without_origins_there_are_no_cors_headers() -> None:
    assert "Access-Control" not in render(cors_origins=[])


def test_an_upstream_override_points_a_service_at_other_hosts() -> None:
    environ = {"PRINTBRIDGE_CUSTOMERS_UPSTREAM": "10.0.0.5:8101, 10.0.0.6:8101"}
    plan = {p.service.name: p for p in placements(environ)}
    assert not plan["customers"].local
    assert plan["orders"].local
    customers = block(render(upstreams_of(list(plan.values()))), "upstream pb_customers")
    assert "server 10.0.0.5:8101 " in customers
    assert "server 10.0.0.6:8101 " in customers
    assert "127.0.0.1" not in customers


def test_a_local_port_setting_moves_the_service_and_its_upstream() -> None:
    plan = {p.service.name: p for p in placements({"PRINTBRIDGE_ORDERS_PORT": "9105"})}
    assert plan["orders"].port == 9105
    assert plan["orders"].upstreams == ("127.0.0.1:9105",)


@pytest.mark.parametrize(
    ("upstreams", "settings"),
    [
        ({"customers": ("10.0.0.5:8101; include /etc/passwd",)}, {}),
        ({}, {"cors_origins": ['https://x.example.com" ; deny all; "']}),
        ({}, {"host": "0.0.0.0;"}),
        ({}, {"max_body_bytes": -1}),
    ],
)
def test_settings_that_would_inject_directives_are_refused(
    upstreams: dict[str, tuple[str, ...]], settings: dict[str, Any]
) -> None:
    with pytest.raises(GatewayConfigError):
        render({**default_upstreams(), **upstreams}, **settings)


def test_the_gateway_listens_on_the_configured_address() -> None:
    assert "listen 0.0.0.0:9000;" in render(host="0.0.0.0", port=9000)
    assert "listen [::]:8000;" in render(host="::")


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    settings = GatewaySettings(cors_origins=["https://app.example.com"], rate_limit_per_second=2.5)
    conf = write_site(tmp_path / "site", settings, default_upstreams(), {"openapi": "3.1.0", "paths": {}})
    result = subprocess.run(
        [NGINX, "-t", "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_committed_example_is_what_the_renderer_produces_today() -> None:
    """deploy/gateway/nginx.conf.example is rendered with the settings its README names."""
    example = Path(__file__).resolve().parents[2] / "deploy" / "gateway" / "nginx.conf.example"
    expected = render_nginx_conf(
        GatewaySettings(
            host="0.0.0.0", cors_origins=["https://app.example.com"], gateway_resolver="127.0.0.11"
        ),
        SITE,
        upstreams_of(placements(EXAMPLE_ENVIRON)),
    )
    assert example.read_text(encoding="utf-8") == expected, "render it again: see deploy/gateway/README.md"


EXAMPLE_ENVIRON = {
    "PRINTBRIDGE_CUSTOMERS_UPSTREAM": "customers:8101",
    "PRINTBRIDGE_STOREFRONT_AUTH_UPSTREAM": "storefront-auth:8102",
    "PRINTBRIDGE_CONNECTORS_UPSTREAM": "connectors:8103",
    "PRINTBRIDGE_MAPPING_UPSTREAM": "mapping:8104",
    "PRINTBRIDGE_ORDERS_UPSTREAM": "orders:8105",
}
