from fastapi import FastAPI

from mapping.models import Base
from printbridge_shared.testing import assert_migrations_match_models, assert_service_basics


async def test_service_starts_migrates_and_answers_health_checks(app: FastAPI) -> None:
    await assert_service_basics(app)


async def test_migrations_create_exactly_the_tables_of_the_models(database_url):
    await assert_migrations_match_models(database_url, Base.metadata)
