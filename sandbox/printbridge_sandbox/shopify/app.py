"""`create_app()`: the Shopify sandbox as one ASGI app (Admin side under /shops/{shop}, control API under
/_sandbox/shopify)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from printbridge_sandbox.shopify import admin as admin_api
from printbridge_sandbox.shopify import control as control_api
from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.shopify.state import State
from printbridge_sandbox.shopify.webhooks import Webhooks
from printbridge_shared.errors import install_error_handlers


def create_app(settings: ShopifySettings | None = None) -> FastAPI:
    settings = settings or ShopifySettings()
    state = State()
    webhooks = Webhooks(state, settings)
    admin = admin_api.Admin(state, settings, webhooks)
    control = control_api.Control(admin)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await webhooks.start()
        try:
            yield
        finally:
            await webhooks.stop()

    app = FastAPI(title="Printbridge Shopify sandbox", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(admin_api.router(admin))
    app.include_router(control_api.router(control))
    app.state.control = control
    return app
