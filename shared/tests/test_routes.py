"""The route table: path patterns on whole segments, the most specific route wins."""

import pytest

from printbridge_shared.routes import ROUTES, Route, RouteError, RouteTable, service_for_path


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/stores", "connectors"),
        ("/v1/stores/", "connectors"),
        ("/v1/stores/7", "connectors"),
        ("/v1/stores/7/health", "connectors"),
        ("/v1/stores/7/products", "mapping"),
        ("/v1/stores/7/products/9/mapping", "mapping"),
        ("/v1/stores/7/orders", "orders"),
        ("/v1/stores/7/orders/42", "orders"),
        ("/v1/stores/7/test-order", "orders"),
        ("/v1/stores/7/productsx", "connectors"),
        ("/v1/stores//products", "connectors"),
        ("/v1/connectors/shopify/callback", "connectors"),
        ("/v1/webhooks/shopify", "connectors"),
        ("/v1/shop-products/1", "mapping"),
        ("/v1/shop-variants/1", "mapping"),
        ("/v1/templates", "mapping"),
        ("/v1/files/1", "mapping"),
        ("/v1/catalog/items", "mapping"),
        ("/v1/production/jobs", "orders"),
        ("/v1/routing-rules", "orders"),
        ("/v1/postbacks/1/attempts", "orders"),
        ("/v1/customers/1/storefront-access", "customers"),
        ("/v1/auth/login", "storefront-auth"),
        ("/invitations/abc", "storefront-auth"),
    ],
)
def test_each_path_goes_to_the_service_that_owns_it(path: str, service: str) -> None:
    assert service_for_path(path) == service


@pytest.mark.parametrize(
    "path", ["/v1/storesx", "/v1/stores-x/1", "/v1", "/", "/v2/stores", "/v1/Stores", "/internal/v1/x"]
)
def test_a_path_that_only_starts_like_a_route_matches_nothing(path: str) -> None:
    assert service_for_path(path) is None


def test_openapi_path_templates_match_like_the_paths_they_describe() -> None:
    assert service_for_path("/v1/stores/{store_id}/products/{product_id}") == "mapping"
    assert service_for_path("/v1/stores/{store_id}") == "connectors"


def test_the_most_specific_route_wins_whatever_the_order_of_the_table() -> None:
    general = Route("/v1/stores", "connectors")
    nested = Route("/v1/stores/{store_id}/products", "mapping")
    literal = Route("/v1/stores/import/products", "orders")
    for routes in ([general, nested, literal], [literal, nested, general], [nested, general, literal]):
        table = RouteTable(routes)
        assert table.service_for_path("/v1/stores/import/products/1") == "orders"
        assert table.service_for_path("/v1/stores/7/products") == "mapping"
        assert table.service_for_path("/v1/stores/import") == "connectors"


def test_a_literal_beats_a_parameter_in_the_same_place() -> None:
    table = RouteTable([Route("/v1/x/{id}/y", "orders"), Route("/v1/x/special/{id}", "mapping")])
    assert table.service_for_path("/v1/x/special/y") == "mapping"
    assert table.service_for_path("/v1/x/other/y") == "orders"


def test_the_body_limit_is_the_routes_own_or_the_default() -> None:
    table = RouteTable([Route("/v1/catalog", "mapping"), Route("/v1/catalog/import", "mapping", 50_000_000)])
    assert table.max_body_bytes_for("/v1/catalog/import", 1024) == 50_000_000
    assert table.max_body_bytes_for("/v1/catalog/items", 1024) == 1024
    assert table.max_body_bytes_for("/nowhere", 1024) == 1024


@pytest.mark.parametrize(
    ("pattern", "service"),
    [
        ("v1/x", "orders"),
        ("/v1/x/", "orders"),
        ("/v1/x y", "orders"),
        ("/v1/x;return", "orders"),
        ("/v1/{id", "orders"),
        ("/{id}/x", "orders"),
        ("/internal/v1/x", "orders"),
        ("/v1/x", "billing"),
    ],
)
def test_a_route_the_table_cannot_hold_is_refused(pattern: str, service: str) -> None:
    with pytest.raises(RouteError):
        Route(pattern, service)


def test_two_routes_for_the_same_paths_are_refused() -> None:
    with pytest.raises(RouteError, match="match the same paths"):
        RouteTable(
            [Route("/v1/stores/{id}/products", "mapping"), Route("/v1/stores/{sid}/products", "orders")]
        )


def test_every_service_but_none_twice_is_in_the_table() -> None:
    assert ROUTES.services == ["customers", "storefront-auth", "connectors", "mapping", "orders"]
