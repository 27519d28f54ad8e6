"""The column types every service's models use keep what they are given on both databases: money
(`ExactDecimal`) comes back exactly as written, and a time with any offset (`UTCDateTime`) is stored as
the same instant in UTC, so comparisons and ordering hold on SQLite too."""

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, Table, insert, select

from printbridge_shared.db import Database, ExactDecimal, UTCDateTime, make_metadata
from printbridge_shared.testing import POSTGRES_ADMIN_URL

metadata = make_metadata()
# Temporary: it lives as long as the connection, so the PostgreSQL admin database is left as it was.
values = Table(
    "column_type_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", ExactDecimal()),
    Column("at", UTCDateTime()),
    prefixes=["TEMPORARY"],
)
AMOUNTS = ["19.90", "0.10", "-5.50", "12345678901234567890.123456789", "0.00000001", "1000", "0"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'types.db'}")
    else:
        database = Database(POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1))
    yield database
    await database.dispose()


async def test_decimals_come_back_exactly_as_written(db: Database) -> None:
    async with db.session() as session:
        await session.run_sync(lambda sync: metadata.create_all(sync.connection()))
        await session.execute(
            insert(values), [{"id": n, "amount": Decimal(a)} for n, a in enumerate(AMOUNTS)]
        )
        stored = (await session.scalars(select(values.c.amount).order_by(values.c.id))).all()
        # An exponent is written out: 1E+3 is stored as 1000.
        await session.execute(insert(values).values(id=99, amount=Decimal("1E+3")))
        exponent = await session.scalar(select(values.c.amount).where(values.c.id == 99))

    assert [format(amount, "f") for amount in stored] == AMOUNTS
    assert all(isinstance(amount, Decimal) for amount in stored)
    assert exponent == Decimal("1000")


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), 19.9])
async def test_only_finite_decimals_are_accepted(db: Database, amount) -> None:
    with pytest.raises(Exception, match="not a finite Decimal"):
        async with db.session() as session:
            await session.run_sync(lambda sync: metadata.create_all(sync.connection()))
            await session.execute(insert(values).values(id=1, amount=amount))


async def test_a_time_with_an_offset_is_the_same_instant_in_utc_and_compares_as_such(db: Database) -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    noon_in_berlin = dt.datetime(2026, 6, 1, 12, 0, tzinfo=berlin)  # 10:00 UTC
    eleven_utc = dt.datetime(2026, 6, 1, 11, 0, tzinfo=dt.UTC)
    async with db.session() as session:
        await session.run_sync(lambda sync: metadata.create_all(sync.connection()))
        await session.execute(insert(values), [{"id": 1, "at": noon_in_berlin}, {"id": 2, "at": eleven_utc}])
        stored = await session.scalar(select(values.c.at).where(values.c.id == 1))
        earlier = (await session.scalars(select(values.c.id).where(values.c.at < eleven_utc))).all()
        ordered = (await session.scalars(select(values.c.id).order_by(values.c.at))).all()

    assert stored == noon_in_berlin
    assert stored.utcoffset() == dt.timedelta(0)
    assert (earlier, ordered) == ([1], [1, 2])
