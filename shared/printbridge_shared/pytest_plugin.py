"""Fixtures every service's tests share (registered in the root conftest.py)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AuthKeys, postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The service's database: a SQLite file, then a fresh PostgreSQL database (each test runs on both)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    else:
        async with postgres_database() as url:
            yield url


@pytest.fixture
def auth() -> AuthKeys:
    return AuthKeys()


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus(retry=RetryPolicy(max_attempts=2, base_s=0.01))
