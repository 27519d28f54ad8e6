"""The embedded mode: every service in one process behind the in-process gateway, SQLite files under
the data directory, events dispatched in-process from the outbox tables."""

from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from printbridge.config import GatewaySettings
from printbridge.gateway import EmbeddedGateway, build_gateway
from printbridge.services import SERVICE_NAMES, create_service_app, settings_for
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.topology import CONSUMER_GROUPS


class _Forward:
    """An ASGI app that forwards to one set later (storefront-auth, which the others call for keys)."""

    app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


def build_embedded(settings: GatewaySettings | None = None, **service_overrides: Any) -> EmbeddedGateway:
    """`service_overrides` maps a service name to Settings overrides (tests use it for database URLs)."""
    settings = settings or GatewaySettings()
    probe = settings_for("customers")
    bus = InProcessBus(retry=probe.event_retry_policy(), groups=CONSUMER_GROUPS)
    to_auth = _Forward()
    auth_http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=to_auth), base_url="http://storefront-auth"
    )
    runtime = Runtime(bus=bus, auth_http=auth_http, owns_bus=False)
    apps = {}
    for name in SERVICE_NAMES:
        overrides = {"data_dir": settings.data_dir, **service_overrides.get(name, {})}
        apps[name] = create_service_app(name, settings_for(name, **overrides), runtime)
    to_auth.app = apps["storefront-auth"]
    return build_gateway(apps, settings, bus)
