"""The `mapping` app under test; `client` and `operator` come from printbridge_shared.pytest_plugin."""

from pathlib import Path

import pytest
from fastapi import FastAPI

from mapping.config import Settings
from mapping.main import create_app
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus, tmp_path: Path) -> FastAPI:
    # Its own data directory: design files and the key file that signs their addresses live there.
    settings = Settings(database_url=database_url, data_dir=tmp_path, log_json=False)
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))
