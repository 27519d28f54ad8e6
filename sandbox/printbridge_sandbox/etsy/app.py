"""`create_app()`: the Etsy sandbox as one ASGI app: `/oauth/connect` (www.etsy.com),
`/v3/public/oauth/token` and `/v3/application/…` (api.etsy.com / openapi.etsy.com) on one base URL, and
the control API under `/_sandbox/etsy`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from printbridge_sandbox.etsy import api as api_routes
from printbridge_sandbox.etsy import control as control_ops
from printbridge_sandbox.etsy import control_api
from printbridge_sandbox.etsy import oauth as oauth_routes
from printbridge_sandbox.etsy.guard import Guard
from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.etsy.state import State
from printbridge_sandbox.etsy.webhooks import Webhooks
from printbridge_shared.errors import install_error_handlers


def create_app(settings: EtsySettings | None = None, public_url: str | None = None) -> FastAPI:
    """`public_url`: the base the webhook notices' `resource_url` is built on (else the address the
    control call that paid the receipt came to)."""
    settings = settings or EtsySettings()
    state = State()
    webhooks = Webhooks(state, settings)
    oauth = oauth_routes.OAuth(state, settings)
    control = control_ops.Control(state, settings, oauth, webhooks)
    if public_url:
        control.public_url = control.api_base = public_url.rstrip("/")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await webhooks.start()
        try:
            yield
        finally:
            await webhooks.stop()

    app = FastAPI(title="Printbridge Etsy sandbox", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(oauth_routes.router(oauth))
    app.include_router(api_routes.router(api_routes.Api(state, Guard(state))))
    app.include_router(control_api.router(control))
    app.state.control = control
    return app
