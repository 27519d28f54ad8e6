"""`printbridge dead-letters` on the embedded bus: dead letters are rows in the consuming service's own
database (here storefront-auth's, a real SQLite file), put there by the in-process bus after a handler
kept failing; a replay hands them to the service's real consumer once the handler works again."""

import asyncio
import contextlib
import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from printbridge.cli import app
from printbridge.dead_letters import rabbitmq_groups, service_consumers
from printbridge.services import SERVICE_NAMES, create_service_app, migrations_dir, settings_for
from printbridge_shared.app import Runtime
from printbridge_shared.db import Database
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.consumer import Consumer, on
from printbridge_shared.events.contracts import CustomerCreated
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.retry import RetryLater, RetryPolicy
from printbridge_shared.migrations import upgrade
from storefront_auth.models import CustomerProjection, messaging

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'storefront_auth.db'}"


@pytest.fixture
def env(url: str, command_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    return command_env(PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL=url, PRINTBRIDGE_MODE="embedded")


def customer_created(name: str = "Acme Prints", **data: Any) -> Envelope:
    customer_id = uuid.uuid4()
    snapshot = {
        "customer_id": str(customer_id),
        "name": name,
        "reference_id": "ACME-1",
        "description": None,
        "archived": False,
        "updated_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    return Envelope(
        type=CustomerCreated.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="customers",
        customer_id=customer_id,
        data=snapshot | data,
    )


def dead_letter_through_a_failing_handler(url: str, *envelopes: Envelope) -> None:
    """The in-process bus delivers to storefront-auth's consumer whose customer handler is broken (the
    projection store is down): it retries, gives up and writes the dead letters."""

    async def broken(_context: Any, _data: Any) -> None:
        raise ConnectionError("projection store down")

    async def run() -> None:
        await upgrade(migrations_dir("storefront-auth"), url)
        db = Database(url)
        [consumer] = service_consumers("storefront-auth", db)
        subscriptions = [*consumer.handlers.values(), on(CustomerCreated, broken)]
        bus = InProcessBus(retry=RetryPolicy(max_attempts=2, base_s=0.01))
        bus.add_consumer(Consumer(consumer.name, db, consumer.tables, subscriptions, outbox=consumer.outbox))
        await bus.start()
        for envelope in envelopes:
            with contextlib.suppress(RetryLater):
                await bus.publish(envelope, attempt=1)
            await bus.publish(envelope, attempt=2)
        await db.dispose()

    asyncio.run(run())


def handle_directly(url: str, envelope: Envelope) -> None:
    """What a later redelivery would do: the working consumer handles the event."""

    async def run() -> None:
        db = Database(url)
        [consumer] = service_consumers("storefront-auth", db)
        await consumer.handle(envelope)
        await db.dispose()

    asyncio.run(run())


def stored(url: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        db = Database(url)
        async with db.sessionmaker() as session:
            dead = list(await session.execute(select(messaging.dead_letters)))
            inbox = await session.scalar(select(func.count()).select_from(messaging.inbox))
            names = await session.scalars(select(CustomerProjection.name))
            result = {"dead_letters": dead, "inbox": inbox, "projected": sorted(names.all())}
        await db.dispose()
        return result

    return asyncio.run(run())


def invoke(env: dict[str, str], *args: str) -> Any:
    return runner.invoke(app, ["dead-letters", *args], env=env)


def flat(output: str) -> str:
    """A usage error's text without the box and line breaks rich draws around it."""
    return " ".join(output.replace("│", " ").split())


def test_list_shows_each_dead_letter_and_leaves_it_in_place(env, url):
    first, second = customer_created("First"), customer_created("Second")
    dead_letter_through_a_failing_handler(url, first, second)

    result = invoke(env, "list")

    assert result.exit_code == 0, result.output
    header, *lines, count = result.stdout.strip().splitlines()
    assert header.split() == ["WHERE", "EVENT", "TYPE", "EVENT", "ID", "ATTEMPTS", "FAILED", "AT", "REASON"]
    assert [line.split()[:4] for line in lines] == [
        ["storefront-auth/storefront-auth", "customer.created", str(first.id), "2"],
        ["storefront-auth/storefront-auth", "customer.created", str(second.id), "2"],
    ]
    assert all("ConnectionError: projection store down" in line for line in lines)
    assert count == "2 dead letters"
    assert len(stored(url)["dead_letters"]) == 2


def test_list_as_json_carries_the_full_reason_and_the_failure_time(env, url):
    envelope = customer_created()
    dead_letter_through_a_failing_handler(url, envelope)

    result = invoke(env, "list", "--json", "--service", "storefront-auth")

    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)
    assert entry | {"failed_at": None} == {
        "service": "storefront-auth",
        "group": "storefront-auth",
        "event_id": str(envelope.id),
        "event_type": "customer.created",
        "attempts": 2,
        "failed_at": None,
        "reason": "ConnectionError: projection store down",
        "returns": None,
    }
    assert dt.datetime.fromisoformat(entry["failed_at"]) <= dt.datetime.now(dt.UTC)


def test_list_filters_by_service_and_group(env, url):
    dead_letter_through_a_failing_handler(url, customer_created())

    assert invoke(env, "list", "--service", "customers").stdout.strip() == "no dead letters"
    assert invoke(env, "list", "--group", "nobody").stdout.strip() == "no dead letters"
    assert invoke(env, "list", "--group", "storefront-auth").stdout.strip().endswith("1 dead letter")


def test_list_on_a_fresh_data_directory_creates_no_databases(env, tmp_path):
    del env["PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL"]

    result = invoke(env, "list")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no dead letters"
    assert not (tmp_path / "var").exists()


def test_without_a_running_suite_or_a_mode_the_command_refuses_to_guess(env, monkeypatch):
    del env["PRINTBRIDGE_MODE"]
    monkeypatch.delenv("PRINTBRIDGE_MODE", raising=False)

    result = invoke(env, "list")

    assert result.exit_code == 1
    assert "PRINTBRIDGE_MODE" in result.output


def test_replay_hands_the_event_to_the_fixed_consumer_and_removes_the_dead_letter(env, url):
    envelope, other = customer_created("Acme Prints"), customer_created("Other")
    dead_letter_through_a_failing_handler(url, envelope, other)

    result = invoke(env, "replay", "--event-id", str(envelope.id).upper())

    assert result.exit_code == 0, result.output
    replayed, summary = result.stdout.strip().splitlines()
    assert replayed.split() == [
        "replayed",
        "storefront-auth/storefront-auth",
        "customer.created",
        str(envelope.id),
    ]
    assert summary == "replayed 1"
    after = stored(url)
    assert after["projected"] == ["Acme Prints"]
    assert [row.event_id for row in after["dead_letters"]] == [other.id]
    assert after["inbox"] == 1


def test_a_second_replay_changes_nothing(env, url):
    envelope = customer_created()
    dead_letter_through_a_failing_handler(url, envelope)
    assert invoke(env, "replay", "--all").exit_code == 0

    again = invoke(env, "replay", "--all")
    by_id = invoke(env, "replay", "--event-id", str(envelope.id))

    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "no dead letters to replay"
    assert by_id.exit_code == 1
    assert by_id.stdout.strip().splitlines()[0].split()[:4] == ["not", "found", "-", "-"]
    assert stored(url) == {"dead_letters": [], "inbox": 1, "projected": ["Acme Prints"]}


def test_a_dead_letter_handled_meanwhile_is_removed_without_a_second_effect(env, url):
    envelope = customer_created()
    dead_letter_through_a_failing_handler(url, envelope)
    handle_directly(url, envelope)

    result = invoke(env, "replay", "--all")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[0].startswith("already handled ")
    assert stored(url) == {"dead_letters": [], "inbox": 1, "projected": ["Acme Prints"]}


def test_a_dead_letter_that_still_fails_stays_with_the_new_reason_and_exit_1(env, url):
    broken, fine = customer_created(name=None), customer_created("Fine")
    dead_letter_through_a_failing_handler(url, broken, fine)

    result = invoke(env, "replay", "--all")

    assert result.exit_code == 1
    failed, replayed, summary = result.stdout.strip().splitlines()
    assert failed.split()[:5] == [
        "failed",
        "storefront-auth/storefront-auth",
        "customer.created",
        str(broken.id),
        "ValidationError:",
    ]
    assert replayed.split()[:1] == ["replayed"]
    assert summary == "failed 1, replayed 1"
    [row] = stored(url)["dead_letters"]
    assert (row.event_id, row.attempts) == (broken.id, 2), "dead at once (invalid data), then replayed once"
    assert row.reason.startswith("ValidationError: 1 validation error for CustomerCreated")
    assert stored(url)["projected"] == ["Fine"]


@pytest.mark.parametrize(
    "args",
    [["replay"], ["replay", "--all", "--event-id", str(uuid.uuid4())]],
    ids=["nothing selected", "both selections"],
)
def test_replay_needs_either_all_or_event_ids(env, args):
    result = invoke(env, *args)

    assert result.exit_code == 2
    assert "give --all or at least one --event-id" in flat(result.output)


@pytest.mark.parametrize("command", [["list"], ["replay", "--all"]])
def test_an_unknown_service_is_refused_with_the_valid_names(env, command):
    result = invoke(env, *command, "--service", "billing")

    assert result.exit_code == 2
    assert f"unknown service 'billing'; choose one of {', '.join(SERVICE_NAMES)}" in flat(result.output)


def test_an_unknown_bus_is_refused(env):
    result = invoke(env, "list", "--bus", "kafka")

    assert result.exit_code == 2


def test_an_unknown_event_id_is_reported_with_exit_1(env, url):
    dead_letter_through_a_failing_handler(url, customer_created())
    missing = str(uuid.uuid4())

    result = invoke(env, "replay", "--event-id", missing)

    assert result.exit_code == 1
    assert result.stdout.strip().splitlines() == [
        f"not found  -  -  {missing}  no such dead letter (replayed already, or a typo?)",
        "not found 1",
    ]
    assert len(stored(url)["dead_letters"]) == 1


def test_an_unusable_database_is_reported_in_one_line_without_a_traceback(env):
    env["PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL"] = "postgresql+asyncpg://postgres:secret-pw@127.0.0.1:1/x"

    result = invoke(env, "list", "--service", "storefront-auth")

    assert result.exit_code == 1
    assert result.output.strip().startswith("error: storefront-auth's database")
    assert "PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL" in result.output
    assert "secret-pw" not in result.output
    assert "Traceback" not in result.output


def test_a_database_the_service_never_migrated_is_reported_and_left_unchanged(env, url, tmp_path):
    sqlite3.connect(tmp_path / "storefront_auth.db").close()  # exists, but has no tables

    result = invoke(env, "list", "--service", "storefront-auth")

    assert result.exit_code == 1
    assert result.output.strip().startswith("error: storefront-auth's database")
    with sqlite3.connect(tmp_path / "storefront_auth.db") as db:
        assert db.execute("select name from sqlite_master").fetchall() == []


def test_an_unreachable_broker_is_reported_in_one_line_without_a_traceback(env):
    env["PRINTBRIDGE_AMQP_URL"] = "amqp://guest:secret-pw@127.0.0.1:1/"

    result = invoke(env, "list", "--bus", "rabbitmq")

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith("error: RabbitMQ at 127.0.0.1:1 cannot be reached")
    assert "secret-pw" not in result.output


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_the_replaying_consumers_are_the_ones_the_running_service_registers(service, tmp_path):
    settings = settings_for(service, database_url=f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    bus = InProcessBus()
    async with httpx.AsyncClient() as auth_http:
        service_app = create_service_app(service, settings, Runtime(bus=bus, auth_http=auth_http))
        async with service_app.router.lifespan_context(service_app):
            registered = bus.consumers
        db = Database(settings.resolved_database_url())
        built = service_consumers(service, db)
        await db.dispose()

    def shape(consumers: list[Consumer]) -> list[tuple[Any, ...]]:
        return [(c.name, c.handlers, c.tables) for c in consumers]

    assert shape(built) == shape(registered)


def test_the_rabbitmq_groups_come_from_the_services_topologies_unless_named():
    assert rabbitmq_groups(SERVICE_NAMES, None) == [(service, service) for service in SERVICE_NAMES]
    assert rabbitmq_groups(["storefront-auth"], None) == [("storefront-auth", "storefront-auth")]
    assert rabbitmq_groups(SERVICE_NAMES, ["test-x", "customers", "test-x"]) == [
        (None, "test-x"),
        ("customers", "customers"),
    ]
