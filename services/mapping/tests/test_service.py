from mapping.config import Settings
from mapping.main import create_app
from mapping.models import Base
from printbridge_shared.app import Runtime
from printbridge_shared.testing import assert_migrations_match_models, assert_service_basics


async def test_service_starts_migrates_and_answers_health_checks(database_url, auth, bus):
    settings = Settings(database_url=database_url)
    await assert_service_basics(create_app(settings, Runtime(bus=bus, auth_http=auth.http_client())))


async def test_migrations_create_exactly_the_tables_of_the_models(database_url):
    await assert_migrations_match_models(database_url, Base.metadata)
