"""Fixtures every service's tests share (registered in the root conftest.py)."""

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AuthKeys, ServiceDatabases, bearer, running


@pytest.fixture(scope="session")
def service_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceDatabases]:
    databases = ServiceDatabases(tmp_path_factory.mktemp("migrated"))
    yield databases
    # A thread of its own: the event loop of the last async test may still be this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, databases.drop()).result()


@pytest.fixture
def service_migrations(request: pytest.FixtureRequest) -> Path:
    """The migrations of the service whose tests these are: a test under `services/<name>/tests/`
    gets `services/<name>/migrations`, the folder the service's app migrates from at start."""
    for folder in request.path.parents:
        if folder.name == "tests" and (folder.parent / "migrations" / "env.py").is_file():
            return folder.parent / "migrations"
    raise pytest.UsageError(
        f"{request.node.nodeid}: `database_url` is for a service's own tests (services/<name>/tests/), "
        "where it knows the service's migrations"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres_only` keep only their PostgreSQL variant of `database_url`: a platform
    world on real sockets proves the platform's protocol, and the service's other tests prove its SQL on
    both databases, so its SQLite twin would only double the run."""
    dropped = [item for item in items if _sqlite_twin_of_postgres_only(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not _sqlite_twin_of_postgres_only(item)]


def _sqlite_twin_of_postgres_only(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return (
        item.get_closest_marker("postgres_only") is not None
        and callspec is not None
        and callspec.params.get("database_url") == "sqlite"
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    service_databases: ServiceDatabases,
    service_migrations: Path,
) -> AsyncIterator[str]:
    """The service's database, already migrated: a SQLite file of this test's own, then the service's
    PostgreSQL test database, emptied (each test runs on both)."""
    if request.param == "sqlite":
        yield await service_databases.sqlite(service_migrations, tmp_path / "service.db")
    else:
        yield await service_databases.postgres(service_migrations)


@pytest.fixture
def auth() -> AuthKeys:
    return AuthKeys()


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus(retry=RetryPolicy(max_attempts=2, base_s=0.01))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The service's `app` fixture (each service's conftest.py builds its own), started, as a client."""
    async with running(app) as client:
        yield client


@pytest.fixture
def operator(auth: AuthKeys) -> dict[str, str]:
    """An operator's headers, signed by `auth` (storefront-auth's tests log a real operator in instead)."""
    return bearer(auth.operator_token())
