"""`printbridge orders import FILE --store ID`: the import of the orders service, run by the command on
the suite's orders database: the summary, the first errors, and exit 1 when rows failed."""

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from orders.models import Order, Store
from printbridge.cli import app
from printbridge.services import migrations_dir
from printbridge_shared.db import Database, utcnow
from printbridge_shared.migrations import upgrade

runner = CliRunner()
HEADER = (
    "order_reference,currency,ship_first_name,ship_last_name,ship_address1,ship_city,ship_zip,"
    "ship_country_code,product_uid,quantity"
)


def row(reference: str, quantity: str = "1") -> str:
    return f"{reference},EUR,Ada,Lovelace,Hauptstraße 5,Berlin,10115,DE,poster_a2,{quantity}"


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}"


@pytest.fixture
def env(command_env: Callable[..., dict[str, str]], database: str) -> dict[str, str]:
    return command_env(PRINTBRIDGE_MODE="embedded", PRINTBRIDGE_ORDERS_DATABASE_URL=database)


def a_store(url: str, platform: str = "manual") -> uuid.UUID:
    """A store in orders' projection, as connectors' store.connected leaves it."""

    async def run() -> uuid.UUID:
        await upgrade(migrations_dir("orders"), url)
        db = Database(url)
        store = Store(
            store_id=uuid.uuid4(),
            customer_id=uuid.uuid4(),
            platform=platform,
            name="Spreadsheet orders",
            status="connected",
            updated_at=utcnow(),
        )
        async with db.session() as session:
            session.add(store)
        await db.dispose()
        return store.store_id

    return asyncio.run(run())


def orders_in(url: str) -> int:
    async def run() -> int:
        db = Database(url)
        async with db.session() as session:
            count = await session.scalar(select(func.count()).select_from(Order))
        await db.dispose()
        return int(count or 0)

    return asyncio.run(run())


def write(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "orders.csv"
    path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode(encoding))
    return path


def test_a_good_file_is_imported_and_summed_up(tmp_path, env, database):
    store = a_store(database)
    path = write(tmp_path, row("PO-1"), row("PO-1", "2"), row("PO-2"))

    result = runner.invoke(app, ["orders", "import", str(path), "--store", str(store)], env=env)

    assert result.exit_code == 0, result.output
    assert "done; 3 rows read, 2 orders created, 0 already there, 0 rows failed" in result.output
    assert orders_in(database) == 2


def test_the_same_file_again_creates_nothing(tmp_path, env, database):
    store = a_store(database)
    path = write(tmp_path, row("PO-1"), row("PO-2"))
    runner.invoke(app, ["orders", "import", str(path), "--store", str(store)], env=env)

    again = runner.invoke(app, ["orders", "import", str(path), "--store", str(store)], env=env)

    assert again.exit_code == 0, again.output
    assert "0 orders created, 2 already there" in again.output
    assert orders_in(database) == 2


def test_failed_rows_are_listed_and_exit_1(tmp_path, env, database):
    store = a_store(database)
    path = write(tmp_path, row("PO-1"), row("PO-2", "abc"))

    result = runner.invoke(app, ["orders", "import", str(path), "--store", str(store)], env=env)

    assert result.exit_code == 1
    assert "1 orders created" in result.output and "1 rows failed" in result.output
    assert "row 3, quantity: 'abc' is not a whole number" in result.output


@pytest.mark.parametrize(("platform", "says"), [("manual", "Windows-1252"), ("shopify", "manual store")])
def test_a_file_or_store_that_cannot_be_imported_is_refused_with_exit_1(
    tmp_path, env, database, platform, says
):
    store = a_store(database, platform)
    path = write(tmp_path, row("PO-1"), row("Müller"), encoding="cp1252")

    result = runner.invoke(app, ["orders", "import", str(path), "--store", str(store)], env=env)

    assert result.exit_code == 1
    assert says in result.output
    assert orders_in(database) == 0


def test_an_unknown_store_or_a_malformed_id_is_refused(tmp_path, env, database):
    a_store(database)
    path = write(tmp_path, row("PO-1"))

    unknown = runner.invoke(app, ["orders", "import", str(path), "--store", str(uuid.uuid4())], env=env)
    malformed = runner.invoke(app, ["orders", "import", str(path), "--store", "seven"], env=env)

    assert unknown.exit_code == 1 and "No store with id" in unknown.output
    assert malformed.exit_code == 2 and "not a store id" in malformed.output
