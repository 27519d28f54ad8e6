"""The Pressero sandbox: one admin host (`https://admin.<dc>.v6.pressero.com` in reality) serving the API
under `/api/…` and the control API under `/_sandbox/pressero/…` (docs/sandbox-pressero.md)."""

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from printbridge_sandbox.pressero.api import CaseInsensitivePaths, api_router
from printbridge_sandbox.pressero.control import control_router
from printbridge_sandbox.pressero.deliveries import Deliverer
from printbridge_sandbox.pressero.state import Pressero
from printbridge_shared.errors import install_error_handlers


def create_app(*, token_lifetime_s: float = 3600.0, delivery_timeout_s: float = 10.0) -> FastAPI:
    """`token_lifetime_s`: how long a token from `/api/token` works (Pressero does not say; the sandbox
    makes it configurable so clients must cope with expiry)."""
    pressero = Pressero(token_lifetime=dt.timedelta(seconds=token_lifetime_s))
    deliverer = Deliverer(timeout_s=delivery_timeout_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await deliverer.start()
        try:
            yield
        finally:
            await deliverer.stop()

    app = FastAPI(title="Printbridge sandbox: Pressero", lifespan=lifespan)
    app.state.pressero = pressero
    app.state.deliverer = deliverer
    install_error_handlers(app)
    api = api_router(pressero)
    app.include_router(api)
    app.add_middleware(
        CaseInsensitivePaths, templates=[route.path for route in api.routes if isinstance(route, APIRoute)]
    )
    app.include_router(control_router(pressero, deliverer))
    return app
