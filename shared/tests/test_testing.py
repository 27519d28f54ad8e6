"""The shared test helpers do what the tests rely on: each test gets its service's migrated database
with nothing of an earlier test in it, and the migrations check can fail."""

import asyncio
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from printbridge_shared.testing import ServiceDatabases, assert_migrations_match_models, retried_while

# Any service's migrations will do; customers' are a real history of several steps.
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "customers" / "migrations"
# Orders' migrations write a row: the default production line.
SEEDING_MIGRATIONS = MIGRATIONS.parents[1] / "orders" / "migrations"


async def add_outbox_row(url: str) -> int:
    """Writes one outbox row (its `seq` comes from a sequence) and returns its `seq`."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            seq = await connection.scalar(
                text(
                    "INSERT INTO outbox (event_id, event_type, envelope, created_at, attempts) "
                    "VALUES (:id, 'test.pinged', '{}', CURRENT_TIMESTAMP, 0) RETURNING seq"
                ),
                {"id": str(uuid.uuid4())},
            )
    finally:
        await engine.dispose()
    return int(seq)


async def count(url: str, table: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")))
    finally:
        await engine.dispose()


async def test_each_sqlite_test_gets_its_own_copy_of_the_migrated_database(tmp_path):
    databases = ServiceDatabases(tmp_path / "templates")
    first = await databases.sqlite(MIGRATIONS, tmp_path / "first" / "service.db")
    await add_outbox_row(first)
    second = await databases.sqlite(MIGRATIONS, tmp_path / "second" / "service.db")
    assert second != first
    assert await count(second, "outbox") == 0
    assert await count(second, "alembic_version") == 1
    assert await count(first, "outbox") == 1


@pytest.mark.postgres
async def test_each_postgres_test_gets_the_migrated_database_emptied_even_while_a_connection_holds_it(
    tmp_path,
):
    databases = ServiceDatabases(tmp_path)
    try:
        url = await databases.postgres(MIGRATIONS)
        first_seq = await add_outbox_row(url)
        await add_outbox_row(url)
        # An earlier test's connection that still holds a lock on the rows must not block the next test.
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        leftover = await asyncpg.connect(dsn)
        await leftover.execute("BEGIN; SELECT * FROM outbox FOR UPDATE")

        again = await asyncio.wait_for(databases.postgres(MIGRATIONS), timeout=20)
        assert again == url
        assert await count(url, "outbox") == 0
        assert await count(url, "alembic_version") == 1, "the schema stays migrated"
        assert await add_outbox_row(url) == first_seq, "sequences start again"
        leftover.terminate()
    finally:
        await databases.drop()


def _customers(metadata: MetaData, *extra: Column[str]) -> MetaData:
    Table("customers", metadata, Column("id", Integer, primary_key=True), Column("name", String(200)), *extra)
    return metadata


async def _database_of(metadata: MetaData, path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    return url


@pytest.mark.postgres
async def test_the_rows_the_migrations_wrote_are_there_again_after_emptying(tmp_path):
    databases = ServiceDatabases(tmp_path)
    try:
        url = await databases.postgres(SEEDING_MIGRATIONS)
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                seeded = (await connection.execute(text("SELECT id, code FROM production_lines"))).all()
                await connection.execute(text("UPDATE production_lines SET name = 'Changed'"))
                await connection.execute(
                    text(
                        "INSERT INTO production_lines (id, code, name, is_default, active, created_at, "
                        "updated_at) VALUES (:id, 'other', 'Other', false, true, now(), now())"
                    ),
                    {"id": str(uuid.uuid4())},
                )
        finally:
            await engine.dispose()

        await databases.postgres(SEEDING_MIGRATIONS)

        assert await count(url, "production_lines") == 1
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                again = (await connection.execute(text("SELECT id, code FROM production_lines"))).all()
                name = await connection.scalar(text("SELECT name FROM production_lines"))
        finally:
            await engine.dispose()
        assert (again, name) == (seeded, "Default line")
    finally:
        await databases.drop()


async def test_a_database_made_from_the_models_matches_them(tmp_path):
    url = await _database_of(_customers(MetaData()), tmp_path / "db.sqlite")
    await assert_migrations_match_models(url, _customers(MetaData()))


async def test_a_model_column_without_a_migration_is_reported(tmp_path):
    url = await _database_of(_customers(MetaData()), tmp_path / "db.sqlite")
    models = _customers(MetaData(), Column("reference_id", String(64)))
    with pytest.raises(AssertionError, match="reference_id"):
        await assert_migrations_match_models(url, models)


async def test_a_column_type_that_differs_from_the_model_is_reported(tmp_path):
    url = await _database_of(_customers(MetaData()), tmp_path / "db.sqlite")
    models = MetaData()
    Table("customers", models, Column("id", Integer, primary_key=True), Column("name", String(50)))
    with pytest.raises(AssertionError, match="modify_type"):
        await assert_migrations_match_models(url, models)


def _problem(name: str) -> httpx.Response:
    body = {"type": f"https://printbridge.dev/problems/{name}", "title": name, "status": 422}
    return httpx.Response(422, json=body, headers={"content-type": "application/problem+json"})


def test_a_call_is_made_again_only_while_it_answers_one_of_the_named_problems() -> None:
    answers = iter([_problem("customer-unknown"), _problem("customer-unknown"), httpx.Response(201)])
    assert retried_while(lambda: next(answers), ("customer-unknown",), pause=0).status_code == 201
    other = _problem("store-not-found")
    assert retried_while(lambda: other, ("customer-unknown",)) is other
    still = retried_while(lambda: _problem("customer-unknown"), ("customer-unknown",), within=0, pause=0)
    assert still.status_code == 422  # given up after `within`: the caller sees the last answer
