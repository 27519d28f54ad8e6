"""The `connectors` app under test; `client` and `operator` come from printbridge_shared.pytest_plugin."""

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from connectors.config import Settings
from connectors.main import create_app
from connectors.models import KnownCustomer, Store, jobs
from connectors.products.service import SYNC_ALL
from connectors.store.jobs import RECONCILE_ALL
from printbridge_shared.app import Runtime
from printbridge_shared.db import utcnow
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.testing import AuthKeys


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, log_json=False, data_dir=tmp_path)


@pytest.fixture
def app(settings: Settings, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


MakeStore = Callable[..., Awaitable[Store]]


@pytest.fixture
def make_store(app: FastAPI) -> MakeStore:
    """Puts a store straight into the database (the connect flows have their own tests per platform)."""

    async def make(
        customer_id: uuid.UUID,
        *,
        name: str = "Acme Shop",
        platform: Platform = Platform.shopify,
        status: StoreStatus = StoreStatus.connected,
        shop_key: str | None = None,
        credentials: dict[str, str] | None = None,
    ) -> Store:
        now = utcnow()
        store = Store(
            id=uuid.uuid4(),
            customer_id=customer_id,
            platform=platform,
            name=name,
            name_key=name.lower(),
            shop_key=shop_key or f"{uuid.uuid4().hex[:12]}.myshopify.com",
            status=status,
            problems=[],
            credentials=app.state.platforms.box.seal(credentials or {"access_token": "t"}),
            connected_at=now if status != StoreStatus.pending else None,
            created_at=now - dt.timedelta(minutes=1),
            updated_at=now,
            version=1,
        )
        async with app.state.db.session() as session:
            session.add(store)
        return store

    return make


@pytest.fixture
def known_customer(app: FastAPI) -> Callable[..., Awaitable[uuid.UUID]]:
    async def make(*, archived: bool = False) -> uuid.UUID:
        customer_id = uuid.uuid4()
        async with app.state.db.session() as session:
            session.add(KnownCustomer(id=customer_id, name="Acme", archived=archived, version=1))
        return customer_id

    return make


async def unscheduled_job_kinds(app: FastAPI) -> list[str]:
    """The kinds of the jobs in the queue that no schedule made (a started app fires its schedules)."""
    async with app.state.db.session() as session:
        scheduled = jobs.jobs.c.kind.in_((RECONCILE_ALL, SYNC_ALL))
        return list((await session.scalars(select(jobs.jobs.c.kind).where(~scheduled))).all())
