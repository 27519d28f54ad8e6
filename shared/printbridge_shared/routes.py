"""The one route table: which service answers which public path prefix. The embedded gateway
dispatches by it and the nginx configuration of the distributed mode is rendered from it."""

from dataclasses import dataclass


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

ROUTES: tuple[tuple[str, str], ...] = (
    ("/v1/auth", "storefront-auth"),
    ("/v1/api-keys", "storefront-auth"),
    ("/v1/invitations", "storefront-auth"),
    ("/v1/users", "storefront-auth"),
    ("/invitations", "storefront-auth"),
    ("/password-reset", "storefront-auth"),
    ("/v1/customers", "customers"),
    ("/v1/stores", "connectors"),
    ("/v1/webhooks", "connectors"),
    ("/v1/catalog", "mapping"),
    ("/v1/products", "mapping"),
    ("/v1/orders", "orders"),
)

INTERNAL_PREFIX = "/internal"


def service_for_path(path: str) -> str | None:
    """The service that answers `path`, matching whole path segments only (`/v1/authx` matches nothing)."""
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None
