"""The shared test helpers can fail: a check that never fails would let a broken service pass."""

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.ext.asyncio import create_async_engine

from printbridge_shared.testing import assert_migrations_match_models


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
