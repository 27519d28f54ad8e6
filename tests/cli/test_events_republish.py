"""`printbridge events republish`: a new consumer builds its state from scratch out of the events a
service still keeps. Here storefront-auth starts on a fresh database and learns every customer from
customers' outbox (real SQLite files, the services' real consumer and relay); a second republish changes
nothing, because consumers skip what their inbox knows."""

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from customers.customer import service as customers
from customers.customer.schemas import CustomerCreate, CustomerUpdate
from customers.models import messaging as customers_messaging
from printbridge.cli import app
from printbridge.dead_letters import service_consumers
from printbridge.services import migrations_dir
from printbridge_shared.db import Database
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.outbox import Outbox, OutboxRelay
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.events.topology import groups_of
from printbridge_shared.migrations import upgrade
from storefront_auth.models import CustomerProjection
from storefront_auth.models import messaging as auth_messaging

runner = CliRunner()


@pytest.fixture
def customers_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'elsewhere' / 'customers.db'}"


@pytest.fixture
def auth_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'storefront_auth.db'}"


@pytest.fixture
def env(tmp_path: Path, customers_url: str, command_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    (tmp_path / "elsewhere").mkdir()
    return command_env(PRINTBRIDGE_CUSTOMERS_DATABASE_URL=customers_url)


def customers_whose_events_went_out(url: str, *names: str, renamed: dict[str, str] | None = None) -> None:
    """Customers created (and renamed) before storefront-auth existed: their events are marked sent."""

    async def run() -> None:
        await upgrade(migrations_dir("customers"), url)
        db = Database(url)
        outbox = Outbox(customers_messaging.outbox, "customers")
        for name in names:
            async with db.sessionmaker() as session, session.begin():
                customer = await customers.create(session, outbox, CustomerCreate(name=name))
            if name in (renamed or {}):
                async with db.sessionmaker() as session, session.begin():
                    await customers.update(session, outbox, customer.id, CustomerUpdate(name=renamed[name]))
        bus = InProcessBus()  # nobody consumed them
        await bus.start()
        await OutboxRelay(db, customers_messaging.outbox, bus).publish_pending()
        await db.dispose()

    asyncio.run(run())


def relay_to_storefront_auth(customers_url: str, auth_url: str) -> int:
    """The customers relay's next round, with storefront-auth's real consumer on the bus."""

    async def run() -> int:
        await upgrade(migrations_dir("storefront-auth"), auth_url)
        customers_db, auth_db = Database(customers_url), Database(auth_url)
        bus = InProcessBus(retry=RetryPolicy(max_attempts=1), groups=groups_of("storefront-auth"))
        for consumer in service_consumers("storefront-auth", auth_db):
            bus.add_consumer(consumer)
        await bus.start()
        published = await OutboxRelay(customers_db, customers_messaging.outbox, bus).publish_pending()
        await customers_db.dispose()
        await auth_db.dispose()
        return published

    return asyncio.run(run())


def storefront_auth_knows(url: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        db = Database(url)
        async with db.sessionmaker() as session:
            names = sorted((await session.scalars(select(CustomerProjection.name))).all())
            inbox = await session.scalar(select(func.count()).select_from(auth_messaging.inbox))
        await db.dispose()
        return {"customers": names, "inbox": inbox}

    return asyncio.run(run())


def republish(env: dict[str, str], *args: str) -> Any:
    return runner.invoke(app, ["events", "republish", *args], env=env)


def test_a_fresh_storefront_auth_learns_every_customer_after_republishing_customer_created(
    env, customers_url, auth_url
):
    customers_whose_events_went_out(customers_url, "Acme", "Beta", "Gamma", renamed={"Beta": "Beta Prints"})
    assert relay_to_storefront_auth(customers_url, auth_url) == 0
    assert storefront_auth_knows(auth_url)["customers"] == []

    result = republish(env, "--service", "customers", "--type", "customer.created")

    assert result.exit_code == 0, result.output
    assert "customers: 3 events will be published again" in result.output
    assert relay_to_storefront_auth(customers_url, auth_url) == 3
    assert storefront_auth_knows(auth_url) == {"customers": ["Acme", "Beta", "Gamma"], "inbox": 3}


def test_republishing_again_changes_nothing_for_a_consumer_that_handled_the_events(
    env, customers_url, auth_url
):
    customers_whose_events_went_out(customers_url, "Acme", "Beta", renamed={"Beta": "Beta Prints"})
    assert republish(env, "--service", "customers").exit_code == 0
    assert relay_to_storefront_auth(customers_url, auth_url) == 3
    learned = storefront_auth_knows(auth_url)

    again = republish(env, "--service", "customers")

    assert "customers: 3 events will be published again" in again.output
    assert relay_to_storefront_auth(customers_url, auth_url) == 3
    assert storefront_auth_knows(auth_url) == learned == {"customers": ["Acme", "Beta Prints"], "inbox": 3}


def test_since_republishes_only_the_events_that_happened_from_then_on(env, customers_url, auth_url):
    customers_whose_events_went_out(customers_url, "Acme", "Beta")

    async def backdate_the_first() -> None:
        db = Database(customers_url)
        outbox = customers_messaging.outbox
        async with db.sessionmaker() as session, session.begin():
            first = select(func.min(outbox.c.seq)).scalar_subquery()
            old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            await session.execute(update(outbox).where(outbox.c.seq == first).values(created_at=old))
        await db.dispose()

    asyncio.run(backdate_the_first())

    result = republish(env, "--service", "customers", "--since", "2026-06-01")

    assert "customers: 1 events will be published again" in result.output
    assert relay_to_storefront_auth(customers_url, auth_url) == 1
    assert storefront_auth_knows(auth_url)["customers"] == ["Beta"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service", "billing"], "unknown service"),
        (["--service", "customers", "--type", "customer.vanished"], "unknown event type"),
        (["--service", "customers", "--since", "last tuesday"], "ISO 8601"),
    ],
)
def test_bad_input_is_refused_with_exit_2_naming_the_option(env, args, message):
    result = republish(env, *args)

    assert result.exit_code == 2
    assert message in result.output


def test_a_service_database_that_does_not_exist_is_reported_with_the_setting_to_check(env):
    result = republish(env, "--service", "customers")

    assert result.exit_code == 1
    assert "PRINTBRIDGE_CUSTOMERS_DATABASE_URL" in result.output
