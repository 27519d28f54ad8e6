from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from orders.config import Settings
from orders.main import create_app
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, bearer, running


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    settings = Settings(database_url=database_url, log_json=False)
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as client:
        yield client


@pytest.fixture
def operator(auth: AuthKeys) -> dict[str, str]:
    return bearer(auth.operator_token())
