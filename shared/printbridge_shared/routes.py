"""The one route table: which service answers which public path. The embedded gateway dispatches by it,
the nginx configuration of the distributed mode is rendered from it, and the services take their
per-route body limits from it, so the three can never drift.

A route is a path pattern matched on whole segments: `/v1/stores` matches `/v1/stores` and
`/v1/stores/…`, never `/v1/storesx`; a `{name}` segment matches any one non-empty segment, so
`/v1/stores/{store_id}/products` matches `/v1/stores/7/products/…`. Where several match, the most
specific wins: the one with more segments, then the one with a literal where the other has a `{name}`.
Each route compiles to one regular expression, and that same expression is what nginx is given."""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    package: str
    port: int

    @property
    def env_prefix(self) -> str:
        return "PRINTBRIDGE_" + self.package.upper() + "_"


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("customers", "customers", 8101),
    ServiceInfo("storefront-auth", "storefront_auth", 8102),
    ServiceInfo("connectors", "connectors", 8103),
    ServiceInfo("mapping", "mapping", 8104),
    ServiceInfo("orders", "orders", 8105),
)
SERVICES_BY_NAME = {s.name: s for s in SERVICES}

INTERNAL_PREFIX = "/internal"
# The largest CSV file of orders an import takes (docs/orders-import.md).
ORDER_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# A CSV file of a store's variant mappings (docs/products-csv.md): 10,000 rows with long file URLs fit.
PRODUCT_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# A catalog import of 10,000 products (docs/catalog.md), read whole: about 1 KiB a product.
CATALOG_IMPORT_MAX_BYTES = 16 * 1024 * 1024
# The largest design file an upload takes (docs/files.md): print-ready PDFs with images run to this.
FILE_UPLOAD_MAX_BYTES = 200 * 1024 * 1024

_LITERAL_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
_PARAMETER_SEGMENT = re.compile(r"\{[a-z_][a-z0-9_]*\}")


class RouteError(ValueError):
    """A route the table cannot hold; the message names the route and the fix."""


@dataclass(frozen=True)
class Route:
    """`pattern` → `service`; `max_body_bytes` overrides PRINTBRIDGE_MAX_BODY_BYTES for this route's
    requests (at the gateway and in the service), e.g. for CSV uploads."""

    pattern: str
    service: str
    max_body_bytes: int | None = None

    def __post_init__(self) -> None:
        segments = self.pattern.split("/")[1:]
        if not self.pattern.startswith("/") or not all(
            _LITERAL_SEGMENT.fullmatch(s) or _PARAMETER_SEGMENT.fullmatch(s) for s in segments
        ):
            raise RouteError(
                f"route {self.pattern!r} must be /segment/… of letters, digits, '.', '_', '-' "
                "or {name} segments, without a trailing slash"
            )
        if not _LITERAL_SEGMENT.fullmatch(segments[0]):
            raise RouteError(f"route {self.pattern!r} must start with a literal segment")
        if self.pattern == INTERNAL_PREFIX or self.pattern.startswith(INTERNAL_PREFIX + "/"):
            raise RouteError(f"route {self.pattern!r}: {INTERNAL_PREFIX} is never reachable from outside")
        if self.service not in SERVICES_BY_NAME:
            raise RouteError(f"route {self.pattern!r} names an unknown service {self.service!r}")
        if self.max_body_bytes is not None and self.max_body_bytes < 0:
            raise RouteError(f"route {self.pattern!r}: max_body_bytes must be 0 or more")

    def body_limit(self, default: int) -> int:
        """This route's body limit, else `default` (PRINTBRIDGE_MAX_BODY_BYTES)."""
        return default if self.max_body_bytes is None else self.max_body_bytes

    @cached_property
    def regex(self) -> str:
        """Whole segments from the start, `{name}` as one segment; Python and nginx read it alike."""
        segments = self.pattern.split("/")[1:]
        parts = ("[^/]+" if s.startswith("{") else s.replace(".", "\\.") for s in segments)
        return "^/" + "/".join(parts) + "(?:/|$)"

    @property
    def specificity(self) -> tuple[int, tuple[int, ...]]:
        """Sorts most specific first: more segments, then literals before `{name}`s, left to right."""
        segments = self.pattern.split("/")[1:]
        return (-len(segments), tuple(1 if s.startswith("{") else 0 for s in segments))

    @property
    def shape(self) -> str:
        """The pattern with every `{name}` alike: two routes of the same shape would be ambiguous."""
        return _PARAMETER_SEGMENT.sub("{}", self.pattern)


