from customers.config import Settings
from customers.main import create_app
from printbridge_shared.app import Runtime
from printbridge_shared.testing import assert_service_basics


async def test_service_starts_migrates_and_answers_health_checks(database_url, auth, bus):
    settings = Settings(database_url=database_url)
    await assert_service_basics(create_app(settings, Runtime(bus=bus, auth_http=auth.http_client())))
