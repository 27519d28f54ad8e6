"""Test helpers every service's tests use: databases (SQLite or PostgreSQL, migrated once per service),
a started service app, and operator/customer tokens signed by a test key whose JWKS the app fetches."""

import asyncio
import contextlib
import email
import email.policy
import inspect
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import MetaData, func, select, text

from printbridge_shared.auth.principal import Principal, PrincipalKind, Role
from printbridge_shared.auth.revocations import REVOCATIONS_PATH, Revocations
from printbridge_shared.auth.tokens import encode_access_token, hash_secret, new_api_key, public_jwk
from printbridge_shared.auth.verifier import INTROSPECT_PATH, JWKS_PATH
from printbridge_shared.events.consumer import Consumer
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.rabbitmq import RabbitMQBus, dead_letter_queue, retry_queues
from printbridge_shared.events.retry import RetryPolicy

POSTGRES_ADMIN_URL = os.environ.get(
    "PRINTBRIDGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Where a PostgreSQL test database keeps the rows its migrations wrote (ServiceDatabases._keep_seed_rows).
SEED_SCHEMA = "pb_test_seed"
AMQP_TEST_URL = os.environ.get("PRINTBRIDGE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


SHIPPING_ADDRESS: dict[str, str] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address1": "Main Street 1",
    "city": "Berlin",
    "zip": "10115",
    "country_code": "DE",
}
"""A German shipping address as Shopify's orders and Printbridge's manual orders write it, for tests, the
benches and the fault suite (copy it before changing it)."""
WOOCOMMERCE_SHIPPING: dict[str, str] = {
    "first_name": SHIPPING_ADDRESS["first_name"],
    "last_name": SHIPPING_ADDRESS["last_name"],
    "address_1": SHIPPING_ADDRESS["address1"],
    "city": SHIPPING_ADDRESS["city"],
    "postcode": SHIPPING_ADDRESS["zip"],
    "country": SHIPPING_ADDRESS["country_code"],
}
"""The same address as a WooCommerce order's `shipping` names its fields."""


def retried_while(
    call: Callable[[], httpx.Response],
    problems: Collection[str],
    *,
    within: float = 10.0,
    pause: float = 0.1,
) -> httpx.Response:
    """`call`'s answer, made again while it is one of `problems` (a problem+json answer whose `type` ends
    in that name), for at most `within` seconds: a service that has not yet heard by event of what the
    request names (a customer, a store, a customer's reference id)."""
    deadline = time.monotonic() + within
    while True:
        response = call()
        refused = response.headers.get("content-type", "").startswith("application/problem+json")
        waiting = refused and str(response.json().get("type", "")).rsplit("/", 1)[-1] in problems
        if not waiting or time.monotonic() > deadline:
            return response
        time.sleep(pause)


async def eventually(condition: Callable[[], Any], within: float = 10.0) -> None:
    """Polls `condition` (a function returning a truth value, or an awaitable of one) until it holds,
    instead of sleeping a fixed time; fails after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)


async def a_lock_is_awaited(db: Any) -> bool:
    """Some session of `db`'s PostgreSQL database waits for a lock (a row another transaction holds): for
    tests that prove two transactions are serialized, without sleeping in between."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with db.session() as session:
        return bool((await session.execute(query)).scalar())


_ISSUED: set[int] = set()
_SLICES = 8


def free_port() -> int:
    """A loopback TCP port nothing listens on right now (for servers a test or benchmark starts).

    It is picked below the kernel's ephemeral range, from which every outgoing connection takes its
    local port: a port the kernel handed out for `bind(0)` is in that range, and on a busy test run a
    client's connection could take it before the server binds it ("address already in use"). Parallel
    test workers (pytest-xdist's `PYTEST_XDIST_WORKER`) pick from slices of their own, and a process
    never hands out a port twice, so no two servers of one run are given the same port before either
    has bound it."""
    import os
    import random
    import socket

    low = _ephemeral_ports_start()
    start = max(1024, low - 12000)
    size = (low - start) // _SLICES
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = start + (int(worker) % _SLICES if worker.isdigit() else 0) * size
    for _ in range(200):
        port = random.randint(first, first + size - 1)
        if port in _ISSUED:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _ISSUED.add(port)
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def _ephemeral_ports_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            return int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _postgres_dsn(database: str) -> str:
    """The admin connection's server, another database (asyncpg's form of the URL)."""
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


@dataclass
class _MigratedPostgres:
    name: str
    url: str
    empty_it: str


class ServiceDatabases:
    """The databases of a test session's service tests, migrated once per service and database kind
    (a service's app migrates at start, so every test begins with that service's schema at head):

    - SQLite: the service's migrations run once into a template file; each test gets its own copy.
    - PostgreSQL: one database per service (and pytest-xdist worker), migrated once; before each test
      every table but `alembic_version` is emptied, the sequences restart, and the rows the migrations
      wrote (orders' default production line) are put back. On a disk that syncs,
      `CREATE DATABASE` (from a template or not) and `DROP DATABASE` take about a second each, emptying
      a few small tables some milliseconds.
    A migration that fails, fails the first test that needs the service's database."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sqlite: dict[Path, Path] = {}
        self._postgres: dict[Path, _MigratedPostgres] = {}

    async def sqlite(self, migrations: Path, target: Path) -> str:
        """A copy of the service's migrated SQLite database at `target`; returns its URL."""
        from printbridge_shared.migrations import upgrade

        template = self._sqlite.get(migrations)
        if template is None:
            template = self.directory / f"{migrations.parent.name}-{uuid.uuid4().hex[:8]}.db"
            await upgrade(migrations, f"sqlite+aiosqlite:///{template}")
            self._sqlite[migrations] = template
        target.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(shutil.copyfile, template, target)
        return f"sqlite+aiosqlite:///{target}"

    async def postgres(self, migrations: Path) -> str:
        """The service's migrated PostgreSQL database, emptied, with no other connection; returns its URL."""
        database = self._postgres.get(migrations)
        if database is None:
            database = await self._create_postgres(migrations)
            self._postgres[migrations] = database
        connection = await asyncpg.connect(_postgres_dsn(database.name))
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            await connection.execute(database.empty_it)
        finally:
            await connection.close()
        return database.url

    async def _create_postgres(self, migrations: Path) -> _MigratedPostgres:
        from sqlalchemy import inspect
        from sqlalchemy.ext.asyncio import create_async_engine

        from printbridge_shared.migrations import upgrade

        name = f"pb_test_{migrations.parent.name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = _postgres_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade(migrations, url)
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                ordered = await conn.run_sync(lambda sync: inspect(sync).get_sorted_table_and_fkc_names())
        finally:
            await engine.dispose()
        # Dependents first, so foreign keys never stop a DELETE.
        tables = [table for table, _ in reversed(ordered) if table and table != "alembic_version"]
        seeded = await self._keep_seed_rows(name, tables)
        statements = [f'DELETE FROM "{table}"' for table in tables]
        statements.append(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
            "FROM pg_sequences WHERE schemaname = current_schema()"
        )
        # Referenced tables first, so foreign keys never stop an INSERT.
        statements += [f'INSERT INTO "{table}" SELECT * FROM "{SEED_SCHEMA}"."{table}"' for table in seeded]
        return _MigratedPostgres(name, url, "BEGIN; " + "; ".join(statements) + "; COMMIT")

    async def _keep_seed_rows(self, database: str, tables: list[str]) -> list[str]:
        """Copies the rows the migrations wrote (e.g. orders' default production line) into the schema
        SEED_SCHEMA, so emptying the tables puts them back: a test begins with the database as migrated,
        as on SQLite. Returns the tables that have such rows, referenced tables first."""
        connection = await asyncpg.connect(_postgres_dsn(database))
        try:
            seeded = [
                table
                for table in reversed(tables)
                if await connection.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
            ]
            if seeded:
                await connection.execute(f'CREATE SCHEMA "{SEED_SCHEMA}"')
            for table in seeded:
                await connection.execute(f'CREATE TABLE "{SEED_SCHEMA}"."{table}" AS TABLE "{table}"')
        finally:
            await connection.close()
        return seeded

    async def drop(self) -> None:
        if not self._postgres:
            return
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for database in self._postgres.values():
                await admin.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
        finally:
            await admin.close()
        self._postgres.clear()


@contextlib.asynccontextmanager
async def rabbitmq_delivery(
    consumer: Consumer,
) -> AsyncIterator[Callable[[Envelope], Awaitable[None]]]:
    """Runs `consumer` (give it a group name of its own, so that no other run on this broker takes its
    messages) on a real `RabbitMQBus` and yields `deliver(envelope)`: sends the event straight to the
    group's queue and returns once the consumer's inbox recorded it. Deletes the group's queues after."""
    policy = RetryPolicy(max_attempts=2, base_s=0.1)
    bus = RabbitMQBus(AMQP_TEST_URL, retry=policy, connect_timeout=5)
    bus.add_consumer(consumer)
    inbox = consumer.tables.inbox
    count = select(func.count()).select_from(inbox).where(inbox.c.consumer == consumer.name)

    async def handled() -> int:
        async with consumer.db.sessionmaker() as session:
            return int(await session.scalar(count) or 0)

    await bus.start()
    connection = await aio_pika.connect_robust(AMQP_TEST_URL)
    channel = await connection.channel(publisher_confirms=True)

    async def deliver(envelope: Envelope) -> None:
        before = await handled()
        message = aio_pika.Message(envelope.model_dump_json().encode(), message_id=str(envelope.id))
        await channel.default_exchange.publish(message, routing_key=consumer.name)

        async def arrived() -> bool:
            return await handled() > before

        await eventually(arrived)

    try:
        yield deliver
    finally:
        await bus.stop()
        for queue in (consumer.name, *retry_queues(consumer.name, policy), dead_letter_queue(consumer.name)):
            await channel.queue_delete(queue)
        await connection.close()


class MailInbox:
    """An aiosmtpd handler that keeps what a real SMTP server on loopback was handed: `messages`, and
    the envelope recipients of each in `recipients`."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextlib.contextmanager
def smtp_server(port: int) -> Iterator[MailInbox]:
    """A real SMTP server (aiosmtpd, a test dependency) on 127.0.0.1:`port` while the block runs."""
    from aiosmtpd.controller import Controller

    inbox = MailInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class AuthKeys:
    """Stands in for storefront-auth at the edge of a single service under test: signs tokens and
    answers JWKS and API-key introspection over an httpx transport."""

    kid: str = "test-key"
    private_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    api_keys: dict[str, uuid.UUID] = field(default_factory=dict)
    revocations: Revocations = field(
        default_factory=lambda: Revocations(disabled_customer_ids=[], subjects=[])
    )
    revocations_reachable: bool = True
    """False: the revocations endpoint answers 503, as while storefront-auth is down."""
    introspected: int = 0
    """How many API-key introspections were asked."""

    def token(self, principal: Principal, *, ttl_seconds: int = 900) -> str:
        import datetime as dt

        return encode_access_token(
            principal, private_key=self.private_key, kid=self.kid, ttl=dt.timedelta(seconds=ttl_seconds)
        )

    def operator_token(self, **kwargs: Any) -> str:
        return self.token(
            Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com"),
            **kwargs,
        )

    def customer_user_token(
        self,
        customer_id: uuid.UUID | None = None,
        role: str = "admin",
        store_ids: list[uuid.UUID] | None = None,
        subject_id: uuid.UUID | None = None,
    ) -> str:
        return self.token(
            Principal(
                kind=PrincipalKind.customer_user,
                subject_id=subject_id or uuid.uuid4(),
                email="user@example.com",
                customer_id=customer_id or uuid.uuid4(),
                role=Role(role),
                store_ids=store_ids or [],
            )
        )

    def new_api_key(self) -> tuple[str, uuid.UUID]:
        key, key_id = new_api_key(), uuid.uuid4()
        self.api_keys[hash_secret(key)] = key_id
        return key, key_id

    def http_client(self) -> httpx.AsyncClient:
        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path == JWKS_PATH:
                return httpx.Response(200, json={"keys": [public_jwk(self.private_key, self.kid)]})
            if request.url.path == INTROSPECT_PATH:
                import json

                self.introspected += 1
                key_id = self.api_keys.get(hash_secret(json.loads(request.content)["key"]))
                if key_id is None:
                    return httpx.Response(404, json={"detail": "unknown"})
                return httpx.Response(200, json={"api_key_id": str(key_id), "name": "test"})
            if request.url.path == REVOCATIONS_PATH:
                if not self.revocations_reachable:
                    return httpx.Response(503)
                return httpx.Response(200, json=self.revocations.model_dump(mode="json"))
            return httpx.Response(404)

        return httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://storefront-auth")


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Runs the app's lifespan (migrations, consumers, relay) and yields a client speaking to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


AppFactory = Callable[..., FastAPI]


async def assert_service_basics(app: FastAPI) -> None:
    """What every service must do: start (migrating its database), answer health, readiness and
    metrics, and publish an OpenAPI document."""
    async with running(app) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "event_bus": "ok", "workers": "ok"}
        metrics = await client.get("/metrics")
        assert "printbridge_http_requests_total" in metrics.text
        assert (await client.get("/openapi.json")).status_code == 200
        async with app.state.db.engine.connect() as conn:
            from sqlalchemy import inspect

            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {"outbox", "inbox", "dead_letters", "jobs", "schedules", "alembic_version"} <= tables


async def assert_migrations_match_models(database_url: str, metadata: MetaData) -> None:
    """The migrated database at `database_url` is what the service's models say: Alembic's autogenerate
    comparison (tables, columns and their types, indexes, unique constraints, foreign keys) finds nothing
    to change. A model changed without a migration, or a migration that differs from its model, fails."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()
    assert differences == [], f"migrations and models differ: {differences}"


async def recorded_events(db: Any, outbox: Any) -> list[Envelope]:
    """Every event in a service's outbox (`db`: its Database, `outbox`: its outbox table), oldest first."""
    async with db.sessionmaker() as session:
        rows = await session.scalars(select(outbox.c.envelope).order_by(outbox.c.seq))
        return [Envelope.model_validate_json(raw) for raw in rows]