class RouteTable:
    """Routes in the order they are tried (most specific first); nginx gets them in the same order."""

    def __init__(self, routes: Iterable[Route]) -> None:
        routes = list(routes)
        shapes: dict[str, str] = {}
        for route in routes:
            if route.shape in shapes:
                raise RouteError(f"routes {shapes[route.shape]!r} and {route.pattern!r} match the same paths")
            shapes[route.shape] = route.pattern
        self.routes: tuple[Route, ...] = tuple(sorted(routes, key=lambda r: r.specificity))
        # One alternation tried left to right, most specific first: the first route that matches wins,
        # in one pass instead of one regex per route.
        self._any = re.compile("|".join(f"(?P<r{i}>{route.regex})" for i, route in enumerate(self.routes)))

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def route_for_path(self, path: str) -> Route | None:
        match = self._any.match(path)
        if match is None or match.lastgroup is None:
            return None
        return self.routes[int(match.lastgroup[1:])]

    def service_for_path(self, path: str) -> str | None:
        route = self.route_for_path(path)
        return route.service if route else None

    def max_body_bytes_for(self, path: str, default: int) -> int:
        """The body limit of `path`: its route's own, else `default` (PRINTBRIDGE_MAX_BODY_BYTES)."""
        route = self.route_for_path(path)
        return default if route is None else route.body_limit(default)

    @property
    def services(self) -> Sequence[str]:
        """Every service some route names, each once, in the order of SERVICES."""
        named = {route.service for route in self.routes}
        return [service.name for service in SERVICES if service.name in named]


ROUTES = RouteTable(
    [
        Route("/v1/auth", "storefront-auth"),
        Route("/v1/api-keys", "storefront-auth"),
        Route("/v1/invitations", "storefront-auth"),
        Route("/v1/users", "storefront-auth"),
        Route("/invitations", "storefront-auth"),
        Route("/password-reset", "storefront-auth"),
        Route("/v1/customers", "customers"),
        # connectors: stores, their platform clients, inbound webhooks and OAuth callbacks.
        Route("/v1/stores", "connectors"),
        # A shop's order with hundreds of line items is larger than any body our own API takes.
        Route("/v1/webhooks", "connectors", max_body_bytes=10 * 1024 * 1024),
        Route("/v1/connectors", "connectors"),
        # mapping: the catalog, the shop products as synced (also nested under their store), mappings.
        Route("/v1/stores/{store_id}/products", "mapping"),
        Route("/v1/stores/{store_id}/products/import", "mapping", max_body_bytes=PRODUCT_IMPORT_MAX_BYTES),
        Route("/v1/product-imports", "mapping"),
        Route("/v1/stores/{store_id}/product-drafts", "mapping"),
        Route("/v1/catalog", "mapping"),
        Route("/v1/catalog/products/import", "mapping", max_body_bytes=CATALOG_IMPORT_MAX_BYTES),
        Route("/v1/products", "mapping"),
        Route("/v1/shop-products", "mapping"),
        Route("/v1/shop-variants", "mapping"),
        Route("/v1/product-drafts", "mapping"),
        Route("/v1/templates", "mapping"),
        Route("/v1/files", "mapping", max_body_bytes=FILE_UPLOAD_MAX_BYTES),
        # orders: orders (also nested under their store), production, routing, postbacks.
        Route("/v1/stores/{store_id}/orders", "orders"),
        # CSV order files of manual stores (docs/orders-import.md).
        Route("/v1/stores/{store_id}/orders/imports", "orders", max_body_bytes=ORDER_IMPORT_MAX_BYTES),
        Route("/v1/order-imports", "orders"),
        Route("/v1/stores/{store_id}/test-order", "orders"),
        Route("/v1/test-orders", "orders"),
        Route("/v1/orders", "orders"),
        Route("/v1/production", "orders"),
        Route("/v1/production-lines", "orders"),
        Route("/v1/routing-rules", "orders"),
        Route("/v1/postbacks", "orders"),
    ]
)


def service_for_path(path: str) -> str | None:
    """The service that answers `path` by the route table, or None."""
    return ROUTES.service_for_path(path)
